/**
 * The training data pipeline: scan → seeded order → decode + augment ahead of the trainer → batches.
 *
 * Decoding runs on sharp's threads (libuv's pool) while TensorFlow computes on the main thread; at most
 * `prefetch` batches are decoded ahead, so memory stays bounded whatever the dataset's size.
 *
 * Sampling follows the reference:
 *  - unpaired (CycleGAN): an epoch is max(|A|, |B|) samples; A goes through a seeded shuffle (index mod
 *    |A|), B is drawn at random for each sample; A and B get independent crops and flips;
 *  - paired (names or A|B images): an epoch is one pass over the pairs in a seeded shuffle; both halves of
 *    a pair get the same resize, crop and flip.
 * Every draw derives from (seed, epoch, index), so `position()` — {seed, epoch, index} — is all a
 * checkpoint needs for a resumed run to continue with exactly the same batches.
 *
 * A file that fails to decode (changed or damaged since the scan) is reported in `failures()` and replaced
 * by the next file in the domain, deterministically; only a run of MAX_CONSECUTIVE_FAILURES bad files stops
 * the pipeline with an error.
 */
import type { ScanReport } from '#contract';
import {
  type AugmentPlan,
  type AugmentSettings,
  epochOrder,
  planAugmentation,
  type Region,
  STREAM,
  sampleRng,
  toTrainingFloats,
} from './augment.js';
import { decodeCrop, TRAINING_CHANNELS } from './decode.js';
import { alignedHalves, pairByName } from './pairing.js';

export interface PipelineSettings extends AugmentSettings {
  batchSize: number;
}

/** Where a run stands in its data: the next batch starts at sample `index` of `epoch`. JSON-serialisable. */
export interface PipelinePosition {
  seed: number;
  epoch: number;
  index: number;
}

export interface Batch {
  /** n × height × width × channels, values in [-1, 1] (NHWC, what tfjs convolutions take). */
  a: Float32Array;
  b: Float32Array;
  n: number;
  height: number;
  width: number;
  channels: number;
  pathsA: string[];
  pathsB: string[];
  epoch: number;
  /** Sample index in the epoch of this batch's first sample. */
  index: number;
  /** Position after this batch: save it with a checkpoint taken after training on this batch. */
  next: PipelinePosition;
}

export interface DataWaitStats {
  batches: number;
  /** Time the consumer spent in `next()` waiting for data, after the first batch. */
  waitMs: number;
  /** Time between batches, when the consumer was busy with its own work. */
  busyMs: number;
  /** waitMs / (waitMs + busyMs): the share of the trainer's time lost to data. */
  waitShare: number;
  /** The first batch's wait (the pipeline starting cold), kept out of waitShare. */
  firstWaitMs: number;
  /** Decoded images (A and B count separately) and the wall time spent decoding batches. */
  images: number;
  decodeMs: number;
}

export interface SampleFailure {
  path: string;
  reason: string;
}

export type Sampling = 'paired' | 'unpaired';

export interface PipelineOptions {
  scan: ScanReport;
  settings: PipelineSettings;
  seed: number;
  /** Batches decoded ahead of the consumer (default 2). */
  prefetch?: number;
  /** Stop after this epoch count (default: never; the trainer stops by iterations). */
  epochs?: number;
  /** Resume from a saved position (its seed must match). */
  start?: PipelinePosition;
  /** Default: paired when the scan found pairs (names or A|B images), else unpaired. */
  sampling?: Sampling;
  pixelLimit?: number;
}

export interface DataPipeline extends AsyncIterable<Batch> {
  readonly sampling: Sampling;
  readonly samplesPerEpoch: number;
  readonly batchesPerEpoch: number;
  /** The next batch, or null when the epochs are done or the pipeline is closed. */
  next(): Promise<Batch | null>;
  /** Position of the next batch `next()` returns. */
  position(): PipelinePosition;
  stats(): DataWaitStats;
  failures(): SampleFailure[];
  /** Stop decoding: nothing new starts, and this resolves once the decodes in flight have finished. */
  close(): Promise<void>;
}

export const MAX_CONSECUTIVE_FAILURES = 16;

interface Source {
  path: string;
  /** Size of the part used (a half of an A|B image, or the whole image). */
  width: number;
  height: number;
  region: Region | null;
}

interface Sources {
  a: Source[];
  b: Source[];
  paired: boolean;
}

/** Turn a scan into the lists the pipeline samples from. */
export function sourcesFromScan(scan: ScanReport, sampling?: Sampling): Sources {
  const kind = scan.pairing.kind;
  const paired = (sampling ?? (kind === 'unpaired' ? 'unpaired' : 'paired')) === 'paired';
  if (kind === 'aligned') {
    if (scan.a.images.length === 0) throw new Error(`No usable images in ${scan.a.root}`);
    const halves = scan.a.images.map((img) => ({ img, ...alignedHalves(img.width, img.height) }));
    return {
      a: halves.map(({ img, a }) => ({ path: img.path, width: a.width, height: a.height, region: a })),
      b: halves.map(({ img, b }) => ({ path: img.path, width: b.width, height: b.height, region: b })),
      paired,
    };
  }
  if (!scan.b) throw new Error('Training needs two domains: this scan found only domain A');
  for (const d of [scan.a, scan.b]) if (d.images.length === 0) throw new Error(`No usable images in ${d.root}`);
  const whole = (img: { path: string; width: number; height: number }): Source => ({
    path: img.path,
    width: img.width,
    height: img.height,
    region: null,
  });
  if (paired) {
    const byName = pairByName(
      scan.a.images.map((i) => i.relative),
      scan.b.images.map((i) => i.relative),
    );
    if (byName.pairs.length === 0) throw new Error('Paired training needs pairs: no file names match between A and B');
    return {
      a: byName.pairs.map(([i]) => whole(scan.a.images[i]!)),
      b: byName.pairs.map(([, j]) => whole(scan.b!.images[j]!)),
      paired: true,
    };
  }
  return { a: scan.a.images.map(whole), b: scan.b.images.map(whole), paired: false };
}

/** B gets A's plan, resized to the same grid as A so the crop lands on the same content. */
function planForPartner(plan: AugmentPlan, a: Source, b: Source): AugmentPlan {
  const target = plan.resize ?? { width: a.width, height: a.height };
  const same = target.width === b.width && target.height === b.height;
  return { ...plan, resize: same ? null : target };
}

export function createPipeline(options: PipelineOptions): DataPipeline {
  const { settings, seed } = options;
  const size = settings.size;
  const batchSize = Math.max(1, Math.floor(settings.batchSize));
  const prefetch = Math.max(0, Math.floor(options.prefetch ?? 2));
  const sources = sourcesFromScan(options.scan, options.sampling);
  const samplesPerEpoch = sources.paired ? sources.a.length : Math.max(sources.a.length, sources.b.length);
  const batchesPerEpoch = Math.ceil(samplesPerEpoch / batchSize);
  if (options.start && options.start.seed !== seed) {
    throw new Error(`Cannot resume: the saved data position has seed ${options.start.seed}, this run ${seed}`);
  }
  const decodeOptions = { pixelLimit: options.pixelLimit };

  const failures = new Map<string, string>();
  const orders = new Map<number, Uint32Array>();
  const orderOf = (epoch: number) => {
    let order = orders.get(epoch);
    if (!order) {
      order = epochOrder(samplesPerEpoch, seed, epoch);
      orders.set(epoch, order);
      // Only the epochs being decoded are needed.
      for (const e of orders.keys()) if (e < epoch - 1) orders.delete(e);
    }
    return order;
  };

  /** Decode with deterministic replacement of files that fail. */
  async function decodeWithReplacement(
    list: Source[],
    first: number,
    plan: (s: Source) => AugmentPlan,
  ): Promise<{ pixels: Uint8Array; source: Source; plan: AugmentPlan }> {
    let lastError = '';
    for (let k = 0; k < Math.min(list.length, MAX_CONSECUTIVE_FAILURES); k++) {
      const source = list[(first + k) % list.length]!;
      const p = plan(source);
      try {
        return { pixels: await decodeCrop(source.path, p, source.region, decodeOptions), source, plan: p };
      } catch (err) {
        lastError = (err as Error).message;
        failures.set(source.path, lastError.split('\n')[0]!);
      }
    }
    throw new Error(`Images keep failing to decode (last: ${lastError}); rescan the data`);
  }

  async function decodeSample(epoch: number, index: number) {
    const k = orderOf(epoch)[index]!;
    const rngA = sampleRng(seed, epoch, index, STREAM.augmentA);
    const planFrom = (s: Source) => planAugmentation(s.width, s.height, settings, rngA);
    if (sources.paired) {
      // A pair that fails is replaced by the next pair, so the halves never get out of step.
      let lastError = '';
      for (let t = 0; t < Math.min(sources.a.length, MAX_CONSECUTIVE_FAILURES); t++) {
        const i = (k + t) % sources.a.length;
        const sa = sources.a[i]!;
        const sb = sources.b[i]!;
        const planA = planFrom(sa);
        const planB = planForPartner(planA, sa, sb);
        const [ra, rb] = await Promise.allSettled([
          decodeCrop(sa.path, planA, sa.region, decodeOptions),
          decodeCrop(sb.path, planB, sb.region, decodeOptions),
        ]);
        if (ra.status === 'fulfilled' && rb.status === 'fulfilled') {
          return { a: { pixels: ra.value, source: sa, plan: planA }, b: { pixels: rb.value, source: sb, plan: planB } };
        }
        for (const [r, src] of [
          [ra, sa],
          [rb, sb],
        ] as const) {
          if (r.status === 'rejected') {
            lastError = (r.reason as Error).message.split('\n')[0]!;
            failures.set(src.path, lastError);
          }
        }
      }
      throw new Error(`Images keep failing to decode (last: ${lastError}); rescan the data`);
    }
    const rngB = sampleRng(seed, epoch, index, STREAM.augmentB);
    const pickB = sampleRng(seed, epoch, index, STREAM.pickB).int(0, sources.b.length - 1);
    const [a, b] = await Promise.all([
      decodeWithReplacement(sources.a, k % sources.a.length, planFrom),
      decodeWithReplacement(sources.b, pickB, (s) => planAugmentation(s.width, s.height, settings, rngB)),
    ]);
    return { a, b };
  }

  async function decodeBatch(epoch: number, index: number): Promise<Batch> {
    const t0 = performance.now();
    const n = Math.min(batchSize, samplesPerEpoch - index);
    const samples = await Promise.all(Array.from({ length: n }, (_, i) => decodeSample(epoch, index + i)));
    const per = size * size * TRAINING_CHANNELS;
    const a = new Float32Array(n * per);
    const b = new Float32Array(n * per);
    samples.forEach((s, i) => {
      toTrainingFloats(s.a.pixels, size, size, TRAINING_CHANNELS, s.a.plan.flip, a, i * per);
      toTrainingFloats(s.b.pixels, size, size, TRAINING_CHANNELS, s.b.plan.flip, b, i * per);
    });
    stats.images += 2 * n;
    stats.decodeMs += performance.now() - t0;
    const after =
      index + n >= samplesPerEpoch ? { seed, epoch: epoch + 1, index: 0 } : { seed, epoch, index: index + n };
    return {
      a,
      b,
      n,
      height: size,
      width: size,
      channels: TRAINING_CHANNELS,
      pathsA: samples.map((s) => s.a.source.path),
      pathsB: samples.map((s) => s.b.source.path),
      epoch,
      index,
      next: after,
    };
  }

  const stats: DataWaitStats = {
    batches: 0,
    waitMs: 0,
    busyMs: 0,
    waitShare: 0,
    firstWaitMs: 0,
    images: 0,
    decodeMs: 0,
  };
  let consumed: PipelinePosition = options.start ? { ...options.start } : { seed, epoch: 0, index: 0 };
  let scheduled: PipelinePosition = { ...consumed };
  const queue: Array<Promise<Batch>> = [];
  let closed = false;
  let lastReturnedAt: number | null = null;

  const finished = (p: PipelinePosition) => options.epochs !== undefined && p.epoch >= options.epochs;

  function scheduleOne(): boolean {
    if (closed || finished(scheduled)) return false;
    const { epoch, index } = scheduled;
    const promise = decodeBatch(epoch, index);
    promise.catch(() => {}); // awaited by next(); this only keeps Node from calling it unhandled meanwhile
    queue.push(promise);
    const n = Math.min(batchSize, samplesPerEpoch - index);
    scheduled = index + n >= samplesPerEpoch ? { seed, epoch: epoch + 1, index: 0 } : { seed, epoch, index: index + n };
    return true;
  }

  async function next(): Promise<Batch | null> {
    const t0 = performance.now();
    if (lastReturnedAt !== null) stats.busyMs += t0 - lastReturnedAt;
    if (closed) return null;
    if (queue.length === 0 && !scheduleOne()) return null;
    const head = queue.shift()!;
    while (queue.length < prefetch && scheduleOne()) {}
    const batch = await head;
    if (closed) return null;
    const waited = performance.now() - t0;
    if (stats.batches === 0) stats.firstWaitMs = waited;
    else stats.waitMs += waited;
    stats.batches++;
    stats.waitShare = stats.waitMs + stats.busyMs > 0 ? stats.waitMs / (stats.waitMs + stats.busyMs) : 0;
    consumed = batch.next;
    lastReturnedAt = performance.now();
    return batch;
  }

  async function close(): Promise<void> {
    closed = true;
    const pending = queue.splice(0);
    await Promise.allSettled(pending);
  }

  return {
    sampling: sources.paired ? 'paired' : 'unpaired',
    samplesPerEpoch,
    batchesPerEpoch,
    next,
    position: () => ({ ...consumed }),
    stats: () => ({ ...stats }),
    failures: () => [...failures].map(([path, reason]) => ({ path, reason })),
    close,
    [Symbol.asyncIterator]() {
      return {
        next: async (): Promise<IteratorResult<Batch>> => {
          const batch = await next();
          return batch ? { value: batch, done: false } : { value: undefined, done: true };
        },
        return: async (): Promise<IteratorResult<Batch>> => {
          await close();
          return { value: undefined, done: true };
        },
      };
    },
  };
}
