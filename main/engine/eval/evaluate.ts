/**
 * Evaluation on paired test data (DESIGN.md §5): for each direction the model has, translate every test
 * image and compare it with its partner from the other folder (paired by file name), then average the
 * per-image metrics. Library models get the results on their card.
 */
import { chooseTile, TilingAbortedError, translatePixels } from '../../../models/tiling.js';
import type { Direction } from '../../contract/index.js';
import { pairByName } from '../dataset/pairing.js';
import { walkFolder } from '../dataset/walk.js';
import type { ResolvedModel } from '../library/resolve.js';
import { setModelMetrics } from '../library/store.js';
import { DEFAULT_MEMORY_BUDGET, decodeForTranslation } from '../translate/job.js';
import { compareImages, type ImageMetrics, type MetricSummary, summarizeMetrics } from './metrics.js';

export interface EvalOptions {
  model: ResolvedModel;
  /** Folders of paired test images: A inputs with B targets, and the reverse. */
  dirA: string;
  dirB: string;
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

export async function evaluateModel(options: EvalOptions): Promise<EvalReport> {
  const { model } = options;
  const directions = options.directions ?? model.directions;
  for (const d of directions) {
    if (!model.directions.includes(d))
      throw new Error(`${model.id} has no ${d} generator (it has ${model.directions.join(', ')})`);
  }
  const a = await listImages(options.dirA, 'A');
  const b = await listImages(options.dirB, 'B');
  const pairing = pairByName(
    a.files.map((f) => f.relative),
    b.files.map((f) => f.relative),
  );
  if (pairing.pairs.length === 0) {
    throw new Error(
      `No file in ${options.dirA} has a partner of the same name in ${options.dirB}: evaluation needs paired test images (0001.jpg ↔ 0001.png)`,
    );
  }
  const report: EvalReport = {
    model: model.id,
    pairs: pairing.pairs.length,
    unmatchedA: pairing.unmatchedA,
    unmatchedB: pairing.unmatchedB,
    results: {},
    failed: [...a.skipped, ...b.skipped].map((s) => ({ file: s.path, reason: s.reason })),
    savedToCard: false,
  };
  for (const direction of directions) {
    const translator = await model.translator(direction);
    const images: DirectionResult['images'] = [];
    try {
      for (const [k, [ia, ib]] of pairing.pairs.entries()) {
        if (options.signal?.aborted) throw new TilingAbortedError();
        const [src, dst] = direction === 'AtoB' ? [a.files[ia]!, b.files[ib]!] : [b.files[ib]!, a.files[ia]!];
        options.onProgress?.({ direction, done: k, total: pairing.pairs.length, file: src.relative });
        let input: Awaited<ReturnType<typeof decodeForTranslation>>;
        let target: Awaited<ReturnType<typeof decodeForTranslation>>;
        try {
          [input, target] = await Promise.all([decodeForTranslation(src.path), decodeForTranslation(dst.path)]);
        } catch (err) {
          report.failed.push({
            file: `${direction}: ${src.relative}`,
            reason: `cannot decode: ${(err as Error).message.split('\n')[0]}`,
          });
          continue;
        }
        if (input.width !== target.width || input.height !== target.height) {
          report.failed.push({
            file: `${direction}: ${src.relative}`,
            reason: `sizes differ: ${input.width}×${input.height} against ${target.width}×${target.height} for ${dst.relative}`,
          });
          continue;
        }
        const tile = chooseTile(input.height, input.width, {
          bytes: options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
          bytesPerPixel: translator.bytesPerPixel,
          multiple: translator.multiple,
        });
        const output = await translatePixels(translator.fn, input, {
          tile,
          multiple: translator.multiple,
          signal: options.signal,
        });
        images.push({ file: src.relative, ...compareImages(output, target) });
      }
      options.onProgress?.({ direction, done: pairing.pairs.length, total: pairing.pairs.length, file: '' });
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
