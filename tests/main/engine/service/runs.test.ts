/**
 * Training from a project whose data is one folder holding both domains (trainA/ trainB/, or A|B
 * side-by-side images): the run gets the project's folder as `duet train --a DIR` does, and trains on
 * both domains from it. A plain one-domain folder is refused with the scan's own reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuetError, RunEvent, RunSummary } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';
import { runDir } from '../../../../main/engine/runs/layout.js';

let tmp: string;
let workspace: string;
let engine: InProcessEngine;
const events: RunEvent[] = [];

async function png(file: string, width: number, height: number, shade: number): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: shade, g: 60, b: 120 } } })
    .png()
    .toFile(file);
}

function waitFor(pred: () => boolean, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

const tiny = {
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  loadSize: 16,
  poolSize: 2,
  iterations: 3,
  checkpointEvery: 3,
  sampleEvery: 100,
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-service-runs-'));
  workspace = path.join(tmp, 'ws');
  for (let i = 0; i < 3; i++) {
    await png(path.join(tmp, 'reference', 'trainA', `${i}.png`), 20, 20, 30 * i);
    await png(path.join(tmp, 'reference', 'trainB', `${i}.png`), 20, 20, 250 - 30 * i);
    await png(path.join(tmp, 'sideBySide', `${i}.png`), 40, 20, 60 * i);
    await png(path.join(tmp, 'plain', `${i}.png`), 20, 20, 10 * i);
  }
  await png(path.join(tmp, 'reference', 'testA', 't.png'), 20, 20, 5);
  await png(path.join(tmp, 'reference', 'testB', 't.png'), 20, 20, 5);
  const backend = await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  engine = new InProcessEngine(workspace, backend);
  engine.onEvent((kind, payload) => {
    if (kind === 'run') events.push(payload as RunEvent);
  });
}, 60_000);

afterAll(async () => {
  await engine?.shutdown('test done');
  rmSync(tmp, { recursive: true, force: true });
});

async function trainOn(folder: string, model: 'cyclegan' | 'pix2pix') {
  const project = (await engine.request('createProject', { name: folder, domainA: path.join(tmp, folder), model })) as {
    id: string;
    domainB: string | null;
  };
  expect(project.domainB).toBeNull();
  const run = (await engine.request('startRun', { projectId: project.id, settings: tiny })) as RunSummary;
  await waitFor(() => events.some((e) => e.type === 'state' && e.runId === run.id && e.state === 'finished'));
  // The run has let go of the engine (one run trains at a time).
  await waitFor(() => engine.service.activeRuns().length === 0);
  const config = JSON.parse(readFileSync(path.join(runDir(workspace, project.id, run.id), 'config.json'), 'utf8'));
  return config as { data: { a: string; b: string | null }; dataset: { sampling: string; samplesPerEpoch: number } };
}

describe('training a one-folder project', () => {
  it('trainA/ trainB/: the run reads both domains from the project folder (the test split stays out)', async () => {
    const config = await trainOn('reference', 'pix2pix');
    expect(config.data).toEqual({ a: path.join(tmp, 'reference'), b: null });
    expect(config.dataset).toMatchObject({ sampling: 'paired', samplesPerEpoch: 3 });
  }, 120_000);

  it('A|B side-by-side images: each image gives both domains', async () => {
    const config = await trainOn('sideBySide', 'pix2pix');
    expect(config.data).toEqual({ a: path.join(tmp, 'sideBySide'), b: null });
    expect(config.dataset).toMatchObject({ sampling: 'paired', samplesPerEpoch: 3 });
  }, 120_000);

  it('one plain folder is one domain: refused with the reason, nothing started', async () => {
    const project = (await engine.request('createProject', { name: 'plain', domainA: path.join(tmp, 'plain') })) as {
      id: string;
    };
    const err = await engine.request('startRun', { projectId: project.id, settings: tiny }).then(
      () => null,
      (e: DuetError) => e,
    );
    expect(err).toMatchObject({ code: 'invalid-request' });
    expect(err?.message).toMatch(/only one domain|Training needs two domains/);
    expect(await engine.request('listRuns', { projectId: project.id })).toEqual([]);
  }, 60_000);
});

describe('training named folders (the command line’s way)', () => {
  it('makes the project from the folders, trains on them, and finds the run as a user names it', async () => {
    const run = (await engine.request('startRun', {
      data: { a: path.join(tmp, 'reference', 'trainA'), b: path.join(tmp, 'reference', 'trainB') },
      settings: { ...tiny, model: 'pix2pix' },
      name: 'named',
    })) as RunSummary;
    // The project takes its id from the folders' common parent, as `duet train --a --b` always did.
    expect(run.projectId).toBe('reference');
    await waitFor(() => events.some((e) => e.type === 'state' && e.runId === run.id && e.state === 'finished'));
    const ended = events.find((e) => e.type === 'state' && e.runId === run.id && e.state === 'finished');
    expect(ended).toMatchObject({ iteration: 3 });
    await waitFor(() => engine.service.activeRuns().length === 0);
    const project = (await engine.request('openProject', { projectId: 'reference' })) as {
      project: { domainA: string; domainB: string };
    };
    expect(project.project).toMatchObject({ domainA: path.join(tmp, 'reference', 'trainA') });
    for (const ref of [run.id, `reference/${run.id}`, runDir(workspace, 'reference', run.id)]) {
      expect(await engine.request('findRun', { ref }), ref).toMatchObject({ id: run.id, iteration: 3 });
    }
    expect(await engine.request('findRun', { ref: 'nope' }).catch((e: DuetError) => e)).toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/^No run "nope"/),
    });
    expect(await engine.request('startRun', { settings: tiny }).catch((e: DuetError) => e)).toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/projectId: Name the project to train/),
    });
  }, 120_000);
});

describe('a project’s saved length and the one chosen at the start', () => {
  // The project saves one length; the Train screen sends only the length the user picked (never the
  // project's settings). The run trains for the one picked, not for whichever of the two ends first.
  async function startOn(saved: Record<string, unknown>, chosen: Record<string, unknown>) {
    const project = (await engine.request('createProject', {
      name: `length ${Object.keys(saved).join(' ')} ${Object.keys(chosen).join(' ')}`,
      domainA: path.join(tmp, 'reference'),
      model: 'pix2pix',
      settings: { ...tiny, iterations: undefined, ...saved },
    })) as { id: string; settings: Record<string, unknown> };
    const run = (await engine.request('startRun', { projectId: project.id, settings: chosen })) as RunSummary;
    await waitFor(() => events.some((e) => e.type === 'state' && e.runId === run.id && e.state === 'finished'));
    await waitFor(() => engine.service.activeRuns().length === 0);
    const after = (await engine.request('openProject', { projectId: project.id })) as {
      project: { settings: Record<string, unknown> };
    };
    return { settings: run.settings, saved: after.project.settings };
  }

  it('saved iterations, a time chosen: the run trains for the time only; the project keeps its iterations', async () => {
    const { settings, saved } = await startOn({ iterations: 3 }, { minutes: 0.005 });
    expect(settings.minutes).toBe(0.005);
    expect(settings.iterations).toBeUndefined();
    expect(saved).toMatchObject({ iterations: 3 });
    expect(saved.minutes).toBeUndefined();
  }, 120_000);

  it('saved minutes, iterations chosen: the run trains for the iterations only', async () => {
    const { settings, saved } = await startOn({ minutes: 5 }, { iterations: 2 });
    expect(settings.iterations).toBe(2);
    expect(settings.minutes).toBeUndefined();
    expect(saved).toMatchObject({ minutes: 5 });
  }, 120_000);

  it('saved iterations, the epoch schedule chosen: the run follows the epochs', async () => {
    const { settings } = await startOn({ iterations: 2 }, { epochs: 1, epochsDecay: 0 });
    expect(settings).toMatchObject({ epochs: 1, epochsDecay: 0 });
    expect(settings.iterations).toBeUndefined();
  }, 120_000);

  it('folders named (`duet train --project ID --a DIR --minutes N`): the project’s saved length is not read', async () => {
    const project = (await engine.request('createProject', {
      name: 'length cli',
      domainA: path.join(tmp, 'reference'),
      model: 'pix2pix',
      settings: { ...tiny, iterations: 3 },
    })) as { id: string };
    const run = (await engine.request('startRun', {
      projectId: project.id,
      data: { a: path.join(tmp, 'reference'), b: null },
      settings: { ...tiny, iterations: undefined, model: 'pix2pix', minutes: 0.005 },
    })) as RunSummary;
    await waitFor(() => events.some((e) => e.type === 'state' && e.runId === run.id && e.state === 'finished'));
    await waitFor(() => engine.service.activeRuns().length === 0);
    expect([run.settings.minutes, run.settings.iterations]).toEqual([0.005, undefined]);
  }, 120_000);

  it('no length chosen: the project’s saved length is the run’s', async () => {
    const { settings } = await startOn({ iterations: 2 }, {});
    expect(settings.iterations).toBe(2);
    expect(settings.minutes).toBeUndefined();
  }, 120_000);
});
