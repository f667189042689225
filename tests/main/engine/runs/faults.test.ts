/**
 * Crash tests: a training process is SIGKILLed while it trains and while it writes a checkpoint; the run
 * resumes from the last complete checkpoint and nothing in the workspace is corrupt.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunEventSchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { listCheckpoints, verifyCheckpoint } from '../../../../main/engine/runs/checkpoints.js';
import { isTempCheckpointName } from '../../../../main/engine/runs/layout.js';
import { resumeRun } from '../../../../main/engine/runs/run.js';
import { readMetrics, readRunConfig, readRunSummary } from '../../../../main/engine/runs/run-files.js';
import { makeTestData, makeWorkspace, type TestData, TINY_CYCLEGAN, TINY_PIX2PIX } from '../../../support/runs.js';

const CHILD = path.join(import.meta.dirname, '../../../support/fault-child.ts');

let data: TestData;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
  data = await makeTestData(3);
});
afterAll(async () => {
  await fs.rm(data.root, { recursive: true, force: true });
});

interface Line {
  type: string;
  iteration?: number;
  dir?: string;
  state?: string;
}

/** Start the child and SIGKILL it as soon as `killWhen` matches one of its lines. */
function runChildUntil(args: string[], env: Record<string, string>, killWhen: (l: Line) => boolean) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    if (!text.startsWith('{')) return;
    const line = JSON.parse(text) as Line;
    lines.push(line);
    if (killWhen(line)) child.kill('SIGKILL');
  });
  return new Promise<{ lines: Line[]; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code} before it was killed:\n${stderr}`));
      else resolve({ lines, signal });
    });
  });
}

/** Everything a run folder holds must parse and verify. */
async function expectSoundWorkspace(dir: string, iterations: number) {
  const config = await readRunConfig(dir);
  expect(config.totalIterations).toBe(iterations);
  const entries = await fs.readdir(path.join(dir, 'checkpoints'));
  expect(entries.filter(isTempCheckpointName)).toEqual([]);
  for (const c of await listCheckpoints(dir)) await verifyCheckpoint(c.path);
  const metrics = await readMetrics(dir);
  expect(metrics.map((m) => m.iteration)).toEqual(Array.from({ length: iterations }, (_, i) => i + 1));
  const text = await fs.readFile(path.join(dir, 'metrics.jsonl'), 'utf8');
  for (const line of text.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  for (const name of await fs.readdir(path.join(dir, 'samples'))) {
    expect(name).toMatch(/^\d{8}\.png$/);
    expect((await sharp(path.join(dir, 'samples', name)).metadata()).format).toBe('png');
  }
  expect(await fs.readdir(dir)).not.toContain('run.lock');
}

describe('crash safety', () => {
  it('SIGKILL while training: resumes from the last checkpoint, nothing corrupt', async () => {
    const workspace = await makeWorkspace();
    const settings = { ...TINY_CYCLEGAN, iterations: 5, checkpointEvery: 2, sampleEvery: 1 };
    const { lines } = await runChildUntil(
      ['start', workspace, data.a, data.b, JSON.stringify(settings)],
      {},
      (l) => l.type === 'progress' && l.iteration === 3,
    );
    const dir = lines.find((l) => l.type === 'started')!.dir!;
    for (const l of lines.filter((x) => x.type !== 'started')) expect(RunEventSchema.safeParse(l).success).toBe(true);

    // Killed mid-run: the listing says it was interrupted; the checkpoint at 2 is what survives.
    expect((await readRunSummary(dir)).state).toBe('failed');
    expect((await listCheckpoints(dir)).map((c) => c.iteration)).toEqual([2]);

    const before = tf.memory().numTensors;
    const run = await resumeRun(dir, { workspace });
    expect(run.iteration).toBe(2);
    expect(await run.done).toEqual({ state: 'finished', iteration: 5 });
    expect(tf.memory().numTensors).toBe(before);
    await expectSoundWorkspace(dir, 5);
    expect((await listCheckpoints(dir)).map((c) => c.iteration)).toEqual([2, 4, 5]);
    await fs.rm(workspace, { recursive: true, force: true });
  });

  it('SIGKILL while writing a checkpoint: the half-written one is never loaded and is cleaned up', async () => {
    const workspace = await makeWorkspace();
    const settings = { ...TINY_PIX2PIX, iterations: 6, checkpointEvery: 2, sampleEvery: 3 };
    const { lines } = await runChildUntil(
      ['start', workspace, data.a, data.b, JSON.stringify(settings)],
      { DUET_FAULT_HANG_CHECKPOINT: '4' },
      (l) => l.type === 'writing-checkpoint',
    );
    const dir = lines.find((l) => l.type === 'started')!.dir!;
    expect(lines.filter((l) => l.type === 'checkpoint').map((l) => l.iteration)).toEqual([2]);
    const leftovers = (await fs.readdir(path.join(dir, 'checkpoints'))).filter(isTempCheckpointName);
    expect(leftovers).toHaveLength(1); // the write that was cut short
    expect((await listCheckpoints(dir)).map((c) => c.iteration)).toEqual([2]);

    const run = await resumeRun(dir, { workspace });
    expect(run.iteration).toBe(2);
    expect(await run.done).toEqual({ state: 'finished', iteration: 6 });
    await expectSoundWorkspace(dir, 6);
    await fs.rm(workspace, { recursive: true, force: true });
  });
});
