/**
 * The demo: generate the built-in sample, train the quick preset on it as a normal run in the workspace
 * (through the engine service, as the window starts one), translate the held-out aerial tiles with a
 * translate job (as the window does), score them against their maps and the baselines, and write the
 * HTML report.
 *
 * The sample and the report land in one output folder (`sample/`, `translated/`, `report/`,
 * `metrics.json`); a folder that holds anything but an earlier demo is refused, so a user's files are
 * never written over. The run lands in the workspace, where the window lists it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {
  type DuetOperationName,
  type DuetRequest,
  type DuetResponse,
  isRunEnded,
  type JobEvent,
  type ModelType,
  ModelTypeSchema,
  type RunEvent,
  type RunSummary,
  type TrainingSettings,
  type TrainingSettingsInput,
  TranslateRequestSchema,
} from '#contract';
import { generatorMultiple } from '../../../models/index.js';
import { type BackendReport, describeBackend, selectBackend } from '../backend.js';
import { scanDataset } from '../dataset/index.js';
import { compareImages, type MetricSummary, type RawImage, summarizeMetrics } from '../eval/metrics.js';
import { InProcessEngine } from '../process/in-process.js';
import { runDir } from '../runs/layout.js';
import { resolveSettings } from '../runs/settings.js';
import { translateImages } from '../translate/job.js';
import { translatorFromModel } from '../translate/translator.js';
import { mostCommonColourBaseline } from './baselines.js';
import { accuracyByMapColour, type MapColourRow } from './breakdown.js';
import { encodePng, generateSample, prepareOwnedFolder } from './generate.js';
import { trainL1Baseline } from './l1-baseline.js';
import { type ReportLossPoint, type ReportMetricsRow, writeReport } from './report.js';

export const DEMO_MARKER = 'duet-demo.json';

export interface DemoOptions {
  outDir: string;
  /** Where the run goes (projects/…/runs/…), as for `duet train`. */
  workspace: string;
  /** Training time budget for the model (the L1 baseline, when asked for, gets the same again). */
  minutes: number;
  model?: ModelType;
  seed?: number;
  /** Training tiles (default 400) and held-out tiles (default 24). */
  count?: number;
  testCount?: number;
  /** Backend preference ('auto' or a candidate name); DUET_BACKEND still wins. */
  backend?: string;
  /** Also train the plain L1 generator (no GAN) for the same budget, as a second baseline. */
  l1Baseline?: boolean;
  /** Changes on top of the quick preset (tests use smaller tiles). */
  settings?: Partial<TrainingSettingsInput>;
  /** Upper bound on iterations, whatever the time budget (the quality bench, tests). */
  maxIterations?: number;
  signal?: AbortSignal;
  onEvent?: (event: DemoEvent) => void;
}

export type DemoEvent =
  | { type: 'stage'; stage: 'backend' | 'sample' | 'train' | 'l1-baseline' | 'translate' | 'report'; message: string }
  | {
      type: 'progress';
      stage: 'train' | 'l1-baseline';
      iteration: number;
      elapsed: number;
      budget: number;
      losses: Record<string, number>;
    };

export interface DemoResult {
  outDir: string;
  reportPath: string;
  backend: string;
  settings: TrainingSettings;
  iterations: number;
  trainingSeconds: number;
  /** The run in the workspace: the window lists it; `duet translate --model <project>/<run>` uses it. */
  run: { projectId: string; runId: string; dir: string };
  metrics: ReportMetricsRow[];
  /** The model's held-out pixel accuracy split by map colour. */
  byColour: MapColourRow[];
}

interface Tile {
  name: string;
  /** The held-out aerial photo's path (translated) and its pixels. */
  aerialPath: string;
  aerial: Uint8Array;
  map: Uint8Array;
  size: number;
}

class DemoCancelled extends Error {
  constructor(readonly run?: { projectId: string; runId: string; dir: string }) {
    super('The demo was cancelled');
    this.name = 'DemoCancelled';
  }
}

/** RGB bytes of an image file and its side; sample tiles are square. */
async function readRgb(file: string): Promise<{ data: Uint8Array; size: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== info.height) throw new Error(`${file} is not square`);
  return { data: new Uint8Array(data), size: info.width };
}

/** Paired files of one split, found the way Duet finds a user's data: through the dataset scanner. */
async function pairedFiles(sampleDir: string, split: 'train' | 'test') {
  const scan = await scanDataset(sampleDir, null, { split });
  if (!scan.b) throw new Error(`The sample's ${split} split has no map folder`);
  const maps = new Map(scan.b.images.map((i) => [i.relative, i.path]));
  return scan.a.images
    .filter((i) => maps.has(i.relative))
    .map((i) => ({ name: i.relative, a: i.path, b: maps.get(i.relative)! }));
}

async function loadTiles(files: { a: string; b: string; name: string }[]): Promise<Tile[]> {
  return Promise.all(
    files.map(async (f) => {
      const [a, b] = await Promise.all([readRgb(f.a), readRgb(f.b)]);
      if (a.size !== b.size) throw new Error(`Sample tile ${f.name}: aerial and map differ in size`);
      return { name: f.name, aerialPath: f.a, aerial: a.data, map: b.data, size: a.size };
    }),
  );
}

/** The translated tiles, in the order of `tiles`, read back from the files a translate job wrote. */
async function readOutputs(tiles: Tile[], outputs: Map<string, string>, what: string): Promise<Uint8Array[]> {
  return Promise.all(
    tiles.map(async (t) => {
      const file = outputs.get(path.resolve(t.aerialPath));
      if (!file) throw new Error(`${what} did not translate held-out tile ${t.name}`);
      const out = await readRgb(file);
      if (out.size !== t.size) throw new Error(`${what} translated ${t.name} at ${out.size} px, not ${t.size}`);
      return out.data;
    }),
  );
}

function score(outputs: Uint8Array[], tiles: Tile[]): MetricSummary {
  return summarizeMetrics(
    outputs.map((o, i) => {
      const t = tiles[i]!;
      return compareImages(
        { data: o, width: t.size, height: t.size, channels: 3 },
        { data: t.map, width: t.size, height: t.size, channels: 3 },
      );
    }),
  );
}

function row(name: string, m: MetricSummary, note?: string): ReportMetricsRow {
  return { name, pixelAccuracy: m.pixelAccuracy, rmse: m.rmse, psnr: m.psnr, l1: m.l1, count: m.count, note };
}

/** Progress lines at most every two seconds (and the first). */
function throttled(emit: (e: DemoEvent) => void): (e: Extract<DemoEvent, { type: 'progress' }>) => void {
  let last = 0;
  return (e) => {
    const now = performance.now();
    if (now - last < 2000) return;
    last = now;
    emit(e);
  };
}

/** An engine operation as the window sends it: the request checked against the contract, then handled. */
function call<K extends DuetOperationName>(
  engine: InProcessEngine,
  op: K,
  request: DuetRequest<K>,
): Promise<DuetResponse<K>> {
  return engine.request(op, request) as Promise<DuetResponse<K>>;
}

/**
 * Train through the engine service as the window does: a project on the sample (the one an earlier demo
 * made, when there is one), a run with the quick preset and the time budget, followed to its end.
 * An abort stops the run with a checkpoint, as the window's Stop does.
 */
async function trainRun(
  engine: InProcessEngine,
  options: {
    workspace: string;
    sampleDir: string;
    model: ModelType;
    settings: Partial<TrainingSettingsInput>;
    signal?: AbortSignal;
  },
  onProgress: (e: Extract<RunEvent, { type: 'progress' }>) => void,
): Promise<{ summary: RunSummary; losses: ReportLossPoint[] }> {
  const projects = await call(engine, 'listProjects', undefined);
  const project =
    projects.find((p) => p.domainA === options.sampleDir && p.domainB === null && p.model === options.model) ??
    (await call(engine, 'createProject', {
      name: `Demo: ${options.model} on the built-in sample`,
      domainA: options.sampleDir,
      domainB: null,
      model: options.model,
    }));
  // Subscribed before the start: the run's first events go out before startRun answers. This engine
  // trains nothing else, so every run event is this run's.
  const losses: ReportLossPoint[] = [];
  let ended: (() => void) | undefined;
  const end = new Promise<void>((r) => {
    ended = r;
  });
  const off = engine.onEvent((kind, payload) => {
    if (kind !== 'run') return;
    const e = payload as RunEvent;
    if (e.type === 'progress') {
      losses.push({ iteration: e.iteration, losses: e.losses });
      onProgress(e);
    } else if (e.type === 'state' && isRunEnded(e.state)) ended?.();
  });
  try {
    const started = await call(engine, 'startRun', {
      projectId: project.id,
      preset: 'quick',
      settings: options.settings,
      name: `demo-${options.model}`,
    });
    const ref = { projectId: started.projectId, runId: started.id };
    const stop = () => void call(engine, 'stopRun', ref);
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      if (options.signal?.aborted) stop();
      await end;
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    const summary = await call(engine, 'getRun', ref);
    const dir = runDir(options.workspace, ref.projectId, ref.runId);
    if (summary.state === 'stopped' && options.signal?.aborted) throw new DemoCancelled({ ...ref, dir });
    if (summary.state !== 'finished') {
      const status = await readFile(path.join(dir, 'status.json'), 'utf8').catch(() => '{}');
      const message = (JSON.parse(status) as { message?: string }).message;
      throw new Error(`The demo's run ${summary.state}${message ? `: ${message}` : ''}`);
    }
    return { summary, losses };
  } finally {
    off();
  }
}

/** Translate the held-out aerial tiles with a translate job, as the window does; input path → output. */
async function translateWithJob(
  engine: InProcessEngine,
  modelId: string,
  inputs: string,
  outDir: string,
): Promise<Map<string, string>> {
  const events: JobEvent[] = [];
  let wake: (() => void) | undefined;
  const off = engine.onEvent((kind, payload) => {
    if (kind !== 'job') return;
    events.push(payload as JobEvent);
    wake?.();
  });
  try {
    const { jobId } = await call(engine, 'startTranslate', { modelId, inputs: [inputs], outDir, overwrite: true });
    const mine = () => events.filter((e) => e.jobId === jobId);
    while (!mine().some((e) => e.type === 'done' || e.type === 'failed' || e.type === 'cancelled')) {
      await new Promise<void>((r) => {
        wake = r;
      });
    }
    const last = mine().at(-1)!;
    if (last.type !== 'done') throw new Error(`Translating the held-out tiles ${last.type}: ${last.error ?? ''}`);
    const outputs = new Map<string, string>();
    for (const e of mine()) {
      if (e.type === 'item' && e.input && e.output && !e.error) outputs.set(path.resolve(e.input), e.output);
    }
    return outputs;
  } finally {
    off();
  }
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  if (!(options.minutes > 0) || !Number.isFinite(options.minutes) || options.minutes > 24 * 60) {
    throw new Error(`--minutes must be a number above 0 and at most 1440 (got ${options.minutes})`);
  }
  const model: ModelType = options.model ?? 'pix2pix';
  if (!ModelTypeSchema.options.includes(model)) {
    throw new Error(`Unknown model "${String(model)}". Choose ${ModelTypeSchema.options.join(', ')}.`);
  }
  const outDir = path.resolve(options.outDir);
  const workspace = path.resolve(options.workspace);
  const emit = options.onEvent ?? (() => {});
  await prepareOwnedFolder(outDir, {
    marker: DEMO_MARKER,
    kind: 'duet-demo',
    what: 'demo',
    subfolders: ['translated', 'translated-l1', 'report'],
    how: ' with --out',
  });
  const seed = options.seed ?? 0;
  await writeFile(
    path.join(outDir, DEMO_MARKER),
    `${JSON.stringify({ kind: 'duet-demo', model, minutes: options.minutes, seed, startedAt: new Date().toISOString() }, null, 2)}\n`,
  );

  emit({ type: 'stage', stage: 'backend', message: 'Choosing the backend' });
  const backend: BackendReport = await selectBackend({ preference: options.backend });
  // The run's settings: the quick preset, the time budget, and the cap when there is one.
  const runSettings: Partial<TrainingSettingsInput> = {
    seed,
    ...options.settings,
    minutes: options.minutes,
    ...(options.maxIterations !== undefined ? { iterations: options.maxIterations } : {}),
  };
  const settings = resolveSettings({ model, preset: 'quick', ...runSettings });
  const multiple = generatorMultiple(settings.generator);
  // Tiles are generated at the load size, so the run's crops are taken at the tiles' own pixels and the
  // held-out tiles are translated whole, never resampled (a resize blends the map's flat colours, which
  // the pixel accuracy counts as errors).
  const tileSize = settings.loadSize;
  if (tileSize % multiple !== 0) {
    throw new Error(`The load size ${tileSize} px is not a multiple of ${multiple}, which ${settings.generator} needs`);
  }

  emit({ type: 'stage', stage: 'sample', message: `Generating the sample (${tileSize} px tiles)` });
  const sampleDir = path.join(outDir, 'sample');
  await generateSample({
    dir: sampleDir,
    count: options.count ?? 400,
    testCount: options.testCount ?? 24,
    size: tileSize,
    seed,
    signal: options.signal,
  });
  const train = await loadTiles(await pairedFiles(sampleDir, 'train'));
  const test = await loadTiles(await pairedFiles(sampleDir, 'test'));
  if (train.length === 0 || test.length === 0) throw new Error('The sample has no training or no held-out pairs');
  if (options.signal?.aborted) throw new DemoCancelled();

  const budget = options.minutes * 60;
  emit({
    type: 'stage',
    stage: 'train',
    message: `Training ${model} (quick preset) for ${
      options.maxIterations === undefined
        ? `${options.minutes} min`
        : `${options.maxIterations} iterations (at most ${options.minutes} min)`
    } on ${describeBackend(backend)}, as a run in ${workspace}`,
  });
  const engine = new InProcessEngine(workspace, backend);
  let run: { summary: RunSummary; losses: ReportLossPoint[] };
  let outputs: Uint8Array[];
  let runRef: DemoResult['run'];
  try {
    const progress = throttled(emit);
    run = await trainRun(engine, { workspace, sampleDir, model, settings: runSettings, signal: options.signal }, (e) =>
      progress({
        type: 'progress',
        stage: 'train',
        iteration: e.iteration,
        elapsed: e.trainingSeconds ?? 0,
        budget,
        losses: e.losses,
      }),
    );
    const { projectId, id: runId } = run.summary;
    runRef = { projectId, runId, dir: runDir(workspace, projectId, runId) };
    emit({ type: 'stage', stage: 'translate', message: `Translating ${test.length} held-out aerial tiles` });
    const translated = await translateWithJob(
      engine,
      `${projectId}/${runId}`,
      path.join(sampleDir, 'testA'),
      path.join(outDir, 'translated'),
    );
    outputs = await readOutputs(test, translated, 'The translate job');
  } finally {
    await engine.shutdown('demo done');
  }
  const trained = run.summary;

  const byColour = accuracyByMapColour(outputs.map((output, i) => ({ output, target: test[i]!.map })));
  const rows: ReportMetricsRow[] = [
    row(
      `${model} (this run)`,
      score(outputs, test),
      `${trained.iteration} iterations, ${(trained.trainingSeconds ?? 0).toFixed(0)} s`,
    ),
  ];
  if (options.l1Baseline) {
    emit({
      type: 'stage',
      stage: 'l1-baseline',
      message: 'Training the L1-only generator (no GAN) for the same budget',
    });
    const progress = throttled(emit);
    let l1: Awaited<ReturnType<typeof trainL1Baseline>>;
    try {
      l1 = await trainL1Baseline({
        data: sampleDir,
        settings: trained.settings,
        signal: options.signal,
        onStep: (s) =>
          progress({
            type: 'progress',
            stage: 'l1-baseline',
            iteration: s.iteration,
            elapsed: s.seconds,
            budget,
            losses: s.losses,
          }),
      });
    } catch (err) {
      if (options.signal?.aborted) throw new DemoCancelled(runRef);
      throw err;
    }
    try {
      // Translated by the translate job's code, as the run's generator was.
      const translator = translatorFromModel(l1.trainer.generator, { multiple, ngf: settings.ngf });
      const report = await translateImages({
        request: TranslateRequestSchema.parse({
          modelId: 'l1-baseline',
          inputs: [path.join(sampleDir, 'testA')],
          outDir: path.join(outDir, 'translated-l1'),
          overwrite: true,
        }),
        translator: { ...translator, dispose: () => {} },
        modelLabel: 'l1-baseline',
        outDirChosen: true,
      });
      const l1Outputs = await readOutputs(
        test,
        new Map(report.translated.map((t) => [path.resolve(t.input), t.output])),
        'The L1 baseline',
      );
      rows.push(row('L1 only, no GAN', score(l1Outputs, test), `${l1.iterations} iterations, same generator`));
    } finally {
      l1.trainer.dispose();
    }
  }
  const raw = (t: Tile): RawImage => ({ data: t.map, width: t.size, height: t.size, channels: 3 });
  const colour = mostCommonColourBaseline(train.map(raw), test.map(raw));
  rows.push(row('most common colour', colour.metrics, `rgb(${colour.colour.join(', ')}) everywhere`));

  emit({ type: 'stage', stage: 'report', message: 'Writing the report' });
  await mkdir(path.join(outDir, 'translated'), { recursive: true });
  const examples = await Promise.all(
    test.slice(0, 8).map(async (t, i) => ({
      name: t.name,
      input: await encodePng(t.aerial, t.size, t.size),
      output: await encodePng(outputs[i]!, t.size, t.size),
      target: await encodePng(t.map, t.size, t.size),
    })),
  );
  const backendText = `${describeBackend(backend)}${backend.gpu ? '' : ' — no GPU in use'}`;
  const s = trained.settings;
  const decayShare = s.epochs + s.epochsDecay === 0 ? 0 : s.epochsDecay / (s.epochs + s.epochsDecay);
  const reportPath = await writeReport(path.join(outDir, 'report'), {
    title: `Duet demo: ${model} on the built-in aerial → map sample`,
    model: `${model}, quick preset`,
    backend: backendText,
    createdAt: new Date().toISOString(),
    iterations: trained.iteration,
    trainingSeconds: trained.trainingSeconds ?? 0,
    settings: s as unknown as Record<string, unknown>,
    losses: run.losses,
    metrics: rows,
    examples,
    byColour: { outputs: `${model} (this run)`, rows: byColour },
    notes: [
      `Data: ${train.length} generated training pairs and ${test.length} held-out pairs of ${tileSize} px (seed ${seed}); training crops of ${s.size} px.`,
      decayShare > 0
        ? `Time budget ${options.minutes} min; learning rate ${s.lr}, falling linearly to 1% of it over the last ${Math.round(decayShare * 100)}% of the budget.`
        : `Time budget ${options.minutes} min; learning rate constant at ${s.lr}.`,
      `The run: ${runRef.dir} (project ${runRef.projectId}, run ${runRef.runId}).`,
    ],
  });
  const result: DemoResult = {
    outDir,
    reportPath,
    backend: backendText,
    settings: s,
    iterations: trained.iteration,
    trainingSeconds: trained.trainingSeconds ?? 0,
    run: runRef,
    metrics: rows,
    byColour,
  };
  await writeFile(path.join(outDir, 'metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
  const marker = JSON.parse(await readFile(path.join(outDir, DEMO_MARKER), 'utf8'));
  await writeFile(
    path.join(outDir, DEMO_MARKER),
    `${JSON.stringify({ ...marker, complete: true, finishedAt: new Date().toISOString(), run: runRef }, null, 2)}\n`,
  );
  return result;
}

export function isDemoCancelled(err: unknown): err is DemoCancelled {
  return err instanceof DemoCancelled;
}
