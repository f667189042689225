/**
 * After the WebGPU device is lost, the engine does not start the next run on it: it selects a backend
 * again, and where Dawn gives no new device the selection goes on down the chain. The run's config
 * records the backend it got and why webgpu was passed over. Needs a WebGPU adapter (a GPU, or lavapipe
 * from scripts/install-vulkan.sh); elsewhere the test skips with the reason printed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type DuetOperationName, parseRequest, type RunEvent, type RunSummary } from '#contract';
import { type BackendLoader, selectBackend } from '../../../../main/engine/backend.js';
import { runDir } from '../../../../main/engine/runs/layout.js';
import { EngineService } from '../../../../main/engine/service/index.js';
import {
  releaseWebGpuBackend,
  simulateWebGpuDeviceLoss,
  startWebGpuBackend,
  webGpuDeviceLost,
} from '../../../../main/engine/webgpu.js';
import { waitFor } from '../../../support/wait.js';

const noAdapter = await startWebGpuBackend().then(
  () => undefined,
  (err: Error) => err.message,
);
releaseWebGpuBackend();
if (noAdapter) console.log(`device-loss test skipped: ${noAdapter}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-device-loss-'));

afterAll(() => {
  releaseWebGpuBackend();
  rmSync(tmp, { recursive: true, force: true });
});

async function images(dir: string, shade: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 2; i++) {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: shade, g: 40 * i, b: 90 } } })
      .png()
      .toFile(path.join(dir, `${i}.png`));
  }
}

const failing =
  (why: string): BackendLoader =>
  async () => {
    throw new Error(why);
  };

describe.skipIf(noAdapter !== undefined)('a lost WebGPU device', () => {
  it('the next run falls back down the chain, and its config says why webgpu was passed over', async () => {
    await images(path.join(tmp, 'a'), 30);
    await images(path.join(tmp, 'b'), 220);
    const workspace = path.join(tmp, 'ws');
    const webgpu = await selectBackend({ env: { DUET_BACKEND: 'webgpu' } });
    // This machine's chain after the loss: no CUDA, Dawn gives no new device, no tfjs-node, no wasm.
    const events: RunEvent[] = [];
    const service = new EngineService({
      workspace,
      backend: webgpu,
      emit: (kind, payload) => {
        if (kind === 'run') events.push(payload as RunEvent);
      },
      reselectBackend: () =>
        selectBackend({
          env: {},
          loaders: {
            'tfjs-node-gpu': failing('not installed'),
            webgpu: failing('no device after the loss'),
            'tfjs-node': failing('not installed'),
            wasm: failing('not here'),
          },
        }),
    });
    const call = <K extends DuetOperationName>(op: K, payload: unknown) =>
      service.handle(op, parseRequest(op, payload)) as Promise<unknown>;
    const project = (await call('createProject', {
      name: 'loss',
      domainA: path.join(tmp, 'a'),
      domainB: path.join(tmp, 'b'),
    })) as { id: string };

    simulateWebGpuDeviceLoss({ message: 'driver reset', destroy: true });
    expect(webGpuDeviceLost()).toMatch(/driver reset/);
    const run = (await call('startRun', {
      projectId: project.id,
      settings: { generator: 'tiny', discriminator: 'tiny', ngf: 4, ndf: 4, size: 16, loadSize: 16, iterations: 2 },
    })) as RunSummary;
    const ended = () =>
      events.find(
        (e) => e.type === 'state' && e.runId === run.id && ['finished', 'failed', 'stopped'].includes(e.state),
      );
    await waitFor(() => ended() !== undefined, 120_000);
    expect(ended()).toMatchObject({ state: 'finished' });
    const config = JSON.parse(readFileSync(path.join(runDir(workspace, project.id, run.id), 'config.json'), 'utf8'));
    expect(config.backend.candidate).toBe('cpu');
    expect(config.backend.attempts).toContainEqual({
      candidate: 'webgpu',
      ok: false,
      reason: 'no device after the loss',
    });
    expect(service.backend().backend?.candidate).toBe('cpu');
    // The lost device was let go: nothing of it is reported any more.
    expect(webGpuDeviceLost()).toBeUndefined();
  }, 180_000);
});
