/**
 * Exact resume on the cpu backend: 2N iterations straight and N + stop + resume + N give the same weights,
 * optimizer moments, pools and RNG (same seed).
 */
import fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { loadCheckpoint } from '../../../../main/engine/runs/checkpoints.js';
import { resumeRun, startRun } from '../../../../main/engine/runs/run.js';
import { readMetrics } from '../../../../main/engine/runs/run-files.js';
import { decodeState } from '../../../../main/engine/runs/state-codec.js';
import { makeTestData, makeWorkspace, type TestData, TINY_CYCLEGAN, TINY_PIX2PIX } from '../../../support/runs.js';

let data: TestData;
let workspace: string;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  data = await makeTestData(3);
  workspace = await makeWorkspace();
});
afterAll(async () => {
  await fs.rm(data.root, { recursive: true, force: true });
  await fs.rm(workspace, { recursive: true, force: true });
});

async function finalState(dir: string, iteration: number) {
  const found = await loadCheckpoint(dir, { iteration });
  return decodeState(found.files);
}

function maxAbsDiff(x: ArrayBuffer, y: ArrayBuffer): number {
  const a = new Float32Array(x);
  const b = new Float32Array(y);
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function straightVersusResumed(settings: Record<string, unknown>, n: number) {
  const common = { workspace, dataA: data.a, dataB: data.b };
  const full = { ...settings, iterations: 2 * n, checkpointEvery: n, sampleEvery: 1000, keepCheckpoints: 5 };
  const straight = await startRun({ ...common, name: 'straight', settings: full });
  expect((await straight.done).state).toBe('finished');

  const before = tf.memory().numTensors;
  const interrupted = await startRun({ ...common, name: 'interrupted', settings: full });
  interrupted.on((e) => {
    if (e.type === 'checkpoint' && e.iteration === n) void interrupted.stop();
  });
  expect(await interrupted.done).toEqual({ state: 'stopped', iteration: n });
  expect(tf.memory().numTensors).toBe(before);

  const resumed = await resumeRun(interrupted.dir, { workspace });
  expect(resumed.iteration).toBe(n);
  expect(await resumed.done).toEqual({ state: 'finished', iteration: 2 * n });
  expect(tf.memory().numTensors).toBe(before);

  const a = await finalState(straight.dir, 2 * n);
  const b = await finalState(interrupted.dir, 2 * n);
  // Every weight, moment and pooled image: within 1e-5 (the computation is the same, so in fact equal).
  expect(b.trainer.tensors).toEqual(a.trainer.tensors);
  expect(maxAbsDiff(a.trainer.data, b.trainer.data)).toBeLessThanOrEqual(1e-5);
  expect(b.trainer.rng).toBe(a.trainer.rng);
  expect(b.trainer.optimizers).toEqual(a.trainer.optimizers);
  expect(b.trainer.pools).toEqual(a.trainer.pools);
  expect(b.trainer.learningRate).toBe(a.trainer.learningRate);
  expect(b.run.position).toEqual(a.run.position);

  // The resumed half logged the same losses and rates, and each iteration exactly once.
  const ma = await readMetrics(straight.dir);
  const mb = await readMetrics(interrupted.dir);
  expect(mb.map((m) => m.iteration)).toEqual(ma.map((m) => m.iteration));
  for (let i = 0; i < ma.length; i++) {
    expect(mb[i]!.lr).toBe(ma[i]!.lr);
    for (const [k, v] of Object.entries(ma[i]!.losses)) expect(mb[i]!.losses[k]).toBeCloseTo(v, 5);
  }
  return { a, b };
}

describe('exact resume (cpu backend)', () => {
  it('pix2pix: batch norm statistics, dropout RNG and data position carry over', async () => {
    const { a } = await straightVersusResumed({ ...TINY_PIX2PIX, batchSize: 2 }, 2);
    expect(a.trainer.kind).toBe('pix2pix');
  });

  it('CycleGAN: image pools and their RNG carry over', async () => {
    // A pool of one: after the resume it is full, so the restored RNG decides every swap.
    const { a } = await straightVersusResumed({ ...TINY_CYCLEGAN, poolSize: 1 }, 1);
    expect(a.trainer.pools.fakeA?.count).toBe(1);
  });
});
