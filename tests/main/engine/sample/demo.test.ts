import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';
import { listCheckpoints } from '../../../../main/engine/runs/checkpoints.js';
import { readMetrics } from '../../../../main/engine/runs/run-files.js';
import { DEMO_MARKER, isDemoCancelled, runDemo } from '../../../../main/engine/sample/demo.js';

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'duet-demo-'));
  temps.push(d);
  return d;
}
// Training convolutions on the plain cpu backend takes minutes a step: these tests need wasm's kernels.
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
});
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

// Small enough for a shared CPU: 32 px crops of 36 px tiles, a couple of iterations.
const small = {
  settings: { size: 32, loadSize: 36 },
  count: 4,
  testCount: 2,
  maxIterations: 2,
  minutes: 5,
  backend: 'wasm',
};

/** The runs the window lists for a project, asked the way the window asks. */
async function listedRuns(workspace: string, projectId: string) {
  const engine = new InProcessEngine(workspace);
  try {
    return (await engine.request('listRuns', { projectId })) as RunSummary[];
  } finally {
    await engine.shutdown();
  }
}

describe('runDemo', () => {
  it('generates, trains a run the window lists, translates, scores and writes the report, leaking no tensors', async () => {
    const outDir = path.join(await tempDir(), 'demo');
    const workspace = await tempDir();
    const before = tf.memory().numTensors;
    const stages: string[] = [];
    const result = await runDemo({
      ...small,
      outDir,
      workspace,
      l1Baseline: true,
      onEvent: (e) => {
        if (e.type === 'stage') stages.push(e.stage);
      },
    });
    expect(stages).toEqual(['backend', 'sample', 'train', 'translate', 'l1-baseline', 'report']);
    expect(result.iterations).toBe(2);
    expect(result.metrics.map((m) => m.name)).toEqual(['pix2pix (this run)', 'L1 only, no GAN', 'most common colour']);
    for (const m of result.metrics) {
      expect(m.count).toBe(2);
      expect(m.pixelAccuracy).toBeGreaterThanOrEqual(0);
      expect(m.pixelAccuracy).toBeLessThanOrEqual(1);
      expect(m.rmse).toBeGreaterThan(0);
    }
    expect((await readdir(outDir)).sort()).toEqual([
      DEMO_MARKER,
      'metrics.json',
      'report',
      'sample',
      'translated',
      'translated-l1',
    ]);
    expect((await readdir(path.join(outDir, 'translated'))).sort()).toEqual(['0001.png', '0002.png']);
    // A normal run: listed as the window lists runs, with its metrics and a checkpoint at its last iteration.
    const runs = await listedRuns(workspace, result.run.projectId);
    expect(runs.map((r) => [r.id, r.state, r.iteration])).toEqual([[result.run.runId, 'finished', 2]]);
    expect(runs[0]!.settings).toMatchObject({ preset: 'quick', minutes: 5, iterations: 2, model: 'pix2pix' });
    expect((await readMetrics(result.run.dir)).map((m) => m.iteration)).toEqual([1, 2]);
    expect((await listCheckpoints(result.run.dir)).map((c) => c.iteration)).toEqual([2]);
    const html = await readFile(result.reportPath, 'utf8');
    expect(html).toContain(result.backend.split(' ')[0]!);
    expect(html).toContain('most common colour');
    expect(html).toContain('falling linearly to 1% of it over the last 50% of the budget');
    expect(html).toContain(result.run.runId);
    expect(html).toContain('aria-label="G_L1 loss"');
    expect(tf.memory().numTensors).toBe(before);
    const saved = JSON.parse(await readFile(path.join(outDir, 'metrics.json'), 'utf8'));
    expect(saved.metrics).toHaveLength(3);
    // The breakdown covers every held-out pixel, and weighted by share it is the model's pixel accuracy.
    expect(result.byColour.reduce((s, r) => s + r.share, 0)).toBeCloseTo(1, 10);
    const weighted = result.byColour.reduce((s, r) => s + r.share * r.pixelAccuracy, 0);
    expect(weighted).toBeCloseTo(result.metrics[0]!.pixelAccuracy, 10);
    expect(result.byColour.map((r) => r.name)).not.toContain('other');
    expect(html).toContain('Where it is right, by map colour');
    expect(saved.byColour).toEqual(result.byColour);
  }, 240_000);

  it('runs CycleGAN too, and may run again into its own earlier output, a second run in its project', async () => {
    const outDir = await tempDir();
    const workspace = await tempDir();
    const first = await runDemo({ ...small, outDir, workspace, maxIterations: 1 });
    const again = await runDemo({ ...small, outDir, workspace, maxIterations: 1 });
    expect(again.run.projectId).toBe(first.run.projectId);
    expect((await listedRuns(workspace, first.run.projectId)).map((r) => r.id).sort()).toEqual(
      [first.run.runId, again.run.runId].sort(),
    );
    const result = await runDemo({ ...small, outDir, workspace, model: 'cyclegan', maxIterations: 1 });
    expect(result.metrics[0]!.name).toBe('cyclegan (this run)');
    expect(result.settings.model).toBe('cyclegan');
    expect(result.run.projectId).not.toBe(first.run.projectId);
  }, 240_000);

  it('refuses a folder with other files, bad budgets and unknown models', async () => {
    const outDir = await tempDir();
    await writeFile(path.join(outDir, 'notes.txt'), 'mine');
    const workspace = await tempDir();
    await expect(runDemo({ ...small, outDir, workspace })).rejects.toThrow(/not empty and is not an earlier Duet demo/);
    expect(await readdir(outDir)).toEqual(['notes.txt']);
    // A marker file of the right name but not written by the demo: nothing is removed.
    const fake = await tempDir();
    await writeFile(path.join(fake, DEMO_MARKER), JSON.stringify({ kind: 'something-else' }));
    await writeFile(path.join(fake, 'report'), 'mine');
    await expect(runDemo({ ...small, outDir: fake, workspace })).rejects.toThrow(/is not a Duet demo marker/);
    expect((await readdir(fake)).sort()).toEqual([DEMO_MARKER, 'report']);
    await expect(runDemo({ ...small, outDir: await tempDir(), workspace, minutes: 0 })).rejects.toThrow(
      /--minutes must be/,
    );
    await expect(
      runDemo({ ...small, outDir: await tempDir(), workspace, model: 'unet' as unknown as 'pix2pix' }),
    ).rejects.toThrow(/Unknown model "unet". Choose cyclegan, pix2pix, cut, fastcut/);
    expect(await readdir(workspace)).toEqual([]);
  });

  it('a cancel stops the run with a checkpoint, as the window’s Stop does', async () => {
    const controller = new AbortController();
    const workspace = await tempDir();
    const before = tf.memory().numTensors;
    const run = runDemo({
      ...small,
      maxIterations: undefined,
      outDir: await tempDir(),
      workspace,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.stage === 'train') controller.abort();
      },
    });
    const err = await run.catch((e: unknown) => e);
    expect(isDemoCancelled(err)).toBe(true);
    if (!isDemoCancelled(err)) return;
    const runs = await listedRuns(workspace, err.run!.projectId);
    expect(runs.map((r) => r.state)).toEqual(['stopped']);
    const stoppedAt = runs[0]!.iteration;
    expect(stoppedAt).toBeGreaterThanOrEqual(1);
    expect((await listCheckpoints(err.run!.dir)).map((c) => c.iteration)).toEqual([stoppedAt]);
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});
