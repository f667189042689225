/**
 * The demo: generate the built-in sample, train the quick preset for a bounded time, translate the
 * held-out aerial tiles, score them against their maps and the baselines, and write the HTML report.
 *
 * Everything lands in one output folder (`sample/`, `translated/`, `report/`, `metrics.json`); a folder
 * that holds anything but an earlier demo is refused, so a user's files are never written over.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import type { ModelType, TrainingSettings, TrainingSettingsInput } from '#contract';
import { createTrainer, generatorMultiple, type Trainer } from '../../../models/index.js';
import { Rng } from '../../../models/rng.js';
import { type BackendReport, describeBackend, selectBackend } from '../backend.js';
import { scanDataset } from '../dataset/index.js';
import { compareImages, type MetricSummary, type RawImage, summarizeMetrics } from '../eval/metrics.js';
import { resolveSettings } from '../runs/settings.js';
import { mostCommonColourBaseline } from './baselines.js';
import { accuracyByMapColour, type MapColourRow } from './breakdown.js';
import { encodePng, generateSample, prepareOwnedFolder } from './generate.js';
import { createL1Trainer } from './l1-baseline.js';
import { type ReportLossPoint, type ReportMetricsRow, writeReport } from './report.js';

export const DEMO_MARKER = 'duet-demo.json';

export interface DemoOptions {
  outDir: string;
  /** Training time budget for the model (the L1 baseline, when asked for, gets the same again). */
  minutes: number;
  model?: ModelType;
  seed?: number;
  /** Training tiles (default 400) and held-out tiles (default 24). */
  count?: number;
  testCount?: number;
  /** Backend preference ('auto' or a candidate name); DUET_BACKEND still wins. */
  backend?: string;
  /** Also train the plain L1 generator (no GAN) for the same time, as a second baseline. */
  l1Baseline?: boolean;
  /** Changes on top of the quick preset (tests use smaller tiles). */
  settings?: Partial<TrainingSettingsInput>;
  /** Upper bound on iterations, whatever the time budget (tests). */
  maxIterations?: number;
  /**
   * Share of the time budget, at its end, over which the learning rate falls linearly to zero (the
   * reference's decay phase, measured in seconds instead of epochs). Default 0.5; 0 keeps it constant.
   */
  decayShare?: number;
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
  metrics: ReportMetricsRow[];
  /** The model's held-out pixel accuracy split by map colour. */
  byColour: MapColourRow[];
}

interface Tile {
  name: string;
  aerial: Uint8Array;
  map: Uint8Array;
  size: number;
}

class DemoCancelled extends Error {
  constructor() {
    super('The demo was cancelled');
    this.name = 'DemoCancelled';
  }
}

async function loadTiles(files: { a: string; b: string; name: string }[]): Promise<Tile[]> {
  return Promise.all(
    files.map(async (f) => {
      const [a, b] = await Promise.all([
        sharp(f.a).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
        sharp(f.b).removeAlpha().raw().toBuffer({ resolveWithObject: true }),
      ]);
      if (a.info.width !== b.info.width || a.info.height !== b.info.height || a.info.width !== a.info.height) {
        throw new Error(`Sample tile ${f.name}: aerial and map differ in size or are not square`);
      }
      return { name: f.name, aerial: new Uint8Array(a.data), map: new Uint8Array(b.data), size: a.info.width };
    }),
  );
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

/** A [−1, 1] NHWC batch of one tile crop; the caller disposes it. */
function cropTensor(rgb: Uint8Array, size: number, x0: number, y0: number, crop: number, flip: boolean): tf.Tensor4D {
  const data = new Float32Array(crop * crop * 3);
  for (let y = 0; y < crop; y++) {
    for (let x = 0; x < crop; x++) {
      const sx = flip ? x0 + crop - 1 - x : x0 + x;
      const src = ((y0 + y) * size + sx) * 3;
      const dst = (y * crop + x) * 3;
      data[dst] = rgb[src]! / 127.5 - 1;
      data[dst + 1] = rgb[src + 1]! / 127.5 - 1;
      data[dst + 2] = rgb[src + 2]! / 127.5 - 1;
    }
  }
  return tf.tensor4d(data, [1, crop, crop, 3]);
}

function toBytes(t: tf.Tensor4D): Uint8Array {
  const v = t.dataSync();
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = Math.round((v[i]! + 1) * 127.5);
    out[i] = x < 0 ? 0 : x > 255 ? 255 : x;
  }
  return out;
}

interface StepTrainer {
  step(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, number>;
  setLearningRate(lr: number): void;
}

export const DEFAULT_DECAY_SHARE = 0.5;

/**
 * The learning-rate factor at a point of the time budget (0…1): 1 until the decay phase, then falling
 * linearly to zero at the end — a floor of 1% keeps the last steps from being wasted.
 */
export function decayedShare(progress: number, decayShare: number): number {
  if (decayShare <= 0) return 1;
  const left = 1 - Math.min(Math.max(progress, 0), 1);
  return Math.max(0.01, Math.min(1, left / decayShare));
}

/**
 * Trains on random crops (and horizontal flips, as the reference does) until the time budget or the
 * iteration cap is spent, decaying the learning rate over the end of the budget as the reference does
 * over its last epochs: a constant rate leaves the weights jittering, which shows as colour casts on
 * the map's flat fills.
 */
function trainFor(
  trainer: StepTrainer,
  tiles: Tile[],
  settings: TrainingSettings,
  budgetSeconds: number,
  options: Pick<DemoOptions, 'maxIterations' | 'signal' | 'onEvent' | 'decayShare'>,
  stage: 'train' | 'l1-baseline',
): { losses: ReportLossPoint[]; iterations: number; seconds: number } {
  const decayShare = options.decayShare ?? DEFAULT_DECAY_SHARE;
  const baseLr = settings.lr;
  const rng = new Rng(settings.seed + 1);
  const crop = settings.size;
  const losses: ReportLossPoint[] = [];
  const start = performance.now();
  let lastEvent = 0;
  let iteration = 0;
  const cap = options.maxIterations ?? Number.POSITIVE_INFINITY;
  while (iteration < cap) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= budgetSeconds && iteration > 0) break;
    if (options.signal?.aborted) throw new DemoCancelled();
    // Progress through the budget: time, or iterations where a cap bounds the run (the quality bench).
    const progress = Math.max(elapsed / budgetSeconds, iteration / cap);
    if (decayShare > 0) trainer.setLearningRate(baseLr * decayedShare(progress, decayShare));
    // A batch of random crops (each with its own flip), stacked along the batch axis.
    const aParts: tf.Tensor4D[] = [];
    const bParts: tf.Tensor4D[] = [];
    for (let i = 0; i < settings.batchSize; i++) {
      const tile = tiles[rng.int(0, tiles.length - 1)]!;
      if (tile.size < crop) throw new Error(`Sample tiles (${tile.size} px) are smaller than the crop (${crop} px)`);
      const x0 = rng.int(0, tile.size - crop);
      const y0 = rng.int(0, tile.size - crop);
      const flip = settings.flip && rng.chance(0.5);
      aParts.push(cropTensor(tile.aerial, tile.size, x0, y0, crop, flip));
      bParts.push(cropTensor(tile.map, tile.size, x0, y0, crop, flip));
    }
    const a = aParts.length === 1 ? aParts[0]! : (tf.concat(aParts) as tf.Tensor4D);
    const b = bParts.length === 1 ? bParts[0]! : (tf.concat(bParts) as tf.Tensor4D);
    if (aParts.length > 1) tf.dispose([...aParts, ...bParts]);
    let step: Record<string, number>;
    try {
      step = trainer.step(a, b);
    } finally {
      a.dispose();
      b.dispose();
    }
    iteration++;
    losses.push({ iteration, losses: step });
    const now = performance.now();
    if (now - lastEvent > 2000) {
      lastEvent = now;
      options.onEvent?.({
        type: 'progress',
        stage,
        iteration,
        elapsed: (now - start) / 1000,
        budget: budgetSeconds,
        losses: step,
      });
    }
  }
  return { losses, iterations: iteration, seconds: (performance.now() - start) / 1000 };
}

function translateTiles(tiles: Tile[], translate: (x: tf.Tensor4D) => tf.Tensor4D): Uint8Array[] {
  return tiles.map((t) => {
    const x = cropTensor(t.aerial, t.size, 0, 0, t.size, false);
    try {
      const y = translate(x);
      try {
        return toBytes(y);
      } finally {
        y.dispose();
      }
    } finally {
      x.dispose();
    }
  });
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

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  if (!(options.minutes > 0) || !Number.isFinite(options.minutes) || options.minutes > 24 * 60) {
    throw new Error(`--minutes must be a number above 0 and at most 1440 (got ${options.minutes})`);
  }
  const model: ModelType = options.model ?? 'pix2pix';
  if (model !== 'pix2pix' && model !== 'cyclegan') {
    throw new Error(`Unknown model "${String(model)}". Choose pix2pix or cyclegan.`);
  }
  const outDir = path.resolve(options.outDir);
  const emit = options.onEvent ?? (() => {});
  await prepareOwnedFolder(outDir, {
    marker: DEMO_MARKER,
    kind: 'duet-demo',
    what: 'demo',
    subfolders: ['translated', 'report'],
    how: ' with --out',
  });
  const seed = options.seed ?? 0;
  await writeFile(
    path.join(outDir, DEMO_MARKER),
    `${JSON.stringify({ kind: 'duet-demo', model, minutes: options.minutes, seed, startedAt: new Date().toISOString() }, null, 2)}\n`,
  );

  emit({ type: 'stage', stage: 'backend', message: 'Choosing the backend' });
  const backend: BackendReport = await selectBackend({ preference: options.backend });
  const settings = resolveSettings({ model, preset: 'quick', seed, ...options.settings });
  const multiple = generatorMultiple(settings.generator);
  // Tiles are generated at the load size, so training crops and held-out tiles are never resampled (a
  // resize would blend the map's flat colours, which the pixel accuracy counts as errors).
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

  const budget = options.minutes * 60;
  const decayShare = options.decayShare ?? DEFAULT_DECAY_SHARE;
  if (!(decayShare >= 0 && decayShare <= 1))
    throw new Error(`The decay share must be between 0 and 1 (got ${decayShare})`);
  emit({
    type: 'stage',
    stage: 'train',
    message: `Training ${model} (quick preset) for ${
      options.maxIterations === undefined
        ? `${options.minutes} min`
        : `${options.maxIterations} iterations (at most ${options.minutes} min)`
    } on ${describeBackend(backend)}`,
  });
  const trainer: Trainer = createTrainer(settings);
  let run: ReturnType<typeof trainFor>;
  let outputs: Uint8Array[];
  try {
    run = trainFor(trainer, train, settings, budget, options, 'train');
    emit({ type: 'stage', stage: 'translate', message: `Translating ${test.length} held-out aerial tiles` });
    outputs = translateTiles(test, (x) => trainer.translate(x, 'AtoB'));
  } finally {
    trainer.dispose();
  }

  const byColour = accuracyByMapColour(outputs.map((output, i) => ({ output, target: test[i]!.map })));
  const rows: ReportMetricsRow[] = [
    row(`${model} (this run)`, score(outputs, test), `${run.iterations} iterations, ${run.seconds.toFixed(0)} s`),
  ];
  if (options.l1Baseline) {
    emit({ type: 'stage', stage: 'l1-baseline', message: 'Training the L1-only generator (no GAN) for the same time' });
    const l1 = createL1Trainer(settings);
    try {
      const l1Run = trainFor(l1, train, settings, budget, options, 'l1-baseline');
      rows.push(
        row(
          'L1 only, no GAN',
          score(
            translateTiles(test, (x) => l1.translate(x)),
            test,
          ),
          `${l1Run.iterations} iterations, same generator`,
        ),
      );
    } finally {
      l1.dispose();
    }
  }
  const raw = (t: Tile, which: 'map'): RawImage => ({ data: t[which], width: t.size, height: t.size, channels: 3 });
  const colour = mostCommonColourBaseline(
    train.map((t) => raw(t, 'map')),
    test.map((t) => raw(t, 'map')),
  );
  rows.push(row('most common colour', colour.metrics, `rgb(${colour.colour.join(', ')}) everywhere`));

  emit({ type: 'stage', stage: 'report', message: 'Writing the report' });
  const translatedDir = path.join(outDir, 'translated');
  await mkdir(translatedDir, { recursive: true });
  const encoded = await Promise.all(outputs.map((o, i) => encodePng(o, test[i]!.size, test[i]!.size)));
  await Promise.all(encoded.map((buf, i) => writeFile(path.join(translatedDir, test[i]!.name), buf)));
  const examples = await Promise.all(
    test.slice(0, 8).map(async (t, i) => ({
      name: t.name,
      input: await encodePng(t.aerial, t.size, t.size),
      output: encoded[i]!,
      target: await encodePng(t.map, t.size, t.size),
    })),
  );
  const backendText = `${describeBackend(backend)}${backend.gpu ? '' : ' — no GPU in use'}`;
  const reportPath = await writeReport(path.join(outDir, 'report'), {
    title: `Duet demo: ${model} on the built-in aerial → map sample`,
    model: `${model}, quick preset`,
    backend: backendText,
    createdAt: new Date().toISOString(),
    iterations: run.iterations,
    trainingSeconds: run.seconds,
    settings: settings as unknown as Record<string, unknown>,
    losses: run.losses,
    metrics: rows,
    examples,
    byColour: { outputs: `${model} (this run)`, rows: byColour },
    notes: [
      `Data: ${train.length} generated training pairs and ${test.length} held-out pairs of ${tileSize} px (seed ${seed}); training crops of ${settings.size} px.`,
      decayShare > 0
        ? `Time budget ${options.minutes} min; learning rate ${settings.lr}, falling linearly to zero over the last ${Math.round(decayShare * 100)}% of the budget.`
        : `Time budget ${options.minutes} min; learning rate constant at ${settings.lr}.`,
    ],
  });
  const result: DemoResult = {
    outDir,
    reportPath,
    backend: backendText,
    settings,
    iterations: run.iterations,
    trainingSeconds: run.seconds,
    metrics: rows,
    byColour,
  };
  await writeFile(path.join(outDir, 'metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
  const marker = JSON.parse(await readFile(path.join(outDir, DEMO_MARKER), 'utf8'));
  await writeFile(
    path.join(outDir, DEMO_MARKER),
    `${JSON.stringify({ ...marker, complete: true, finishedAt: new Date().toISOString() }, null, 2)}\n`,
  );
  return result;
}

export function isDemoCancelled(err: unknown): boolean {
  return err instanceof DemoCancelled;
}
