/**
 * The engine process on the webgpu backend: a run trains there and records webgpu in its config, a model
 * translates there, a lost device stops the run with its message (the last checkpoint kept) and the next
 * run opens a new device, and the process exits when shut down (Dawn's GPU object is dropped). Where no
 * WebGPU adapter exists (no GPU, no lavapipe from scripts/install-vulkan.sh) every test skips with the
 * engine's reason printed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobEvent, ModelCard, RunEvent, RunSummary } from '#contract';
import { EngineClient, nodeEngineLauncher } from '../../../../main/engine/process/client.js';
import { INTERNAL_OPS } from '../../../../main/engine/process/protocol.js';
import { runDir } from '../../../../main/engine/runs/layout.js';
import { waitFor } from '../../../support/wait.js';

let tmp: string;
let engine: EngineClient;
let skipReason: string | undefined;
const events: RunEvent[] = [];
const jobEvents: JobEvent[] = [];

async function images(dir: string, n: number, shade: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: shade, g: 20 * i, b: 90 } } })
      .png()
      .toFile(path.join(dir, `${i}.png`));
  }
}

const tiny = {
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  loadSize: 16,
  poolSize: 2,
  sampleEvery: 100_000,
};

function configOf(projectId: string, runId: string): { backend: { candidate: string; adapter?: object } } {
  return JSON.parse(readFileSync(path.join(runDir(path.join(tmp, 'ws'), projectId, runId), 'config.json'), 'utf8'));
}

const stateOf = (runId: string) =>
  events.filter((e) => e.type === 'state' && e.runId === runId).at(-1) as
    | { state: string; message?: string }
    | undefined;

/** Until the engine has let go of every run (a run's last state event comes just before that). */
async function idle(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (((await engine.request(INTERNAL_OPS.activeRuns)) as unknown[]).length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a run is still active after 60 s');
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-engine-webgpu-'));
  await images(path.join(tmp, 'a'), 3, 30);
  await images(path.join(tmp, 'b'), 3, 220);
  engine = new EngineClient({
    launcher: nodeEngineLauncher(),
    workspace: path.join(tmp, 'ws'),
    backend: 'webgpu',
    autoRestart: false,
  });
  engine.onEvent((kind, payload) => {
    if (kind === 'run') events.push(payload as RunEvent);
    else jobEvents.push(payload as JobEvent);
  });
  await engine.start();
  const info = await engine.engineInfo();
  if (!info.backend) {
    skipReason = `the engine could not start webgpu: ${info.backendError}`;
    console.log(`skipped: ${skipReason}`);
  }
}, 120_000);

beforeEach((context) => {
  if (skipReason) context.skip(skipReason);
});

afterAll(async () => {
  await engine?.shutdown('test done', 60_000);
  rmSync(tmp, { recursive: true, force: true });
});

describe('the engine process on webgpu', () => {
  let project: { id: string };
  let run: RunSummary;

  it('trains a few iterations and records webgpu, with its adapter, in the run config', async () => {
    const info = await engine.engineInfo();
    expect(info.backend).toMatchObject({ candidate: 'webgpu', backend: 'webgpu' });
    expect(info.backend?.adapter?.description).toBeTruthy();
    project = (await engine.request('createProject', {
      name: 'tiny',
      domainA: path.join(tmp, 'a'),
      domainB: path.join(tmp, 'b'),
    })) as { id: string };
    run = (await engine.request('startRun', {
      projectId: project.id,
      settings: { ...tiny, iterations: 3, checkpointEvery: 3 },
    })) as RunSummary;
    await waitFor(() => ['finished', 'failed'].includes(stateOf(run.id)?.state ?? ''), 180_000);
    expect(stateOf(run.id)).toMatchObject({ state: 'finished' });
    const config = configOf(project.id, run.id);
    expect(config.backend).toMatchObject({ candidate: 'webgpu', adapter: info.backend!.adapter! });
    const losses = events.filter((e) => e.type === 'progress' && e.runId === run.id);
    expect(losses.length).toBe(3);
    for (const e of losses) {
      for (const v of Object.values((e as { losses: Record<string, number> }).losses)) {
        expect(Number.isFinite(v)).toBe(true);
      }
    }
  }, 240_000);

  it('translates one image with the trained model', async () => {
    const card = (await engine.request('saveModelFromRun', {
      projectId: project.id,
      runId: run.id,
      name: 'tiny on webgpu',
    })) as ModelCard;
    const job = (await engine.request('startTranslate', {
      modelId: card.id,
      inputs: [path.join(tmp, 'a', '1.png')],
    })) as { jobId: string; outDir: string };
    await waitFor(
      () => jobEvents.some((e) => e.jobId === job.jobId && ['done', 'failed', 'cancelled'].includes(e.type)),
      120_000,
    );
    expect(jobEvents.filter((e) => e.jobId === job.jobId).at(-1)).toMatchObject({ type: 'done', done: 1, total: 1 });
    const out = path.join(job.outDir, '1.png');
    expect(existsSync(out)).toBe(true);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([24, 24]);
  }, 180_000);

  it('a lost device stops the run with its message and the last checkpoint; the next run opens a new device', async () => {
    await idle();
    const lost = (await engine.request('startRun', {
      projectId: project.id,
      settings: { ...tiny, iterations: 100_000, checkpointEvery: 2 },
    })) as RunSummary;
    await waitFor(() => events.filter((e) => e.type === 'progress' && e.runId === lost.id).length >= 3, 180_000);
    expect(await engine.request(INTERNAL_OPS.loseDevice)).toBe(true);
    await waitFor(() => ['failed', 'stopped', 'finished'].includes(stateOf(lost.id)?.state ?? ''), 120_000);
    const end = stateOf(lost.id)!;
    expect(end.state).toBe('failed');
    expect(end.message).toMatch(
      /Training stopped at iteration \d+: the WebGPU device was lost \(.*\)\. Resuming continues from the last checkpoint \(iteration \d+\)/,
    );
    const summary = (await engine.request('getRun', { projectId: project.id, runId: lost.id })) as RunSummary;
    expect(summary.state).toBe('failed');
    expect(summary.checkpoints.length).toBeGreaterThanOrEqual(1);

    // The next run: the engine asks Dawn for a new device (webgpu was asked for by name, so no fallback).
    await idle();
    const next = (await engine.request('startRun', {
      projectId: project.id,
      settings: { ...tiny, iterations: 2, checkpointEvery: 2 },
    })) as RunSummary;
    await waitFor(() => ['finished', 'failed'].includes(stateOf(next.id)?.state ?? ''), 180_000);
    expect(stateOf(next.id)).toMatchObject({ state: 'finished' });
    expect(configOf(project.id, next.id).backend.candidate).toBe('webgpu');
  }, 360_000);

  it('exits when shut down: nothing of Dawn keeps the process alive', async () => {
    const pid = engine.pid!;
    await engine.shutdown('test', 60_000);
    expect(engine.running).toBe(false);
    expect(engine.lastExit?.code).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);
});
