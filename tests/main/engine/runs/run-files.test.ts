import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDir, runPaths } from '../../../../main/engine/runs/layout.js';
import {
  acquireRunLock,
  defaultProjectId,
  findRunDir,
  isRunLocked,
  type MetricsLine,
  MetricsWriter,
  parseMetrics,
  RunBusyError,
  readMetrics,
  readRunConfig,
  truncateMetrics,
} from '../../../../main/engine/runs/run-files.js';

let ws: string;
beforeEach(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-runfiles-'));
});
afterEach(async () => {
  await fs.rm(ws, { recursive: true, force: true });
});

const line = (iteration: number): MetricsLine => ({
  iteration,
  epoch: 0,
  losses: { G_A: iteration / 10 },
  lr: 2e-4,
  itPerSec: 1,
  etaSeconds: null,
  time: '2026-11-23T00:00:00.000Z',
});

describe('metrics.jsonl', () => {
  it('skips a line torn by a crash, and truncates to a checkpoint', async () => {
    const root = path.join(ws, 'run');
    await fs.mkdir(root);
    const text = `${[1, 2, 3].map((i) => JSON.stringify(line(i))).join('\n')}\n{"iteration":4,"los`;
    expect(parseMetrics(text).map((r) => r.iteration)).toEqual([1, 2, 3]);
    await fs.writeFile(runPaths(root).metrics, text);
    await truncateMetrics(root, 2);
    expect((await readMetrics(root)).map((r) => r.iteration)).toEqual([1, 2]);
    expect((await readMetrics(root, 1)).map((r) => r.iteration)).toEqual([2]);
    expect(await readMetrics(path.join(ws, 'none'))).toEqual([]);
  });

  it('the writer batches lines and loses none on close', async () => {
    const file = path.join(ws, 'm.jsonl');
    const w = new MetricsWriter(file, 60_000);
    await w.open();
    await w.add(line(1), 60_000); // a minute since the last flush: written now
    await w.add(line(2), 60_010); // held back
    expect(parseMetrics(await fs.readFile(file, 'utf8')).map((r) => r.iteration)).toEqual([1]);
    await w.add(line(3), 60_020);
    await w.close();
    expect(parseMetrics(await fs.readFile(file, 'utf8')).map((r) => r.iteration)).toEqual([1, 2, 3]);
  });
});

describe('run lock', () => {
  it('one holder at a time; a dead holder is taken over', async () => {
    const root = path.join(ws, 'run');
    await fs.mkdir(root);
    const release = await acquireRunLock(root);
    expect(await isRunLocked(root)).toBe(true);
    await expect(acquireRunLock(root)).rejects.toThrow(RunBusyError);
    await release();
    expect(await isRunLocked(root)).toBe(false);
    // A lock left by a process that no longer exists.
    await fs.writeFile(runPaths(root).lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    expect(await isRunLocked(root)).toBe(false);
    const again = await acquireRunLock(root);
    await again();
  });

  it('a live process holding the lock is named', async () => {
    const root = path.join(ws, 'run');
    await fs.mkdir(root);
    await fs.writeFile(runPaths(root).lock, JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    await expect(acquireRunLock(root)).rejects.toThrow(new RegExp(`already training in process ${process.ppid}`));
  });
});

describe('finding runs', () => {
  it('by folder, id, suffix or project/run; ambiguity and absence explained', async () => {
    const r1 = runDir(ws, 'maps', '20261123-100000-quick');
    const r2 = runDir(ws, 'facades', '20261123-110000-quick');
    for (const r of [r1, r2]) {
      await fs.mkdir(r, { recursive: true });
      await fs.writeFile(runPaths(r).config, '{}');
    }
    expect(await findRunDir(ws, r1)).toBe(r1);
    expect(await findRunDir(ws, '20261123-100000-quick')).toBe(r1);
    expect(await findRunDir(ws, 'facades/20261123-110000-quick')).toBe(r2);
    await expect(findRunDir(ws, 'quick')).rejects.toThrow(/matches several runs/);
    await expect(findRunDir(ws, 'nope')).rejects.toThrow(/No run "nope"/);
    await expect(readRunConfig(r1)).rejects.toThrow(/config.json is not valid/);
    await expect(readRunConfig(ws)).rejects.toThrow(/is not a Duet run/);
  });

  it('names a project after the data folders', () => {
    expect(defaultProjectId('/data/maps/trainA', '/data/maps/trainB')).toBe('maps');
    expect(defaultProjectId('/data/Horses', '/other/Zebras')).toBe('horses');
    expect(defaultProjectId('/data/facades/train')).toBe('facades');
    expect(defaultProjectId('/data/My Photos')).toBe('my-photos');
  });
});
