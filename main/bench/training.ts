/**
 * Training speed on the active backend, timed on real run jobs (main/engine/runs/run.ts, the loop that
 * `duet train` and the window train through): median seconds per iteration for the reference CycleGAN
 * (resnet_9blocks + 70×70 PatchGAN, instance norm, LSGAN, pool 50) and pix2pix (U-Net + 70×70 PatchGAN on
 * A|B, batch norm, dropout, vanilla GAN, λ_L1 100) at batch 1, and generator inference. Each run trains on
 * a few generated images in a temporary workspace, so an iteration includes what a real one does: the
 * data pipeline, the loss read-back, the metrics line. unet_256 needs 256-px multiples, so below 256 px the
 * U-Net has log2(size) downsamplings (unet_64, unet_128) — the reference's rule for sizing it.
 *
 * On WebAssembly a configuration that cannot fit in its 4 GB, or that needs a kernel the wasm backend
 * lacks, is refused at once with the reason and what to do, not left to fail minutes in.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import type { TrainingSettings } from '#contract';
import { estimateStepMemory, needsRecompute, WASM_MEMORY_LIMIT_BYTES } from '../../models/memory.js';
import { createTrainer } from '../../models/trainer.js';
import { type BackendReport, describeBackend, selectBackend } from '../engine/backend.js';
import { startRun } from '../engine/runs/run.js';

export type TrainingBenchModel = 'cyclegan' | 'pix2pix' | 'generator-inference';

export interface TrainingBenchRecord {
  model: TrainingBenchModel;
  network: string;
  size: number;
  backend: string;
  status: 'ok' | 'refused' | 'failed';
  /** Median seconds per iteration (inference: per forward pass), wall clock. */
  secondsPerIteration?: number;
  samples: number[];
  /**
   * Median CPU seconds of this process per iteration. On a shared machine this is the steadier number:
   * wasm and the cpu backend run on one thread, so CPU time is the work itself, whatever the load.
   */
  cpuSecondsPerIteration?: number;
  cpuSamples: number[];
  message?: string;
  /** Generator passes recomputed in the backward pass to save memory (see models/trainer.ts). */
  recompute?: boolean;
  /** Estimated peak tensor memory of one step (bytes), where measured. */
  estimatedBytes?: number;
  /** PyTorch 1.13 on the same 2-core machine (DESIGN.md), CycleGAN only; and Duet ÷ PyTorch. */
  pytorchSeconds?: number;
  ratioToPytorch?: number;
}

/** Reference CycleGAN seconds per iteration in PyTorch 1.13 on the 2-core development machine. */
export const PYTORCH_CYCLEGAN_SECONDS: Record<number, number> = { 64: 0.97, 128: 2.35, 256: 8.2 };

export interface TrainingBenchOptions {
  sizes?: number[];
  /** Timed iterations per configuration, after one warm-up (default 2). */
  iterations?: number;
  inferenceSize?: number;
  /** Use the backend already active instead of selecting one. */
  keepBackend?: boolean;
  /** The report of that backend, recorded in each run's config (with keepBackend). */
  backend?: BackendReport;
  log?: (line: string) => void;
}

function unetDownsamplings(size: number): number {
  return Math.max(5, Math.min(8, Math.round(Math.log2(size))));
}

function configFor(
  model: 'cyclegan' | 'pix2pix',
  size: number,
): {
  settings: Partial<TrainingSettings>;
  network: string;
} {
  if (model === 'cyclegan') {
    return { settings: { model, size }, network: 'resnet_9blocks + basic' };
  }
  const generator = `unet_${2 ** unetDownsamplings(size)}` as TrainingSettings['generator'];
  return {
    settings: { model, size, generator, norm: 'batch', dropout: true, ganMode: 'vanilla', poolSize: 0 },
    network: `${generator} + basic (6 ch)`,
  };
}

/** A few noise images of the crop size, the same names in A and B (pix2pix pairs them by name). */
async function writeBenchImages(dir: string, size: number): Promise<{ a: string; b: string }> {
  const folders = { a: path.join(dir, 'A'), b: path.join(dir, 'B') };
  for (const [k, folder] of Object.entries(folders)) {
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 2; i++) {
      await sharp({
        create: {
          width: size,
          height: size,
          channels: 3,
          background: { r: k === 'a' ? 40 : 200, g: 90 * i, b: 120 },
          noise: { type: 'gaussian', mean: 128, sigma: 40 },
        },
      })
        .png()
        .toFile(path.join(folder, `${i}.png`));
    }
  }
  return folders;
}

/**
 * Wall and CPU seconds of each iteration after the first (the warm-up: kernels compiled, optimizer moments
 * allocated) of a run job training `iterations + 1` iterations, measured between its progress events.
 */
async function timeRunJob(
  settings: Partial<TrainingSettings>,
  iterations: number,
  backend: BackendReport | undefined,
  dir: string,
): Promise<{ samples: number[]; cpuSamples: number[] }> {
  const size = settings.size!;
  const data = await writeBenchImages(path.join(dir, `${settings.model}-${size}`), size);
  const total = iterations + 1;
  const handle = await startRun({
    workspace: path.join(dir, 'workspace'),
    dataA: data.a,
    dataB: data.b,
    name: `bench ${settings.model} ${size}`,
    // The crop is the whole image; samples and the checkpoint come after the last timed iteration.
    settings: { ...settings, loadSize: size, iterations: total, sampleEvery: total, checkpointEvery: total },
    ...(backend ? { backend } : {}),
  });
  const marks: Array<{ wall: number; cpu: number }> = [];
  const off = handle.on((e) => {
    if (e.type === 'progress') marks.push({ wall: performance.now(), cpu: cpuSeconds(process.cpuUsage()) });
  });
  const result = await handle.done;
  off();
  if (result.state !== 'finished') throw new Error(result.error ?? `the run ended ${result.state}`);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  for (let i = 1; i < marks.length; i++) {
    samples.push((marks[i]!.wall - marks[i - 1]!.wall) / 1000);
    cpuSamples.push(marks[i]!.cpu - marks[i - 1]!.cpu);
  }
  return { samples, cpuSamples };
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Errors wasm raises when its 4 GB heap is exhausted (they arrive fast: the first large allocation). */
export function isWasmMemoryError(message: string): boolean {
  return /memory access out of bounds|Invalid typed array length|out of memory|Cannot enlarge memory|Aborted\(/i.test(
    message,
  );
}

/** Why training cannot run on this backend at all, or undefined. */
export function trainingUnsupportedReason(backend: string): string | undefined {
  for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    if (!tf.getKernel(kernel, backend)) {
      return `the ${backend} backend has no ${kernel} kernel, which training a convolution needs (stock tfjs-${backend} 4.22 lacks it). Use DUET_BACKEND=cpu or install @tensorflow/tfjs-node.`;
    }
  }
  return undefined;
}

export async function benchTraining(options: TrainingBenchOptions = {}): Promise<TrainingBenchRecord[]> {
  const report: BackendReport | undefined = options.keepBackend ? options.backend : await selectBackend();
  const backendName = tf.getBackend();
  const backend = report ? describeBackend(report) : backendName;
  const iterations = options.iterations ?? 2;
  const log = options.log ?? (() => {});
  const records: TrainingBenchRecord[] = [];
  const unsupported = trainingUnsupportedReason(backendName);
  // After wasm runs out of memory its heap is unusable for the rest of the process.
  let wasmExhausted: string | undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duet-bench-training-'));

  try {
    for (const size of options.sizes ?? [64, 128, 256]) {
      for (const model of ['cyclegan', 'pix2pix'] as const) {
        const { settings, network } = configFor(model, size);
        // Above 128 px WebAssembly's 4 GB holds a step only with the generator passes recomputed (the run
        // job decides this the same way).
        const recompute = needsRecompute(backendName, size);
        const record: TrainingBenchRecord = {
          model,
          network,
          size,
          backend,
          status: 'ok',
          samples: [],
          cpuSamples: [],
        };
        if (model === 'cyclegan' && PYTORCH_CYCLEGAN_SECONDS[size])
          record.pytorchSeconds = PYTORCH_CYCLEGAN_SECONDS[size];
        if (recompute) record.recompute = true;
        records.push(record);
        if (unsupported || wasmExhausted) {
          record.status = 'refused';
          record.message = unsupported
            ? `Cannot train here: ${unsupported}`
            : `Not run: WebAssembly's memory was exhausted by ${wasmExhausted}; run this size on its own.`;
          log(`${model} ${size} px: refused — ${record.message}`);
          continue;
        }
        try {
          // Measured before it runs: a step that cannot fit is refused at once, not minutes in. The U-Net
          // step is small (its activations shrink fast) and cannot be probed below its own multiple, so
          // only the ResNet CycleGAN step, the one that outgrows WebAssembly's memory, is measured.
          if (backendName === 'wasm' && model === 'cyclegan') {
            const memory = await estimateStepMemory(settings, { recompute }, 32);
            log(
              `${model} ${size} px: estimated peak ${(memory.estimate(size) / 1024 ** 3).toFixed(2)} GB${recompute ? ' (generator passes recomputed)' : ''}`,
            );
            record.estimatedBytes = Math.round(memory.estimate(size));
            // Leave room for the wasm heap's own bookkeeping and fragmentation.
            if (record.estimatedBytes > 0.8 * WASM_MEMORY_LIMIT_BYTES) {
              record.status = 'refused';
              record.message = `${model} at ${size} px needs about ${(record.estimatedBytes / 1024 ** 3).toFixed(1)} GB of tensors; WebAssembly is limited to 4 GB. Train at ${size / 2} px, or install @tensorflow/tfjs-node (or -gpu) for larger crops.`;
              log(`${model} ${size} px: refused — ${record.message}`);
              continue;
            }
          }
          const timed = await timeRunJob(settings, iterations, report, dir);
          record.samples = timed.samples;
          record.cpuSamples = timed.cpuSamples;
          record.secondsPerIteration = median(record.samples);
          record.cpuSecondsPerIteration = median(record.cpuSamples);
          if (record.pytorchSeconds) record.ratioToPytorch = record.secondsPerIteration / record.pytorchSeconds;
          log(
            `${model} ${size} px: ${record.secondsPerIteration.toFixed(2)} s/iteration (${record.cpuSecondsPerIteration.toFixed(2)} s CPU)`,
          );
        } catch (err) {
          const raw = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
          if (backendName === 'wasm' && isWasmMemoryError(raw)) {
            wasmExhausted = `${model} at ${size} px`;
            record.status = 'refused';
            record.message = `${model} at ${size} px does not fit in WebAssembly's 4 GB memory ("${raw}"). Train at ${size / 2} px or smaller, or install @tensorflow/tfjs-node (or -gpu) for larger crops.`;
          } else {
            record.status = 'failed';
            record.message = raw;
          }
          log(`${model} ${size} px: ${record.status} — ${record.message}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Generator inference: the reference CycleGAN generator, one image.
  const size = options.inferenceSize ?? 256;
  const record: TrainingBenchRecord = {
    model: 'generator-inference',
    network: 'resnet_9blocks',
    size,
    backend,
    status: 'ok',
    samples: [],
    cpuSamples: [],
  };
  records.push(record);
  if (wasmExhausted) {
    record.status = 'refused';
    record.message = `Not run: WebAssembly's memory was exhausted by ${wasmExhausted}; run inference on its own.`;
    return records;
  }
  try {
    const trainer = createTrainer({ model: 'cyclegan', lambdaIdentity: 0 });
    const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    try {
      for (let i = 0; i <= Math.max(2, iterations); i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const y = trainer.translate(x, 'AtoB');
        // Read asynchronously: webgpu has no synchronous read in Node (and a GPU finishes the pass here).
        await y.data();
        y.dispose();
        if (i > 0) {
          record.samples.push((performance.now() - t0) / 1000);
          record.cpuSamples.push(cpuSeconds(process.cpuUsage(c0)));
        }
      }
    } finally {
      trainer.dispose();
      x.dispose();
    }
    record.secondsPerIteration = median(record.samples);
    record.cpuSecondsPerIteration = median(record.cpuSamples);
    log(`generator inference ${size} px: ${record.secondsPerIteration.toFixed(3)} s`);
  } catch (err) {
    record.status = 'failed';
    record.message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
  return records;
}

export function formatTrainingBench(records: TrainingBenchRecord[]): string[] {
  return records.map((r) => {
    const digits = r.model === 'generator-inference' ? 3 : 2;
    const value =
      r.status === 'ok'
        ? `${r.secondsPerIteration!.toFixed(digits)} s wall, ${r.cpuSecondsPerIteration!.toFixed(digits)} s CPU`
        : r.status;
    const ratio = r.ratioToPytorch ? ` (${r.ratioToPytorch.toFixed(1)}× PyTorch's ${r.pytorchSeconds} s)` : '';
    const why = r.message ? ` — ${r.message}` : '';
    return `${r.model} ${r.network} ${r.size} px on ${r.backend}: ${value}${ratio}${why}`;
  });
}
