import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport, JobEvent, ModelCard, RunEvent, RunSummary } from '#contract';
import { EngineClient, nodeEngineLauncher } from '../../../../main/engine/process/client.js';
import { waitFor } from '../../../support/wait.js';

let tmp: string;
let engine: EngineClient;
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

const progressCount = () => events.filter((e) => e.type === 'progress').length;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-engine-runs-'));
  await images(path.join(tmp, 'a'), 3, 30);
  await images(path.join(tmp, 'b'), 3, 220);
  engine = new EngineClient({
    launcher: nodeEngineLauncher(),
    workspace: path.join(tmp, 'ws'),
    backend: 'cpu',
    autoRestart: false,
  });
  engine.onEvent((kind, payload) => {
    if (kind === 'run') events.push(payload as RunEvent);
    else jobEvents.push(payload as JobEvent);
  });
}, 120_000);

afterAll(async () => {
  await engine?.shutdown('test done', 60_000);
  rmSync(tmp, { recursive: true, force: true });
});

const tiny = {
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  loadSize: 16,
  poolSize: 2,
  iterations: 100_000,
  checkpointEvery: 100_000,
  sampleEvery: 100_000,
};

describe('training through the engine process', () => {
  let project: { id: string };
  let run: RunSummary;

  it('starts a run and streams its events to the parent', async () => {
    project = (await engine.request('createProject', {
      name: 'tiny',
      domainA: path.join(tmp, 'a'),
      domainB: path.join(tmp, 'b'),
    })) as { id: string };
    run = (await engine.request('startRun', { projectId: project.id, preset: 'quick', settings: tiny })) as RunSummary;
    expect(run.projectId).toBe(project.id);
    await waitFor(() => progressCount() >= 2, 120_000);
    const progress = events.find((e) => e.type === 'progress');
    expect(progress).toMatchObject({ runId: run.id, totalIterations: 100_000 });
    expect(Object.keys((progress as { losses: object }).losses).length).toBeGreaterThan(0);
    await expect(engine.request('startRun', { projectId: project.id, settings: tiny })).rejects.toMatchObject({
      message: expect.stringMatching(/one run trains at a time/),
    });
  }, 180_000);

  it('shutting the engine down (quit) stops the run with a checkpoint', async () => {
    await engine.shutdown('quit', 120_000);
    expect(engine.running).toBe(false);
    const states = events.filter((e) => e.type === 'state').map((e) => (e as { state: string }).state);
    expect(states).toContain('stopped');
    const after = (await engine.request('getRun', { projectId: project.id, runId: run.id })) as RunSummary;
    expect(after.state).toBe('stopped');
    expect(after.checkpoints.length).toBe(1);
    expect(after.checkpoints[0]?.iteration).toBeGreaterThanOrEqual(2);
    run = after;
  }, 180_000);

  it('resumes from that checkpoint in a new engine process, then stops', async () => {
    events.length = 0;
    const from = run.checkpoints[0]?.iteration ?? 0;
    const resumed = (await engine.request('resumeRunFrom', { projectId: project.id, runId: run.id })) as RunSummary;
    expect(resumed.id).toBe(run.id);
    await waitFor(() => progressCount() >= 1, 120_000);
    const first = events.find((e) => e.type === 'progress') as { iteration: number };
    expect(first.iteration).toBe(from + 1);
    const stopped = (await engine.request('stopRun', { projectId: project.id, runId: run.id })) as RunSummary;
    expect(stopped.state).toBe('stopped');
    const metrics = (await engine.request('getRunMetrics', { projectId: project.id, runId: run.id })) as {
      rows: Array<{ iteration: number }>;
    };
    expect(metrics.rows.map((r) => r.iteration)).toEqual(Array.from({ length: metrics.rows.length }, (_, i) => i + 1));
  }, 180_000);

  it('saves the run as a model, translates a folder with it as a job, exports and evaluates it', async () => {
    const card = (await engine.request('saveModelFromRun', {
      projectId: project.id,
      runId: run.id,
      name: 'tiny model',
    })) as ModelCard;
    expect(card.name).toBe('tiny model');
    expect(((await engine.request('listModels')) as ModelCard[]).map((m) => m.id)).toEqual([card.id]);
    expect(await engine.request('getModelLibrary')).toMatchObject({ models: [{ id: card.id }], problems: [] });
    expect(await engine.request('getModel', { modelId: card.id })).toMatchObject({
      card: { id: card.id },
      directions: ['AtoB', 'BtoA'],
    });

    const job = (await engine.request('startTranslate', {
      modelId: card.id,
      inputs: [path.join(tmp, 'a')],
      memoryMB: 64,
    })) as { jobId: string; outDir: string; model: unknown };
    expect(job.outDir).toBe(path.join(tmp, 'ws', 'translations', job.jobId));
    // The default output folder says which model translated which way.
    expect(job.jobId.startsWith(`${card.id}-AtoB-`)).toBe(true);
    expect(job.model).toEqual({ id: card.id, source: 'library', iterations: card.iterations });
    await waitFor(() =>
      jobEvents.some((e) => e.jobId === job.jobId && ['done', 'failed', 'cancelled'].includes(e.type)),
    );
    const last = jobEvents.filter((e) => e.jobId === job.jobId).at(-1);
    expect(last).toMatchObject({ type: 'done', done: 3, total: 3, report: { jobId: job.jobId, cancelled: false } });
    expect(last?.report?.translated.map((t) => path.basename(t.output)).sort()).toEqual(['0.png', '1.png', '2.png']);
    const { readdirSync, existsSync } = await import('node:fs');
    expect(readdirSync(job.outDir).sort()).toEqual(['0.png', '1.png', '2.png']);
    // The user's folder is read only.
    expect(readdirSync(path.join(tmp, 'a')).sort()).toEqual(['0.png', '1.png', '2.png']);

    const exported = (await engine.request('exportModel', { modelId: card.id })) as { path: string };
    expect(exported.path).toBe(path.join(tmp, 'ws', 'exports', `${card.id}.duetmodel`));
    expect(existsSync(exported.path)).toBe(true);

    const report = (await engine.request('evalModel', {
      modelId: card.id,
      a: path.join(tmp, 'a'),
      b: path.join(tmp, 'b'),
      direction: 'AtoB',
      jobId: 'eval-1',
    })) as EvalReport;
    expect(report.directions.AtoB?.count).toBe(3);
    expect(report.directions.AtoB?.rmse).toBeGreaterThan(0);
    expect(report).toMatchObject({ pairs: 3, unmatchedA: [], failed: [], savedToCard: true });
    // Progress came as job events of the id the request gave: one per image, then the direction's end.
    const progress = jobEvents.filter((e) => e.jobId === 'eval-1');
    expect(progress.map((e) => [e.type, e.direction, e.done, e.total, e.input])).toEqual([
      ['progress', 'AtoB', 0, 3, '0.png'],
      ['progress', 'AtoB', 1, 3, '1.png'],
      ['progress', 'AtoB', 2, 3, '2.png'],
      ['progress', 'AtoB', 3, 3, undefined],
    ]);

    // The command line names a run as the user typed it, without its project.
    const again = (await engine.request('saveModelFromRun', { runId: run.id })) as ModelCard;
    expect(again.source).toEqual({ projectId: project.id, runId: run.id });
  }, 240_000);
});
