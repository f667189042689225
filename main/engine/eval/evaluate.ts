/**
 * Evaluation on paired test data (DESIGN.md §5): for each direction the model has, translate every test
 * image and compare it with its partner from the other folder (paired by file name), then average the
 * per-image metrics. Library models get the results on their card.
 */

import type { Direction } from '#contract';
import { chooseTile, type PixelImage, TilingAbortedError } from '../../../models/tiling.js';
import { pairByName } from '../dataset/pairing.js';
import { walkFolder } from '../dataset/walk.js';
import type { ResolvedModel } from '../library/resolve.js';
import { setModelMetrics } from '../library/store.js';
import { DEFAULT_MEMORY_BUDGET, decodeForTranslation } from '../translate/job.js';
import { translateWith } from '../translate/translator.js';
import { compareImages, type ImageMetrics, type MetricSummary, summarizeMetrics } from './metrics.js';

export interface EvalOptions {
  model: ResolvedModel;
  /**
   * Paired test images: two folders with matching file names (A inputs with B targets, and the reverse),
   * or, without `dirB`, one folder of A|B side-by-side images (the reference's aligned layout).
   */
  dirA: string;
  dirB?: string | null;
  /** Evaluate only the first N pairs. */
  limit?: number;
  /** Directions to evaluate (default: every direction the model has). */
  directions?: Direction[];
  memoryBudgetBytes?: number;
  /** Workspace to write the card's metrics into (library models only). */
  workspace?: string;
  signal?: AbortSignal;
  onProgress?: (p: { direction: Direction; done: number; total: number; file: string }) => void;
}

export interface DirectionResult extends MetricSummary {
  /** Per-image values, by the input's path relative to its folder. */
  images: Array<ImageMetrics & { file: string }>;
}

export interface EvalReport {
  model: string;
  pairs: number;
  unmatchedA: string[];
  unmatchedB: string[];
  results: Partial<Record<Direction, DirectionResult>>;
  /** Pairs that could not be evaluated, with why. */
  failed: Array<{ file: string; reason: string }>;
  /** True when the metrics were written into the model card. */
  savedToCard: boolean;
}

async function listImages(dir: string, label: string) {
  const walked = await walkFolder(dir);
  if (walked.files.length === 0) {
    const why = walked.skipped.find((s) => s.path === dir)?.reason ?? 'no files';
    throw new Error(`The ${label} test folder ${dir} has no images (${why})`);
  }
  return walked;
}

interface TestPair {
  /** The A file's path relative to its folder. */
  name: string;
  load(): Promise<{ a: PixelImage; b: PixelImage }>;
}

interface FoundPairs {
  pairs: TestPair[];
  unmatchedA: string[];
  unmatchedB: string[];
  skipped: Array<{ file: string; reason: string }>;
}

async function folderPairs(dirA: string, dirB: string): Promise<FoundPairs> {
  const a = await listImages(dirA, 'A');
  const b = await listImages(dirB, 'B');
  const pairing = pairByName(
    a.files.map((f) => f.relative),
    b.files.map((f) => f.relative),
  );
  if (pairing.pairs.length === 0) {
    throw new Error(
      `No file in ${dirA} has a partner of the same name in ${dirB}: evaluation needs paired test images (0001.jpg ↔ 0001.png)`,
    );
  }
  return {
    pairs: pairing.pairs.map(([ia, ib]) => ({
      name: a.files[ia]!.relative,
      load: async () => {
        const [ia8, ib8] = await Promise.all([
          decodeForTranslation(a.files[ia]!.path),
          decodeForTranslation(b.files[ib]!.path),
        ]);
        return { a: ia8, b: ib8 };
      },
    })),
    unmatchedA: pairing.unmatchedA,
    unmatchedB: pairing.unmatchedB,
    skipped: [...a.skipped, ...b.skipped].map((s) => ({ file: s.path, reason: s.reason })),
  };
}

/** Columns [left, left + width) of an 8-bit image. */
function cropColumns(img: PixelImage, left: number, width: number): PixelImage {
  const out = new Uint8Array(width * img.height * img.channels);
  const row = width * img.channels;
  for (let y = 0; y < img.height; y++) {
    const src = (y * img.width + left) * img.channels;
    out.set(img.data.subarray(src, src + row), y * row);
  }
  return { data: out, width, height: img.height, channels: img.channels };
}

/** A|B images: A is the left ⌊w/2⌋ columns, B the next ⌊w/2⌋ (an odd width's last column is dropped). */
async function alignedPairs(dir: string): Promise<FoundPairs> {
  const files = await listImages(dir, 'A|B');
  return {
    pairs: files.files.map((f) => ({
      name: f.relative,
      load: async () => {
        const whole = await decodeForTranslation(f.path);
        const half = Math.floor(whole.width / 2);
        if (half < 1) throw new Error(`${whole.width} px is too narrow for an A|B image`);
        return { a: cropColumns(whole, 0, half), b: cropColumns(whole, half, half) };
      },
    })),
    unmatchedA: [],
    unmatchedB: [],
    skipped: files.skipped.map((s) => ({ file: s.path, reason: s.reason })),
  };
}

export async function evaluateModel(options: EvalOptions): Promise<EvalReport> {
  const { model } = options;
  const directions = options.directions ?? model.directions;
  for (const d of directions) {
    if (!model.directions.includes(d))
      throw new Error(`${model.id} has no ${d} generator (it has ${model.directions.join(', ')})`);
  }
  const found = options.dirB ? await folderPairs(options.dirA, options.dirB) : await alignedPairs(options.dirA);
  const pairs = options.limit ? found.pairs.slice(0, options.limit) : found.pairs;
  const report: EvalReport = {
    model: model.id,
    pairs: pairs.length,
    unmatchedA: found.unmatchedA,
    unmatchedB: found.unmatchedB,
    results: {},
    failed: found.skipped,
    savedToCard: false,
  };
  for (const direction of directions) {
    const translator = await model.translator(direction);
    const images: DirectionResult['images'] = [];
    try {
      for (const [k, pair] of pairs.entries()) {
        if (options.signal?.aborted) throw new TilingAbortedError();
        const label = `${direction}: ${pair.name}`;
        options.onProgress?.({ direction, done: k, total: pairs.length, file: pair.name });
        let input: PixelImage;
        let target: PixelImage;
        try {
          const both = await pair.load();
          [input, target] = direction === 'AtoB' ? [both.a, both.b] : [both.b, both.a];
        } catch (err) {
          report.failed.push({ file: label, reason: `cannot decode: ${(err as Error).message.split('\n')[0]}` });
          continue;
        }
        if (input.width !== target.width || input.height !== target.height) {
          report.failed.push({
            file: label,
            reason: `sizes differ: ${input.width}×${input.height} against ${target.width}×${target.height}`,
          });
          continue;
        }
        const tile = chooseTile(input.height, input.width, {
          bytes: options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
          bytesPerPixel: translator.bytesPerPixel,
          multiple: translator.multiple,
        });
        const output = await translateWith(translator, input, { tile, signal: options.signal });
        images.push({ file: pair.name, ...compareImages(output, target) });
      }
      options.onProgress?.({ direction, done: pairs.length, total: pairs.length, file: '' });
    } finally {
      translator.dispose();
    }
    if (images.length > 0) report.results[direction] = { ...summarizeMetrics(images), images };
  }
  if (options.workspace && model.source === 'library' && Object.keys(report.results).length > 0) {
    const metrics: Record<string, Record<string, number>> = {};
    for (const [d, r] of Object.entries(report.results)) {
      metrics[d] = { rmse: r.rmse, pixelAccuracy: r.pixelAccuracy, psnr: r.psnr, l1: r.l1, count: r.count };
    }
    await setModelMetrics(options.workspace, model.id, metrics);
    report.savedToCard = true;
  }
  return report;
}
