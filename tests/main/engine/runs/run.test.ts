import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunEvent, RunEventSchema, RunSummarySchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import {
  DEFAULT_CHECKPOINT_IO,
  listCheckpoints,
  loadCheckpoint,
  verifyCheckpoint,
} from '../../../../main/engine/runs/checkpoints.js';
import { resumeRun, startRun } from '../../../../main/engine/runs/run.js';
import { readMetrics, readRunConfig } from '../../../../main/engine/runs/run-files.js';
import { decodeState } from '../../../../main/engine/runs/state-codec.js';
import { makeTestData, makeWorkspace, type TestData, TINY_CYCLEGAN, TINY_PIX2PIX } from '../../../support/runs.js';
import { waitFor } from '../../../support/wait.js';

let data: TestData;
beforeAll(async () => {
  // The wasm backend with Duet's training kernels: tiny CycleGAN steps in about a second.
  await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
  data = await makeTestData(3);
});
afterAll(async () => {
  await fs.rm(data.root, { recursive: true, force: true });
});

describe('a training run', () => {
  it('emits state, progress, sample and checkpoint events in order, logs metrics and frees every tensor', async () => {
    const workspace = await makeWorkspace();
    const before = tf.memory().numTensors;
    const run = await startRun({
      workspace,
      projectId: 'p1',
      dataA: data.a,
      dataB: data.b,
      name: 'Events test',
      settings: { ...TINY_CYCLEGAN, iterations: 4, sampleEvery: 2, checkpointEvery: 3, keepCheckpoints: 5 },
    });
    const events: RunEvent[] = [];
    run.on((e) => events.push(e));
    const result = await run.done;
    expect(result).toEqual({ state: 'finished', iteration: 4 });
    for (const e of events) expect(RunEventSchema.safeParse(e).success).toBe(true);

    const kinds = events.map((e) =>
      e.type === 'state'
        ? `state:${e.state}`
        : e.type === 'progress'
          ? `progress:${e.iteration}`
          : `${e.type}:${e.iteration}`,
    );
    expect(kinds).toEqual([
      'state:starting',
      'state:running',
      'progress:1',
      'progress:2',
      'sample:2',
      'progress:3',
      'checkpoint:3',
      'progress:4',
      'sample:4',
      'checkpoint:4',
      'state:finished',
    ]);

    const progress = events.filter((e) => e.type === 'progress');
    for (const p of progress) {
      expect(Object.keys(p.losses).sort()).toEqual([
        'D_A',
        'D_B',
        'G_A',
        'G_B',
        'cycle_A',
        'cycle_B',
        'idt_A',
        'idt_B',
      ]);
      for (const v of Object.values(p.losses)) expect(Number.isFinite(v)).toBe(true);
      expect(p.totalIterations).toBe(4);
      expect(p.lr).toBeGreaterThan(0);
    }
    expect(progress[3]!.itPerSec).toBeGreaterThan(0);
    expect(progress[3]!.etaSeconds).toBe(0);
    expect(progress[1]!.etaSeconds).toBeGreaterThan(0);
    // The schedule is laid over the iterations: the rate decays in the second half.
    expect(progress[3]!.lr).toBeLessThan(progress[0]!.lr);

    // metrics.jsonl holds the same numbers as the events.
    const metrics = await readMetrics(run.dir);
    expect(metrics.map((m) => m.iteration)).toEqual([1, 2, 3, 4]);
    metrics.forEach((m, i) => {
      expect(m.losses).toEqual(progress[i]!.losses);
      expect(m.lr).toBe(progress[i]!.lr);
    });

    // Samples: CycleGAN grids have two rows of three 16 px images.
    const sample = events.find((e) => e.type === 'sample')!;
    const meta = await sharp(path.join(workspace, sample.path)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 16 * 3 + 4, 16 * 2 + 2]);

    // Config snapshot with settings, backend and seed.
    const config = await readRunConfig(run.dir);
    expect(config.seed).toBe(7);
    expect(config.backend.backend).toBe('wasm');
    expect(config.settings).toMatchObject({ generator: 'tiny', size: 16, iterations: 4 });
    expect(path.relative(workspace, run.dir).split(path.sep).slice(0, 3)).toEqual(['projects', 'p1', 'runs']);

    const checkpoints = await listCheckpoints(run.dir);
    expect(checkpoints.map((c) => c.iteration)).toEqual([3, 4]);
    for (const c of checkpoints) await verifyCheckpoint(c.path);

    const summary = await run.summary();
    expect(RunSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({ state: 'finished', iteration: 4, totalIterations: 4, projectId: 'p1' });
    expect(summary.samples.map((s) => s.iteration)).toEqual([2, 4]);

    expect(tf.memory().numTensors).toBe(before);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  for (const [model, rows] of [
    ['cut', 2],
    ['fastcut', 1],
  ] as const) {
    it(`${model}: trains on WebAssembly, logs its NCE losses and samples one direction, freeing every tensor`, async () => {
      const workspace = await makeWorkspace();
      const before = tf.memory().numTensors;
      const run = await startRun({
        workspace,
        projectId: 'p1',
        dataA: data.a,
        dataB: data.b,
        settings: {
          ...TINY_CYCLEGAN,
          model,
          poolSize: 0,
          ncePatches: 16,
          nceMlpUnits: 16,
          iterations: 2,
          sampleEvery: 2,
          checkpointEvery: 2,
        },
      });
      const events: RunEvent[] = [];
      run.on((e) => events.push(e));
      expect(await run.done).toEqual({ state: 'finished', iteration: 2 });
      const progress = events.filter((e) => e.type === 'progress');
      expect(Object.keys(progress[0]!.losses).sort()).toEqual(
        model === 'cut' ? ['D_fake', 'D_real', 'G_GAN', 'NCE', 'NCE_Y'] : ['D_fake', 'D_real', 'G_GAN', 'NCE'],
      );
      for (const p of progress) for (const v of Object.values(p.losses)) expect(Number.isFinite(v)).toBe(true);
      // A → G(A); CUT adds B → G(B) (identity NCE). No reconstructions: there is no B → A generator.
      const sample = events.find((e) => e.type === 'sample')!;
      const meta = await sharp(path.join(workspace, sample.path)).metadata();
      expect([meta.width, meta.height]).toEqual([16 * 2 + 2, 16 * rows + 2 * (rows - 1)]);
      expect(tf.memory().numTensors).toBe(before);
      await fs.rm(workspace, { recursive: true, force: true });
    });
  }

  it('pauses, resumes and stops with a checkpoint; stop frees every tensor', async () => {
    const workspace = await makeWorkspace();
    const before = tf.memory().numTensors;
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, iterations: 1000, sampleEvery: 1000, checkpointEvery: 1000 },
    });
    const events: RunEvent[] = [];
    run.on((e) => events.push(e));
    await new Promise<void>((resolve) => {
      const off = run.on((e) => {
        if (e.type === 'progress' && e.iteration >= 2) {
          off();
          resolve();
        }
      });
    });
    await run.pause();
    expect(run.state).toBe('paused');
    const pausedAt = run.iteration;
    await new Promise((r) => setTimeout(r, 300));
    expect(run.iteration).toBe(pausedAt); // a pause really pauses
    run.resume();
    await new Promise<void>((resolve) => {
      const off = run.on((e) => {
        if (e.type === 'progress' && e.iteration >= pausedAt + 1) {
          off();
          resolve();
        }
      });
    });
    const result = await run.stop();
    expect(result.state).toBe('stopped');
    expect(result.iteration).toBeGreaterThan(pausedAt);
    expect(result.iteration).toBeLessThan(1000);
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states).toEqual(['starting', 'running', 'paused', 'running', 'stopping', 'stopped']);
    const last = events.at(-2)!;
    expect(last).toMatchObject({ type: 'checkpoint', iteration: result.iteration });
    expect((await listCheckpoints(run.dir)).map((c) => c.iteration)).toEqual([result.iteration]);
    // pix2pix losses by the reference's names.
    const progress = events.find((e) => e.type === 'progress')!;
    expect(Object.keys((progress as { losses: object }).losses).sort()).toEqual(['D_fake', 'D_real', 'G_GAN', 'G_L1']);
    expect(tf.memory().numTensors).toBe(before);
    const summary = await run.summary();
    expect(summary.state).toBe('stopped');
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('reports its live state and iteration, and waits for betweenSteps before the next step', async () => {
    const workspace = await makeWorkspace();
    let release: (() => void) | undefined;
    let held = 0;
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, iterations: 1000, sampleEvery: 1000, checkpointEvery: 1000 },
      // Holds the loop after its third step until released (the engine releases it once requests answer).
      betweenSteps: () =>
        ++held === 3
          ? new Promise<void>((r) => {
              release = r;
            })
          : Promise.resolve(),
    });
    // status.json is not written yet: the summary still says what the run is doing.
    expect((await run.summary()).state).toBe('starting');
    await waitFor(() => release !== undefined);
    expect(run.iteration).toBe(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(run.iteration).toBe(3); // held: no step while betweenSteps is pending
    // status.json holds no iteration newer than the start; the summary has the loop's own.
    expect(await run.summary()).toMatchObject({ state: 'running', iteration: 3 });
    release!();
    await waitFor(() => run.iteration > 3);
    expect((await run.stop()).state).toBe('stopped');
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('stop while paused stops at once, with a checkpoint', async () => {
    const workspace = await makeWorkspace();
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, iterations: 1000, checkpointEvery: 1000, sampleEvery: 1000 },
    });
    // The async-iterator view of the events ends when the run ends.
    const seen = (async () => {
      const types: string[] = [];
      for await (const e of run.events()) types.push(e.type === 'state' ? e.state : e.type);
      return types;
    })();
    await run.pause();
    const at = run.iteration;
    const result = await run.stop();
    expect(result).toEqual({ state: 'stopped', iteration: at });
    const types = await seen;
    expect(types.slice(-4)).toEqual(['paused', 'stopping', 'checkpoint', 'stopped']);
    expect((await listCheckpoints(run.dir)).map((c) => c.iteration)).toEqual([at]);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('a full disk fails the run with a clear message and the previous checkpoint survives', async () => {
    const workspace = await makeWorkspace();
    const before = tf.memory().numTensors;
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, iterations: 6, checkpointEvery: 2, sampleEvery: 1000 },
      checkpointIo: {
        async writeFile(file, bytes) {
          if (file.includes('.tmp-00000004-'))
            throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' });
          await DEFAULT_CHECKPOINT_IO.writeFile(file, bytes);
        },
      },
    });
    const states: RunEvent[] = [];
    run.on((e) => {
      if (e.type === 'state') states.push(e);
    });
    const result = await run.done;
    expect(result.state).toBe('failed');
    expect(result.iteration).toBe(4);
    expect(result.error).toMatch(
      /iteration 4.*the disk is full \(ENOSPC\).*previous checkpoint \(iteration 2\) is intact/,
    );
    expect(states.at(-1)).toMatchObject({ state: 'failed', message: result.error });
    expect((await listCheckpoints(run.dir)).map((c) => c.iteration)).toEqual([2]);
    expect(await fs.readdir(path.join(run.dir, 'checkpoints'))).toEqual(['00000002']);
    expect(tf.memory().numTensors).toBe(before);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('refuses bad settings and unusable data before writing anything', async () => {
    const workspace = await makeWorkspace();
    await expect(startRun({ workspace, dataA: data.a, dataB: data.b, settings: { size: 8 } })).rejects.toThrow(
      /size must be at least 16 \(got 8\)/,
    );
    const empty = await fs.mkdtemp(path.join(data.root, 'empty-'));
    await expect(
      startRun({ workspace, dataA: empty, dataB: data.b, settings: { ...TINY_CYCLEGAN, iterations: 2 } }),
    ).rejects.toThrow(/No usable images/);
    expect(await fs.readdir(workspace)).toEqual([]);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('a time budget ends the run once its training seconds are spent, whatever the iteration cap', async () => {
    const workspace = await makeWorkspace();
    // 12 ms of training: spent by the first step or soon after; 1000 iterations never are.
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, minutes: 0.0002, iterations: 1000, sampleEvery: 1000, checkpointEvery: 1000 },
    });
    const events: RunEvent[] = [];
    run.on((e) => events.push(e));
    const result = await run.done;
    expect(result.state).toBe('finished');
    expect(result.iteration).toBeGreaterThanOrEqual(1);
    expect(result.iteration).toBeLessThan(1000);
    const progress = events.filter((e) => e.type === 'progress');
    for (const p of progress) expect(RunEventSchema.parse(p)).toMatchObject({ budgetSeconds: 0.012 });
    expect(progress[0]!.lr).toBe(TINY_PIX2PIX_LR);
    expect(progress.at(-1)!.trainingSeconds).toBeGreaterThanOrEqual(0.012);
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    // The last step leaves a sample and a checkpoint, as a run that reaches its iterations does.
    expect(events.some((e) => e.type === 'sample' && e.iteration === result.iteration)).toBe(true);
    expect((await listCheckpoints(run.dir)).map((c) => c.iteration)).toEqual([result.iteration]);
    expect((await run.summary()).trainingSeconds).toBeGreaterThanOrEqual(progress.at(-1)!.trainingSeconds!);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('paused time does not count against a time budget, and a resumed run keeps what is left of it', async () => {
    const workspace = await makeWorkspace();
    const run = await startRun({
      workspace,
      dataA: data.a,
      dataB: data.b,
      settings: { ...TINY_PIX2PIX, minutes: 1440, sampleEvery: 1000, checkpointEvery: 1000 },
    });
    // Each event with the time it was seen, on the clock the run measures with.
    const seen: { event: RunEvent; at: number }[] = [];
    run.on((event) => seen.push({ event, at: performance.now() }));
    await waitFor(() => run.iteration >= 2);
    await run.pause();
    const pausedAt = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const resumedAt = performance.now();
    run.resume();
    const before = run.iteration;
    await waitFor(() => run.iteration > before);
    const stopped = await run.stop();
    expect(stopped.state).toBe('stopped');

    // Training seconds between the last step before the pause and the first after it are at most the
    // time between the two, less the pause.
    const progress = seen.filter((s) => s.event.type === 'progress') as { event: ProgressEvent; at: number }[];
    const beforePause = progress.filter((p) => p.at <= pausedAt).at(-1)!;
    const afterPause = progress.find((p) => p.at >= resumedAt)!;
    expect(afterPause.event.iteration).toBe(beforePause.event.iteration + 1);
    const counted = afterPause.event.trainingSeconds! - beforePause.event.trainingSeconds!;
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThanOrEqual((afterPause.at - beforePause.at - (resumedAt - pausedAt)) / 1000);
    for (const p of progress) expect(p.event.budgetSeconds).toBe(1440 * 60);

    // The checkpoint keeps the training seconds; the resumed run goes on from them.
    const saved = decodeState((await loadCheckpoint(run.dir)).files).run.trainingSeconds!;
    expect(saved).toBeGreaterThanOrEqual(progress.at(-1)!.event.trainingSeconds!);
    const resumed = await resumeRun(run.dir, { workspace });
    const next = await new Promise<ProgressEvent>((resolve) => {
      const off = resumed.on((e) => {
        if (e.type === 'progress') {
          off();
          resolve(e);
        }
      });
    });
    expect(next.trainingSeconds).toBeGreaterThan(saved);
    expect(next.etaSeconds).toBeLessThan(1440 * 60 - saved);
    expect((await resumed.stop()).state).toBe('stopped');
    await fs.rm(workspace, { recursive: true, force: true });
  });
});

type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;
/** The quick preset's rate is not in the tiny settings: the schema's default applies. */
const TINY_PIX2PIX_LR = 2e-4;
