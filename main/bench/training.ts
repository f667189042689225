/**
 * Training speed on the active backend, with Duet's own trainer (models/): median seconds per iteration
 * for the reference CycleGAN (resnet_9blocks + 70×70 PatchGAN, instance norm, LSGAN, pool 50) and pix2pix
 * (U-Net + 70×70 PatchGAN on A|B, batch norm, dropout, vanilla GAN, λ_L1 100) at batch 1, and generator
 * inference. unet_256 needs 256-px multiples, so below 256 px the U-Net has log2(size) downsamplings
 * (unet_64, unet_128) — the reference's rule for sizing it.
 *
 * On WebAssembly a configuration that cannot fit in its 4 GB, or that needs a kernel the wasm backend
 * lacks, is refused at once with the reason and what to do, not left to fail minutes in.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingSettings } from '#contract';
import { estimateStepMemory, needsRecompute, WASM_MEMORY_LIMIT_BYTES } from '../../models/memory.js';
import { createTrainer, type TrainerOptions } from '../../models/trainer.js';
import { type BackendReport, describeBackend, selectBackend } from '../engine/backend.js';

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
  options: TrainerOptions;
  network: string;
} {
  if (model === 'cyclegan') {
    return { settings: { model, size }, options: {}, network: 'resnet_9blocks + basic' };
  }
  const d = unetDownsamplings(size);
  return {
    settings: { model, size, generator: 'unet_256', norm: 'batch', dropout: true, ganMode: 'vanilla', poolSize: 0 },
    options: { unetDownsamplings: d },
    network: `unet_${2 ** d} + basic (6 ch)`,
  };
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
  const report: BackendReport | undefined = options.keepBackend ? undefined : await selectBackend();
  const backendName = tf.getBackend();
  const backend = report ? describeBackend(report) : backendName;
  const iterations = options.iterations ?? 2;
  const log = options.log ?? (() => {});
  const records: TrainingBenchRecord[] = [];
  const unsupported = trainingUnsupportedReason(backendName);
  // After wasm runs out of memory its heap is unusable for the rest of the process.
  let wasmExhausted: string | undefined;

  for (const size of options.sizes ?? [64, 128, 256]) {
    for (const model of ['cyclegan', 'pix2pix'] as const) {
      const config = configFor(model, size);
      const { settings, network } = config;
      // Above 128 px WebAssembly's 4 GB holds a step only with the generator passes recomputed.
      const trainerOptions: TrainerOptions = { ...config.options, recompute: needsRecompute(backendName, size) };
      const record: TrainingBenchRecord = { model, network, size, backend, status: 'ok', samples: [], cpuSamples: [] };
      if (model === 'cyclegan' && PYTORCH_CYCLEGAN_SECONDS[size])
        record.pytorchSeconds = PYTORCH_CYCLEGAN_SECONDS[size];
      if (trainerOptions.recompute) record.recompute = true;
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
          const memory = await estimateStepMemory(settings, trainerOptions, 32);
          log(
            `${model} ${size} px: estimated peak ${(memory.estimate(size) / 1024 ** 3).toFixed(2)} GB${trainerOptions.recompute ? ' (generator passes recomputed)' : ''}`,
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
        const trainer = createTrainer(settings, trainerOptions);
        const a = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
        const b = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
        try {
          trainer.step(a, b); // warm-up: kernels compiled, optimizer moments allocated
          for (let i = 0; i < iterations; i++) {
            const t0 = performance.now();
            const c0 = process.cpuUsage();
            trainer.step(a, b);
            record.samples.push((performance.now() - t0) / 1000);
            record.cpuSamples.push(cpuSeconds(process.cpuUsage(c0)));
          }
        } finally {
          trainer.dispose();
          tf.dispose([a, b]);
        }
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
        y.dataSync();
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
