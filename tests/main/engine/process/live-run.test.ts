/**
 * A training run as the window sees it through the engine: the summaries of a live run agree with the
 * run, and the window's requests are answered between two steps, not one file read per step.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunSummary } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';
import { waitFor } from '../../../support/wait.js';

let tmp: string;
let engine: InProcessEngine;
const events: RunEvent[] = [];
const steps = () => events.filter((e) => e.type === 'progress').length;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-live-run-'));
  for (const [dir, shade] of [
    ['a', 40],
    ['b', 200],
  ] as const) {
    mkdirSync(path.join(tmp, dir));
    for (let i = 0; i < 3; i++) {
      await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: shade, g: 30 * i, b: 90 } } })
        .png()
        .toFile(path.join(tmp, dir, `f${i}.png`));
    }
  }
  const backend = await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  engine = new InProcessEngine(path.join(tmp, 'ws'), backend);
  engine.onEvent((kind, payload) => {
    if (kind === 'run') events.push(payload as RunEvent);
  });
}, 60_000);

afterAll(async () => {
  await engine?.shutdown('test done');
  rmSync(tmp, { recursive: true, force: true });
});

describe('a live run seen through the engine', () => {
  it('reports its live state in every summary and answers requests between steps', async () => {
    const project = (await engine.request('createProject', {
      name: 'Live',
      domainA: path.join(tmp, 'a'),
      domainB: path.join(tmp, 'b'),
      model: 'pix2pix',
    })) as { id: string };
    const started = (await engine.request('startRun', {
      projectId: project.id,
      settings: {
        model: 'pix2pix',
        generator: 'tiny',
        discriminator: 'tiny',
        ngf: 4,
        ndf: 4,
        size: 16,
        loadSize: 18,
        iterations: 5000,
        sampleEvery: 5000,
        checkpointEvery: 3,
      },
    })) as RunSummary;
    // Before the loop has written status.json: the run is starting, not 'stopped'.
    expect(started.state).toBe('starting');
    const ref = { projectId: project.id, runId: started.id };
    await waitFor(() => steps() >= 4);

    // Several requests at once, as the window sends them after a reload.
    const before = steps();
    const order: string[] = [];
    const asked = Promise.all([
      engine.request('openProject', { projectId: project.id }),
      engine.request('listRuns', { projectId: project.id }),
      engine.request('getRun', ref),
      engine.request('getRunMetrics', ref),
    ]).then((answers) => {
      order.push('answered');
      return answers as [{ runs: RunSummary[] }, RunSummary[], RunSummary, { rows: unknown[] }];
    });
    // What the loop awaits between steps: it is told only once all of them have answered.
    const settled = engine.service.requestsSettled(30_000).then(() => order.push('settled'));
    const [opened, list, run, metrics] = await asked;
    expect(run.state).toBe('running');
    expect(list.find((r) => r.id === started.id)?.state).toBe('running');
    expect(opened.runs.find((r) => r.id === started.id)?.state).toBe('running');
    expect(run.iteration).toBeGreaterThanOrEqual(before);
    expect(metrics.rows.length).toBeGreaterThan(0);
    await settled;
    expect(order).toEqual(['answered', 'settled']);

    const paused = (await engine.request('pauseRun', ref)) as RunSummary;
    expect(paused.state).toBe('paused');
    // The answer is the run's state after the resume, not the 'paused' that status.json still says.
    const resumed = (await engine.request('resumeRun', ref)) as RunSummary;
    expect(resumed.state).toBe('running');
    const stopped = (await engine.request('stopRun', ref)) as RunSummary;
    expect(stopped.state).toBe('stopped');
    expect(((await engine.request('getRun', ref)) as RunSummary).state).toBe('stopped');
  }, 120_000);
});
