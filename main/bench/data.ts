/**
 * Data pipeline benchmarks:
 *  - decode throughput: 600×600 JPEGs (photo-like: smooth gradients + sensor noise, quality 90) through the
 *    training pipeline — decode, bicubic resize to 286, random 256 crop, flip, floats in [-1, 1];
 *  - data wait: the share of a trainer's time spent waiting for batches at 128 px, with a training step
 *    that blocks the JavaScript thread the way TensorFlow.js does. The step defaults to a synthetic busy
 *    loop of `stepMs`; pass the real trainer's step to measure it for real.
 * The images are generated into a temporary folder, removed afterwards.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { type Batch, createPipeline, type PipelineSettings, scanDataset } from '../engine/dataset/index.js';

export interface DecodeBenchResult {
  imagesPerSecond: number;
  /** CPU time (all threads) per image: steadier than images/s on a busy machine. */
  cpuMsPerImage: number;
  images: number;
  seconds: number;
  source: string;
  size: number;
  loadSize: number;
  batchSize: number;
  prefetch: number;
  /** libuv's thread pool (sharp decodes there), and the machine's cores. */
  threadPool: number;
  cores: number;
}

export interface DataWaitBenchResult {
  size: number;
  batches: number;
  stepMs: number;
  /** Share of the trainer's time spent waiting on data, after the first batch. */
  waitShare: number;
  waitMs: number;
  busyMs: number;
  firstWaitMs: number;
  synthetic: boolean;
  /**
   * Wall time per batch when the consumer does no work: what the pipeline sustains on this machine now.
   * A trainer whose step takes longer than about this waits on data only for the first batch.
   */
  pipelineMsPerBatch: number;
}

function photoLike(width: number, height: number, seed: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  let s = seed * 2654435761;
  const noise = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 24) - 128;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const base = 128 + 100 * Math.sin((x + seed * 17) / 53) * Math.cos((y - seed * 5) / 71);
      raw[i] = Math.max(0, Math.min(255, base + noise() / 8));
      raw[i + 1] = Math.max(0, Math.min(255, 255 - base + noise() / 8));
      raw[i + 2] = Math.max(0, Math.min(255, ((x ^ y) & 63) + base / 2 + noise() / 8));
    }
  }
  return raw;
}

async function writeJpegs(dir: string, count: number, offset: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let k = 0; k < count; k++) {
    await sharp(photoLike(600, 600, offset + k), { raw: { width: 600, height: 600, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(dir, `${String(k).padStart(3, '0')}.jpg`));
  }
}

async function withDataset<T>(perDomain: number, body: (dirA: string, dirB: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), 'duet-bench-data-'));
  try {
    await writeJpegs(join(root, 'A'), perDomain, 0);
    await writeJpegs(join(root, 'B'), perDomain, 1000);
    return await body(join(root, 'A'), join(root, 'B'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const threadPool = () => Number(process.env.UV_THREADPOOL_SIZE) || 4;

/** Images per second through the training pipeline: 600×600 JPEG → 256×256 crop in [-1, 1]. */
export async function benchDecode(
  options: { images?: number; batchSize?: number; prefetch?: number; perDomain?: number } = {},
): Promise<DecodeBenchResult> {
  const images = options.images ?? 128;
  const perDomain = options.perDomain ?? 16;
  const settings: PipelineSettings = {
    size: 256,
    loadSize: 286,
    preprocess: 'resize_and_crop',
    flip: true,
    batchSize: options.batchSize ?? 4,
  };
  const prefetch = options.prefetch ?? 4;
  return withDataset(perDomain, async (dirA, dirB) => {
    const scan = await scanDataset(dirA, dirB);
    const pipeline = createPipeline({ scan, settings, seed: 0, prefetch });
    await pipeline.next(); // warm-up: sharp's first call loads its codecs
    const start = pipeline.stats().images;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    while (pipeline.stats().images - start < images) await pipeline.next();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const decoded = pipeline.stats().images - start;
    await pipeline.close();
    return {
      imagesPerSecond: decoded / seconds,
      cpuMsPerImage: (cpu.user + cpu.system) / 1000 / decoded,
      images: decoded,
      seconds,
      source: '600×600 JPEG q90',
      size: settings.size,
      loadSize: settings.loadSize!,
      batchSize: settings.batchSize,
      prefetch,
      threadPool: threadPool(),
      cores: availableParallelism(),
    };
  });
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // A training step holds the JavaScript thread; decoding must go on beside it.
  }
}

/**
 * The share of a trainer's time lost waiting on data at `size` px (CycleGAN defaults: batch 1,
 * resize_and_crop from 600×600 JPEGs). `step` is one training iteration; by default a busy loop of stepMs.
 */
export async function benchDataWait(
  options: {
    size?: number;
    batches?: number;
    stepMs?: number;
    step?: (batch: Batch) => void | Promise<void>;
    perDomain?: number;
  } = {},
): Promise<DataWaitBenchResult> {
  const size = options.size ?? 128;
  const batches = options.batches ?? 40;
  const stepMs = options.stepMs ?? 50;
  const step = options.step ?? (() => busyWait(stepMs));
  return withDataset(options.perDomain ?? 16, async (dirA, dirB) => {
    const scan = await scanDataset(dirA, dirB);
    const settings: PipelineSettings = { size, preprocess: 'resize_and_crop', flip: true, batchSize: 1 };
    const free = createPipeline({ scan, settings, seed: 1, prefetch: 2 });
    await free.next();
    const t0 = performance.now();
    const freeBatches = Math.min(batches, 20);
    for (let i = 0; i < freeBatches; i++) await free.next();
    const pipelineMsPerBatch = (performance.now() - t0) / freeBatches;
    await free.close();

    const pipeline = createPipeline({ scan, settings, seed: 0, prefetch: 2 });
    for (let i = 0; i < batches; i++) {
      const batch = await pipeline.next();
      if (!batch) break;
      await step(batch);
    }
    const s = pipeline.stats();
    await pipeline.close();
    return {
      size,
      batches: s.batches,
      stepMs,
      waitShare: s.waitShare,
      waitMs: s.waitMs,
      busyMs: s.busyMs,
      firstWaitMs: s.firstWaitMs,
      synthetic: options.step === undefined,
      pipelineMsPerBatch,
    };
  });
}

export interface DataBenchReport {
  decode: DecodeBenchResult;
  wait: DataWaitBenchResult;
  lines: string[];
}

/** Both data benchmarks, with lines for the bench report. */
export async function benchData(
  options: { images?: number; batches?: number; stepMs?: number; step?: (batch: Batch) => void | Promise<void> } = {},
): Promise<DataBenchReport> {
  const decode = await benchDecode({ images: options.images });
  const wait = await benchDataWait({ batches: options.batches, stepMs: options.stepMs, step: options.step });
  const lines = [
    `data: decode ${decode.imagesPerSecond.toFixed(1)} images/s, ${decode.cpuMsPerImage.toFixed(1)} CPU ms/image (${decode.source} → ${decode.size}×${decode.size} crop via ${decode.loadSize}, batch ${decode.batchSize}, ${decode.images} images, thread pool ${decode.threadPool}, ${decode.cores} cores)`,
    `data: trainer waited ${(wait.waitShare * 100).toFixed(2)}% of its time at ${wait.size} px (${wait.batches} batches, ${wait.synthetic ? `synthetic ${wait.stepMs} ms step` : 'real training step'}; first batch ${wait.firstWaitMs.toFixed(0)} ms; the pipeline alone delivers a batch every ${wait.pipelineMsPerBatch.toFixed(1)} ms)`,
  ];
  return { decode, wait, lines };
}
