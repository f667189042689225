import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type BackendLoader,
  describeBackend,
  parseBackendCandidate,
  polyfillNodeUtil,
  selectBackend,
} from '../../../main/engine/backend.js';

const failing =
  (why: string): BackendLoader =>
  async () => {
    throw new Error(why);
  };

describe('selectBackend', () => {
  it('falls through failing candidates and keeps each error in the report', async () => {
    const report = await selectBackend({
      env: {},
      loaders: {
        'tfjs-node-gpu': failing('libcudart.so.11.0: cannot open shared object file'),
        webgpu: failing('no WebGPU adapter'),
        'tfjs-node': failing('not installed'),
        wasm: failing('wasm compile failed'),
      },
    });
    expect(report.candidate).toBe('cpu');
    expect(report.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(report.gpu).toBe(false);
    expect(report.attempts).toEqual([
      { candidate: 'tfjs-node-gpu', ok: false, reason: 'libcudart.so.11.0: cannot open shared object file' },
      { candidate: 'webgpu', ok: false, reason: 'no WebGPU adapter' },
      { candidate: 'tfjs-node', ok: false, reason: 'not installed' },
      { candidate: 'wasm', ok: false, reason: 'wasm compile failed' },
      { candidate: 'cpu', ok: true },
    ]);
  });

  it('uses the first candidate that loads, and wasm really runs', async () => {
    const report = await selectBackend({
      env: {},
      loaders: {
        'tfjs-node-gpu': failing('not installed'),
        webgpu: failing('no adapter'),
        'tfjs-node': failing('not installed'),
      },
    });
    expect(report.candidate).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.wasmFeatures?.simd).toBeTypeOf('boolean');
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    expect(Array.from(sum)).toEqual([4, 6]);
    expect(describeBackend(report)).toMatch(/^wasm \(CPU/);
  });

  it('a loader that loads but names an unknown backend falls through', async () => {
    const report = await selectBackend({
      env: {},
      loaders: {
        'tfjs-node-gpu': async () => ({ name: 'no-such-backend' }),
        webgpu: failing('no adapter'),
        'tfjs-node': failing('not installed'),
        wasm: failing('no wasm'),
      },
    });
    expect(report.candidate).toBe('cpu');
    expect(report.attempts[0]?.ok).toBe(false);
    expect(report.attempts[0]?.reason).toMatch(/no-such-backend/);
  });

  it('DUET_BACKEND forces one backend and reports it', async () => {
    const report = await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
    expect(report).toMatchObject({ candidate: 'cpu', forcedBy: 'DUET_BACKEND' });
    expect(report.attempts).toHaveLength(1);
  });

  it('DUET_BACKEND wins over the user setting', async () => {
    const report = await selectBackend({ env: { DUET_BACKEND: 'cpu' }, preference: 'wasm' });
    expect(report.candidate).toBe('cpu');
  });

  it('a user setting forces a backend', async () => {
    const report = await selectBackend({ env: {}, preference: 'cpu' });
    expect(report).toMatchObject({ candidate: 'cpu', forcedBy: 'setting' });
  });

  it('a forced backend that fails is an error naming why', async () => {
    await expect(
      selectBackend({ env: { DUET_BACKEND: 'gpu' }, loaders: { 'tfjs-node-gpu': failing('not installed') } }),
    ).rejects.toThrow(/tfjs-node-gpu.*DUET_BACKEND.*not installed/);
  });

  it('tells a loader whether its candidate was asked for by name', async () => {
    const seen: boolean[] = [];
    const cpuAfterLooking: BackendLoader = async ({ automatic }) => {
      seen.push(automatic);
      await import('@tensorflow/tfjs-backend-cpu');
      return { name: 'cpu' };
    };
    await selectBackend({ env: { DUET_BACKEND: 'cpu' }, loaders: { cpu: cpuAfterLooking } });
    await selectBackend({
      env: {},
      loaders: {
        'tfjs-node-gpu': failing('no'),
        webgpu: failing('no'),
        'tfjs-node': failing('no'),
        wasm: failing('no'),
        cpu: cpuAfterLooking,
      },
    });
    expect(seen).toEqual([false, true]);
  });

  it('reports the adapter a loader found, and a software adapter as no GPU', async () => {
    const adapter = {
      vendor: 'mesa',
      architecture: 'software',
      description: 'llvmpipe: Mesa 25.0.7',
      software: true,
      maxBufferSize: 2 ** 32 - 1,
      maxStorageBufferBindingSize: 2 ** 27,
    };
    const report = await selectBackend({
      env: { DUET_BACKEND: 'webgpu' },
      loaders: {
        webgpu: async () => {
          await import('@tensorflow/tfjs-backend-cpu');
          return { name: 'cpu', adapter };
        },
      },
    });
    expect(report).toMatchObject({ candidate: 'webgpu', gpu: false, adapter, forcedBy: 'DUET_BACKEND' });
    expect(describeBackend(report)).toBe('webgpu (CPU, mesa software)');
  });

  it('an unknown backend name is refused with the choices', () => {
    expect(() => parseBackendCandidate('cuda')).toThrow(
      /Unknown backend "cuda".*tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu/,
    );
    expect(parseBackendCandidate('GPU')).toBe('tfjs-node-gpu');
    expect(parseBackendCandidate('WebGPU')).toBe('webgpu');
    expect(parseBackendCandidate(undefined)).toBeUndefined();
  });

  it('without libtensorflow installed here, the native candidates report why', async () => {
    const report = await selectBackend({ env: {} });
    for (const a of report.attempts.filter((x) => !x.ok)) {
      expect(a.reason).toBeTruthy();
    }
    expect(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu']).toContain(report.candidate);
  });
});

describe('polyfillNodeUtil', () => {
  it('provides util.isNullOrUndefined for tfjs-node on Node ≥ 23', async () => {
    const util = (await import('node:util')).default as unknown as { isNullOrUndefined?: (v: unknown) => boolean };
    polyfillNodeUtil();
    expect(util.isNullOrUndefined?.(null)).toBe(true);
    expect(util.isNullOrUndefined?.(undefined)).toBe(true);
    expect(util.isNullOrUndefined?.(0)).toBe(false);
  });
});
