/**
 * Seconds per iteration on the wasm backend for the reference configurations, beside PyTorch on the same
 * machine where python3-torch is installed.
 *
 * One CycleGAN iteration is the reference's: G_A and G_B updated together (LSGAN adversarial, cycle λ=10,
 * identity 0.5·λ), then D_A and D_B (loss × 0.5) on the detached fakes; Adam(2e-4, 0.5, 0.999), batch 1.
 * The image pool is left out: it moves no pixels through a network. pix2pix: U-Net + 6-channel PatchGAN
 * with batch norm, vanilla GAN + λ_L1=100. Generator inference: ResNet-9 forward at 256 px.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildDiscriminator, buildGenerator, patchDiscriminator, unetGenerator } from '../../models/networks.js';
import { describeBackend, selectBackend } from '../engine/backend.js';

export type WasmBenchModel = 'cyclegan' | 'pix2pix' | 'generator-inference';

export interface WasmBenchRecord {
  model: WasmBenchModel;
  /** Generator / discriminator, as the reference names them. */
  network: string;
  size: number;
  backend: string;
  secondsPerIteration: number;
  /** CPU seconds per iteration (see IterationTiming). */
  cpuSecondsPerIteration?: number;
  iterations: number;
  /** PyTorch on the same machine, same configuration; absent with `torchSkipped` saying why. */
  torchSecondsPerIteration?: number;
  torchCpuSecondsPerIteration?: number;
  torchThreads?: number;
  /** Duet ÷ PyTorch, wall clock. */
  ratio?: number;
  torchSkipped?: string;
  /** Why this configuration did not run on wasm (e.g. out of memory). */
  error?: string;
}

/**
 * One configuration ready to run: `step()` is one iteration (all tensors it makes are freed); `settle()`
 * waits until the device has finished every iteration queued so far (on webgpu `step()` only queues work).
 */
export interface BenchStep {
  model: WasmBenchModel;
  network: string;
  size: number;
  step(): void;
  settle(): Promise<void>;
  dispose(): void;
}

/** Reading one weight waits for every update queued before it (a device runs its queue in order). */
async function settleOn(model: tfl.LayersModel): Promise<void> {
  const last = model.trainableWeights.at(-1);
  if (last) await last.read().data();
}

function variables(models: tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
}

function run(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor4D {
  return model.apply(x, { training: true }) as tf.Tensor4D;
}

const lsgan = (pred: tf.Tensor, real: boolean) => tf.mean(tf.square(tf.sub(pred, real ? 1 : 0))) as tf.Scalar;
const l1 = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar;
function bce(logits: tf.Tensor, target: number): tf.Scalar {
  const stable = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.mean(stable) as tf.Scalar;
}

function adam(): tf.Optimizer {
  return tf.train.adam(2e-4, 0.5, 0.999);
}

function image(size: number, channels: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([1, size, size, channels], -1, 1, 'float32', seed) as tf.Tensor4D;
}

/** The reference CycleGAN (ResNet-9 generators, 70×70 PatchGAN with instance norm), batch 1. */
export function cycleGanStep(size: number): BenchStep {
  const gA = buildGenerator('resnet_9blocks', { seed: 1 });
  const gB = buildGenerator('resnet_9blocks', { seed: 2 });
  const dA = buildDiscriminator('basic', { norm: 'instance', seed: 3 });
  const dB = buildDiscriminator('basic', { norm: 'instance', seed: 4 });
  const optG = adam();
  const optD = adam();
  const gVars = variables([gA, gB]);
  const dVars = variables([dA, dB]);
  const realA = image(size, 3, 5);
  const realB = image(size, 3, 6);
  const lambda = 10;
  const lambdaIdt = 0.5;
  return {
    model: 'cyclegan',
    network: 'resnet_9blocks / basic',
    size,
    settle: () => settleOn(dB),
    step() {
      let fakeA: tf.Tensor | undefined;
      let fakeB: tf.Tensor | undefined;
      // The generator loss is a sum, so its gradient is the sum of the gradients of three groups of
      // terms, each needing only two generator passes on the tape: a third of the activations held at
      // once, which is what lets 128 px fit in wasm's 4 GB.
      const groups: Array<() => tf.Scalar> = [
        () => {
          const fB = run(gA, realA);
          fakeB = tf.keep(fB);
          return tf.add(lsgan(run(dA, fB), true), tf.mul(l1(run(gB, fB), realA), lambda)) as tf.Scalar;
        },
        () => {
          const fA = run(gB, realB);
          fakeA = tf.keep(fA);
          return tf.add(lsgan(run(dB, fA), true), tf.mul(l1(run(gA, fA), realB), lambda)) as tf.Scalar;
        },
        () => tf.mul(tf.add(l1(run(gA, realB), realB), l1(run(gB, realA), realA)), lambda * lambdaIdt) as tf.Scalar,
      ];
      let total: tf.NamedTensorMap | undefined;
      for (const group of groups) {
        const { value, grads } = optG.computeGradients(group, gVars);
        value.dispose();
        if (!total) {
          total = grads;
          continue;
        }
        const sum: tf.NamedTensorMap = {};
        for (const name of Object.keys(grads)) {
          sum[name] = tf.add(total[name] as tf.Tensor, grads[name] as tf.Tensor);
        }
        tf.dispose([...Object.values(total), ...Object.values(grads)]);
        total = sum;
      }
      if (total) {
        optG.applyGradients(total);
        tf.dispose(Object.values(total));
      }
      const fA = fakeA as tf.Tensor;
      const fB = fakeB as tf.Tensor;
      tf.tidy(() => {
        optD.minimize(
          () => {
            const lossDA = tf.mul(tf.add(lsgan(run(dA, realB), true), lsgan(run(dA, fB), false)), 0.5);
            const lossDB = tf.mul(tf.add(lsgan(run(dB, realA), true), lsgan(run(dB, fA), false)), 0.5);
            return tf.add(lossDA, lossDB) as tf.Scalar;
          },
          false,
          dVars,
        );
      });
      tf.dispose([fA, fB]);
    },
    dispose() {
      for (const m of [gA, gB, dA, dB]) m.dispose();
      optG.dispose();
      optD.dispose();
      tf.dispose([realA, realB]);
    },
  };
}

/** The reference pix2pix (U-Net with log2(size) downsamplings, batch norm; 6-channel PatchGAN), batch 1. */
export function pix2PixStep(size: number): BenchStep {
  const downsamplings = Math.round(Math.log2(size));
  const g = unetGenerator({ downsamplings, norm: 'batch', dropout: true, seed: 1 });
  const d = patchDiscriminator({ inputChannels: 6, norm: 'batch', layers: 3, seed: 2 });
  const optG = adam();
  const optD = adam();
  const gVars = variables([g]);
  const dVars = variables([d]);
  const realA = image(size, 3, 5);
  const realB = image(size, 3, 6);
  return {
    model: 'pix2pix',
    settle: () => settleOn(d),
    network: `unet_${size} / basic`,
    size,
    step() {
      let fake: tf.Tensor | undefined;
      tf.tidy(() => {
        optG.minimize(
          () => {
            const f = run(g, realA);
            fake = tf.keep(f);
            const pred = run(d, tf.concat([realA, f], 3));
            return tf.add(bce(pred, 1), tf.mul(l1(f, realB), 100)) as tf.Scalar;
          },
          false,
          gVars,
        );
      });
      const f = fake as tf.Tensor;
      tf.tidy(() => {
        optD.minimize(
          () => {
            const real = bce(run(d, tf.concat([realA, realB], 3)), 1);
            const fakeLoss = bce(run(d, tf.concat([realA, f], 3)), 0);
            return tf.mul(tf.add(real, fakeLoss), 0.5) as tf.Scalar;
          },
          false,
          dVars,
        );
      });
      f.dispose();
    },
    dispose() {
      g.dispose();
      d.dispose();
      optG.dispose();
      optD.dispose();
      tf.dispose([realA, realB]);
    },
  };
}

/** ResNet-9 generator forward pass (translation), batch 1. */
export function generatorInferenceStep(size: number): BenchStep {
  const g = buildGenerator('resnet_9blocks', { seed: 1 });
  const x = image(size, 3, 5);
  let last: tf.Tensor | undefined;
  return {
    model: 'generator-inference',
    network: 'resnet_9blocks',
    size,
    step() {
      last?.dispose();
      last = tf.tidy(() => g.apply(x, { training: false }) as tf.Tensor);
    },
    async settle() {
      if (last) await last.data();
    },
    dispose() {
      last?.dispose();
      g.dispose();
      x.dispose();
    },
  };
}

export interface IterationTiming {
  /** Wall-clock seconds per iteration. */
  seconds: number;
  /** CPU seconds this process used per iteration: close to `seconds` on an idle machine, and less
   * inflated than it when other processes compete for the cores. */
  cpuSeconds: number;
}

/**
 * Mean time per iteration over `iterations` after `warmup` untimed ones. Each iteration waits for its
 * result, as a training loop that reports every iteration does.
 */
export async function timeIterations(step: BenchStep, iterations: number, warmup = 1): Promise<IterationTiming> {
  for (let i = 0; i < warmup; i++) {
    step.step();
    await step.settle();
  }
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    step.step();
    await step.settle();
  }
  const seconds = (performance.now() - start) / 1000 / iterations;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 / iterations };
}

export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
  share: number;
}

/** Per-kernel time of one iteration (tfjs's own profiler), largest first. */
export async function profileStep(step: BenchStep): Promise<KernelTime[]> {
  const info = await tf.profile(() => step.step());
  const byKernel = new Map<string, { ms: number; calls: number }>();
  const backendName = tf.getBackend();
  for (const k of info.kernels) {
    // customGrad wrappers (e.g. fusedConv2d__op) are listed too and contain their inner kernels' time.
    if (!tf.getKernel(k.name, backendName)) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const row = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    row.ms += ms;
    row.calls += 1;
    byKernel.set(k.name, row);
  }
  const total = [...byKernel.values()].reduce((s, r) => s + r.ms, 0) || 1;
  return [...byKernel.entries()]
    .map(([kernel, r]) => ({ kernel, ms: r.ms, calls: r.calls, share: r.ms / total }))
    .sort((a, b) => b.ms - a.ms);
}

const TORCH_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'torch_bench.py');

/** Interpreters tried for PyTorch: DUET_PYTHON, then python3 on PATH, then Debian's own. */
function pythonCandidates(): string[] {
  return [...new Set([process.env.DUET_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p))];
}

/** The Python that can import torch here; the reason where none can. */
export function torchAvailability(): { ok: true; python: string } | { ok: false; reason: string } {
  const reasons: string[] = [];
  for (const python of pythonCandidates()) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.error) {
      reasons.push(`${python}: not available`);
      continue;
    }
    if (r.status === 0) return { ok: true, python };
    reasons.push(`${python}: ${r.stderr.trim().split('\n').pop() ?? 'import torch failed'}`);
  }
  return {
    ok: false,
    reason: `PyTorch is not installed (${reasons.join('; ')}); on Debian: apt-get install python3-torch`,
  };
}

/** The same configuration in PyTorch (scripts/torch_bench.py), seconds per iteration. */
export function torchSecondsPerIteration(
  python: string,
  model: WasmBenchModel,
  size: number,
  iterations: number,
): { seconds: number; cpuSeconds: number; threads: number } {
  const r = spawnSync(python, [TORCH_SCRIPT, model, String(size), String(iterations)], {
    encoding: 'utf8',
    timeout: 30 * 60_000,
  });
  if (r.status !== 0) throw new Error(`torch_bench.py ${model} ${size} failed: ${r.stderr.trim().slice(-400)}`);
  const parsed = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
    seconds_per_iteration?: number;
    cpu_seconds_per_iteration?: number;
    threads?: number;
  };
  if (typeof parsed.seconds_per_iteration !== 'number') {
    throw new Error(`torch_bench.py printed no timing: ${r.stdout.slice(-200)}`);
  }
  return {
    seconds: parsed.seconds_per_iteration,
    cpuSeconds: parsed.cpu_seconds_per_iteration ?? Number.NaN,
    threads: parsed.threads ?? 1,
  };
}

export interface WasmBenchOptions {
  /** Training sizes (default 64 and 128). */
  sizes?: number[];
  /** Inference size (default 256). */
  inferenceSize?: number;
  /** Timed iterations per configuration (default 2). */
  iterations?: number;
  /** Skip the PyTorch column even where it is installed. */
  noTorch?: boolean;
  /** One line per finished record (progress for humans). */
  onRecord?: (record: WasmBenchRecord) => void;
  /** The backend the configurations run on (default wasm): webgpu gives the same rows on a WebGPU adapter. */
  backend?: 'wasm' | 'webgpu';
}

/** Runs every configuration on wasm, or on webgpu (and PyTorch where available). */
export async function runWasmBench(options: WasmBenchOptions = {}): Promise<WasmBenchRecord[]> {
  const report = await selectBackend({ env: { DUET_BACKEND: options.backend ?? 'wasm' } });
  const backend = describeBackend(report);
  const iterations = options.iterations ?? 2;
  const torch = options.noTorch
    ? { ok: false as const, reason: 'skipped on request (--no-torch)' }
    : torchAvailability();
  const configs: Array<() => BenchStep> = [];
  for (const size of options.sizes ?? [64, 128]) {
    configs.push(
      () => cycleGanStep(size),
      () => pix2PixStep(size),
    );
  }
  const inferenceSize = options.inferenceSize ?? 256;
  configs.push(() => generatorInferenceStep(inferenceSize));

  const records: WasmBenchRecord[] = [];
  for (const make of configs) {
    const step = make();
    const record: WasmBenchRecord = {
      model: step.model,
      network: step.network,
      size: step.size,
      backend,
      secondsPerIteration: Number.NaN,
      iterations,
    };
    try {
      const timing = await timeIterations(step, iterations);
      record.secondsPerIteration = timing.seconds;
      record.cpuSecondsPerIteration = timing.cpuSeconds;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    } finally {
      step.dispose();
    }
    if (torch.ok) {
      try {
        const t = torchSecondsPerIteration(torch.python, step.model, step.size, iterations);
        record.torchSecondsPerIteration = t.seconds;
        record.torchCpuSecondsPerIteration = t.cpuSeconds;
        record.torchThreads = t.threads;
        record.ratio = record.secondsPerIteration / t.seconds;
      } catch (err) {
        record.torchSkipped = err instanceof Error ? err.message : String(err);
      }
    } else {
      record.torchSkipped = torch.reason;
    }
    options.onRecord?.(record);
    records.push(record);
  }
  return records;
}

/** Human-readable table of the records. */
export function formatWasmBench(records: WasmBenchRecord[]): string {
  const lines = ['model                size  backend                     s/it (Duet)  s/it (PyTorch)  ratio'];
  for (const r of records) {
    const duet = r.error ? `failed: ${r.error.slice(0, 60)}` : r.secondsPerIteration.toFixed(2);
    const torch = r.torchSecondsPerIteration !== undefined ? r.torchSecondsPerIteration.toFixed(2) : '—';
    const ratio = r.ratio !== undefined && Number.isFinite(r.ratio) ? `${r.ratio.toFixed(1)}×` : '—';
    lines.push(
      `${r.model.padEnd(20)} ${String(r.size).padEnd(5)} ${r.backend.padEnd(27)} ${duet.padEnd(12)} ${torch.padEnd(15)} ${ratio}`,
    );
  }
  const skipped = records.find((r) => r.torchSkipped)?.torchSkipped;
  if (skipped) lines.push(`PyTorch column skipped: ${skipped}`);
  return lines.join('\n');
}

/**
 * The `wasm` area of `duet bench`: forces the wasm backend for its own runs, then restores the active one.
 * Under `duet bench --backend webgpu` the same configurations run on webgpu instead, giving the same rows.
 */
export const wasmBenchArea = {
  area: 'wasm',
  description:
    'wasm backend (webgpu under --backend webgpu): reference CycleGAN and pix2pix at 64/128 px, inference at 256 px, beside PyTorch',
  async run(ctx: { log: (line: string) => void; backend?: { candidate: string } }) {
    const previous = tf.getBackend();
    const backend = ctx.backend?.candidate === 'webgpu' ? 'webgpu' : 'wasm';
    try {
      const records = await runWasmBench({
        backend,
        onRecord: (r) =>
          ctx.log(
            `${backend} ${r.model} ${r.size} px: ${r.error ? `failed: ${r.error}` : `${r.secondsPerIteration.toFixed(2)} s`}`,
          ),
      });
      ctx.log(formatWasmBench(records));
      const rows = records.map((r) => ({
        area: 'wasm',
        name: `${r.model} ${r.size} px (${r.network})`,
        value: r.error ? null : r.secondsPerIteration,
        unit: r.model === 'generator-inference' ? 's/image' : 's/it',
        note:
          r.error ??
          [
            r.cpuSecondsPerIteration !== undefined ? `${r.cpuSecondsPerIteration.toFixed(2)} s CPU` : '',
            r.torchSecondsPerIteration !== undefined
              ? `PyTorch ${r.torchSecondsPerIteration.toFixed(2)} s (${r.torchThreads} thread${r.torchThreads === 1 ? '' : 's'}), ${r.ratio?.toFixed(1)}×`
              : `PyTorch: ${r.torchSkipped ?? 'not measured'}`,
          ]
            .filter(Boolean)
            .join('; '),
      }));
      return { rows, details: records };
    } finally {
      if (previous && previous !== tf.getBackend()) await tf.setBackend(previous);
    }
  },
};
