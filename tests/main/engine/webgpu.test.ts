import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../main/engine/backend.js';
import {
  isSoftwareAdapter,
  releaseWebGpuBackend,
  simulateWebGpuDeviceLoss,
  startWebGpuBackend,
  webGpuDeviceLost,
} from '../../../main/engine/webgpu.js';

describe('isSoftwareAdapter', () => {
  it('knows lavapipe, SwiftShader and WARP from what Dawn reports, and a real GPU from them', () => {
    expect(isSoftwareAdapter({ architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' })).toBe(true);
    expect(isSoftwareAdapter({ architecture: '', description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'Microsoft Basic Render Driver' })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ architecture: 'ampere', description: 'NVIDIA GeForce RTX 3090' })).toBe(false);
  });
});

// The real adapter: a Vulkan, Metal or D3D12 device, or lavapipe (scripts/install-vulkan.sh).
const probe = await startWebGpuBackend().then(
  (r) => ({ adapter: r.adapter, reason: undefined }),
  (err: Error) => ({ adapter: undefined, reason: err.message }),
);
releaseWebGpuBackend();
if (probe.reason) console.log(`webgpu tests skipped: ${probe.reason}`);

describe.skipIf(probe.reason !== undefined)('the webgpu backend on this machine’s adapter', () => {
  afterAll(() => releaseWebGpuBackend());

  it('forced, it runs, reports its adapter and computes what cpu computes', async () => {
    const report = await selectBackend({ env: { DUET_BACKEND: 'webgpu' } });
    expect(report.candidate).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(report.adapter?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(report.gpu).toBe(!report.adapter?.software);
    const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2]));
    expect(Array.from(await y.data())).toEqual([19, 22, 43, 50]);
    y.dispose();
  });

  it.skipIf(!probe.adapter?.software)(
    'a software adapter is passed over in the automatic order, with the reason',
    async () => {
      const failing = async () => {
        throw new Error('not here');
      };
      const report = await selectBackend({
        env: {},
        loaders: { 'tfjs-node-gpu': failing, 'tfjs-node': failing, wasm: failing },
      });
      expect(report.candidate).toBe('cpu');
      expect(report.attempts[1]).toMatchObject({ candidate: 'webgpu', ok: false });
      expect(report.attempts[1]?.reason).toMatch(/software adapter.*passed over unless forced/);
    },
  );

  it('a lost device is reported until the backend starts again', async () => {
    await selectBackend({ env: { DUET_BACKEND: 'webgpu' } });
    expect(webGpuDeviceLost()).toBeUndefined();
    simulateWebGpuDeviceLoss({ message: 'driver reset' });
    expect(webGpuDeviceLost()).toMatch(/WebGPU device was lost.*driver reset/);
    await selectBackend({ env: { DUET_BACKEND: 'webgpu' } });
    expect(webGpuDeviceLost()).toBeUndefined();
  });
});
