/**
 * Soak: a long run of a small configuration through the real run job (data pipeline, trainer, samples,
 * checkpoints, metrics), watching for leaks. Tensors alive must stay flat between steps and the resident
 * memory must not creep (under 5% growth after warm-up). For `duet bench`, not CI: it takes a while.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { startRun } from '../engine/runs/run.js';
import type { BenchArea } from './index.js';

export interface SoakOptions {
  iterations?: number;
  model?: 'cyclegan' | 'pix2pix';
  size?: number;
  /** Iterations before the baselines are taken (kernels compiled, pools filled, pipeline warm). */
  warmup?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  model: string;
  size: number;
  iterations: number;
  seconds: number;
  itPerSec: number;
  numTensors: { atWarmup: number; min: number; max: number; atEnd: number; afterStop: number; before: number };
  rssMB: { atWarmup: number; max: number; atEnd: number; growthPercent: number };
  heapUsedMB: { atWarmup: number; atEnd: number };
  state: string;
  error?: string;
}

async function writeImages(dir: string, count: number, size: number, offset: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(size * size * 3);
    for (let p = 0; p < data.length; p++) data[p] = (p * (i + 3) + offset * 29) % 256;
    await sharp(data, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(path.join(dir, `${i}.png`));
  }
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export async function benchSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const iterations = options.iterations ?? Number(process.env.DUET_SOAK_ITERATIONS ?? 2000);
  const model = options.model ?? 'pix2pix';
  const size = options.size ?? 32;
  const warmup = Math.min(options.warmup ?? 100, Math.floor(iterations / 4));
  const log = options.log ?? (() => {});
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-soak-'));
  try {
    await writeImages(path.join(root, 'A'), 8, size + 4, 0);
    await writeImages(path.join(root, 'B'), 8, size + 4, 1);
    gc();
    const before = tf.memory().numTensors;
    const run = await startRun({
      workspace: path.join(root, 'workspace'),
      dataA: path.join(root, 'A'),
      dataB: path.join(root, 'B'),
      name: 'soak',
      settings: {
        model,
        generator: 'tiny',
        discriminator: 'tiny',
        ngf: 8,
        ndf: 8,
        size,
        loadSize: size + 4,
        iterations,
        checkpointEvery: Math.max(1, Math.floor(iterations / 4)),
        sampleEvery: Math.max(1, Math.floor(iterations / 10)),
        keepCheckpoints: 2,
        seed: 1,
      },
    });
    const tensors: number[] = [];
    let atWarmup = { tensors: 0, rss: 0, heap: 0 };
    let maxRss = 0;
    const t0 = performance.now();
    run.on((e) => {
      if (e.type !== 'progress') return;
      const n = tf.memory().numTensors;
      if (e.iteration === warmup) {
        gc();
        const m = process.memoryUsage();
        atWarmup = { tensors: n, rss: m.rss, heap: m.heapUsed };
      }
      if (e.iteration >= warmup) {
        tensors.push(n);
        if (e.iteration % 50 === 0) maxRss = Math.max(maxRss, process.memoryUsage().rss);
      }
      if (e.iteration % 100 === 0) {
        log(
          `soak: ${e.iteration}/${iterations}, ${e.itPerSec.toFixed(2)} it/s, tensors ${n}, rss ${mb(process.memoryUsage().rss).toFixed(0)} MB`,
        );
      }
    });
    const result = await run.done;
    const seconds = (performance.now() - t0) / 1000;
    gc();
    const end = process.memoryUsage();
    const atEndTensors = tensors.at(-1) ?? 0;
    const report: SoakReport = {
      model,
      size,
      iterations: result.iteration,
      seconds,
      itPerSec: result.iteration / seconds,
      numTensors: {
        before,
        atWarmup: atWarmup.tensors,
        min: Math.min(...tensors),
        max: Math.max(...tensors),
        atEnd: atEndTensors,
        afterStop: tf.memory().numTensors,
      },
      rssMB: {
        atWarmup: mb(atWarmup.rss),
        max: mb(Math.max(maxRss, end.rss)),
        atEnd: mb(end.rss),
        growthPercent: atWarmup.rss > 0 ? ((end.rss - atWarmup.rss) / atWarmup.rss) * 100 : 0,
      },
      heapUsedMB: { atWarmup: mb(atWarmup.heap), atEnd: mb(end.heapUsed) },
      state: result.state,
      ...(result.error ? { error: result.error } : {}),
    };
    return report;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** The soak as a bench area: `duet bench` (DUET_SOAK_ITERATIONS sets the length, 2,000 by default). */
export const soakBenchArea: BenchArea = {
  area: 'soak',
  description: 'leak check: a long tiny pix2pix run through the run job — tensors flat, RSS growth < 5%',
  async run(ctx) {
    const r = await benchSoak({ log: ctx.log });
    const flat = r.numTensors.min === r.numTensors.max && r.numTensors.afterStop === r.numTensors.before;
    return {
      rows: [
        {
          area: 'soak',
          name: `${r.model} tiny ${r.size} px, ${r.iterations} iterations`,
          value: r.itPerSec,
          unit: 'it/s',
          note: r.error,
        },
        {
          area: 'soak',
          name: 'tensors alive between steps (max − min)',
          value: r.numTensors.max - r.numTensors.min,
          unit: 'tensors',
          note: `${flat ? 'flat' : 'NOT flat'}: ${r.numTensors.min}–${r.numTensors.max}; ${r.numTensors.afterStop} after stop (${r.numTensors.before} before)`,
        },
        {
          area: 'soak',
          name: 'RSS growth after warm-up',
          value: r.rssMB.growthPercent,
          unit: '%',
          note: `${r.rssMB.atWarmup.toFixed(0)} → ${r.rssMB.atEnd.toFixed(0)} MB (max ${r.rssMB.max.toFixed(0)})`,
        },
      ],
      details: r,
    };
  },
};
