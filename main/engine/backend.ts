/**
 * Backend selection: the one place that decides which TensorFlow.js backend Duet trains on.
 *
 * Order: tfjs-node-gpu (CUDA) → webgpu (Dawn: Vulkan, Metal, D3D12) → tfjs-node (native CPU) → wasm → cpu.
 * A user setting, DUET_BACKEND or --backend can force one. A software WebGPU adapter (lavapipe,
 * SwiftShader) is passed over in the automatic order: measured on Duet's steps it is slower than wasm
 * (`duet bench --backend webgpu`); forced, it runs. Every candidate that was tried and failed is kept
 * in the report with its reason, so the UI and `duet info` say what happened instead of guessing.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import util from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { assertTfjsVersions, isUsingGpuDevice, quietCpuBanner, wasmThreadCount } from './tfjs-internals.js';
import type { WebGpuAdapter } from './webgpu.js';

export const BACKEND_CANDIDATES = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendCandidate = (typeof BACKEND_CANDIDATES)[number];

export interface BackendAttempt {
  candidate: BackendCandidate;
  ok: boolean;
  /** Why this candidate was not used (absent when it was). */
  reason?: string;
}

export interface BackendReport {
  /** The candidate that runs. */
  candidate: BackendCandidate;
  /** tfjs's own name for the active backend ('tensorflow', 'wasm', 'cpu'). */
  backend: string;
  /** Whether computations run on a GPU device. Read from the backend, never assumed. */
  gpu: boolean;
  tfjsVersion: string;
  /** libtensorflow's version where a native backend runs. */
  tensorflowVersion?: string;
  /** wasm only: whether SIMD and threads are in use. */
  wasmFeatures?: { simd: boolean; threads: boolean; threadCount: number };
  /** webgpu only: the adapter Dawn chose and its limits. */
  adapter?: WebGpuAdapter;
  forcedBy?: 'DUET_BACKEND' | 'setting';
  attempts: BackendAttempt[];
}

/** What a loader made available: tfjs's name for the backend, and what is known about its device. */
export interface LoadedBackend {
  name: string;
  tensorflowVersion?: string;
  adapter?: WebGpuAdapter;
}

/**
 * One candidate's loader: makes the backend available and returns tfjs's name for it. `automatic` is
 * true when the candidate was not asked for by name, so a loader can pass over a device that would be
 * slower than the candidates after it.
 */
export type BackendLoader = (context: { automatic: boolean }) => Promise<LoadedBackend>;

const nodeRequire = createRequire(import.meta.url);

/**
 * tfjs-node 4.x calls util.isNullOrUndefined, removed in Node 23. Restore it before the addon loads.
 */
export function polyfillNodeUtil(): void {
  const u = util as unknown as Record<string, unknown>;
  if (typeof u.isNullOrUndefined !== 'function') {
    u.isNullOrUndefined = (v: unknown) => v === null || v === undefined;
  }
}

function nativeLoader(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): BackendLoader {
  return async () => {
    try {
      nodeRequire.resolve(pkg);
    } catch {
      throw new Error(`not installed (${pkg} is missing; its install downloads libtensorflow)`);
    }
    polyfillNodeUtil();
    // biome-ignore lint/suspicious/noExplicitAny: the native module's shape is not typed here
    const mod: any = nodeRequire(pkg);
    const version = mod?.version?.['tfjs-node'] as string | undefined;
    return { name: 'tensorflow', tensorflowVersion: version ? `libtensorflow via tfjs-node ${version}` : undefined };
  };
}

/** Folder holding tfjs-backend-wasm's .wasm files, for setWasmPaths. */
export function wasmDirectory(): string {
  return `${path.dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}${path.sep}`;
}

const wasmLoader: BackendLoader = async () => {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDirectory());
  // Duet's convolution gradients: stock wasm has no Conv2DBackpropFilter and a slow Conv2DBackpropInput.
  const { registerWasmKernels, startWasmBackend } = await import('./wasm/index.js');
  registerWasmKernels();
  // The threaded-SIMD build on every core where it starts (DUET_WASM_THREADS=N sets the count, 1 turns
  // threads off); otherwise the package's single-threaded build.
  await startWasmBackend({ threads: process.env.DUET_WASM_THREADS });
  return { name: 'wasm' };
};

const webgpuLoader: BackendLoader = async ({ automatic }) => {
  const { releaseWebGpuBackend, startWebGpuBackend } = await import('./webgpu.js');
  const started = await startWebGpuBackend();
  if (automatic && started.adapter.software) {
    releaseWebGpuBackend();
    throw new Error(
      `only a software adapter (${started.adapter.description}), slower than wasm: passed over unless forced (DUET_BACKEND=webgpu, --backend webgpu)`,
    );
  }
  return started;
};

const cpuLoader: BackendLoader = async () => {
  await import('@tensorflow/tfjs-backend-cpu');
  // The stock cpu Conv2DBackpropFilter dominates a training step; Duet's faster one gives the same results.
  const { registerFastCpuKernels } = await import('../../models/cpu-kernels.js');
  registerFastCpuKernels();
  return { name: 'cpu' };
};

export const DEFAULT_LOADERS: Record<BackendCandidate, BackendLoader> = {
  'tfjs-node-gpu': nativeLoader('@tensorflow/tfjs-node-gpu'),
  webgpu: webgpuLoader,
  'tfjs-node': nativeLoader('@tensorflow/tfjs-node'),
  wasm: wasmLoader,
  cpu: cpuLoader,
};

export function parseBackendCandidate(value: string | undefined): BackendCandidate | undefined {
  if (!value) return undefined;
  const v = value.trim().toLowerCase();
  const aliases: Record<string, BackendCandidate> = {
    gpu: 'tfjs-node-gpu',
    'tfjs-node-gpu': 'tfjs-node-gpu',
    webgpu: 'webgpu',
    dawn: 'webgpu',
    tensorflow: 'tfjs-node',
    node: 'tfjs-node',
    'tfjs-node': 'tfjs-node',
    wasm: 'wasm',
    cpu: 'cpu',
  };
  const c = aliases[v];
  if (!c) {
    throw new Error(`Unknown backend "${value}". Choose one of: ${BACKEND_CANDIDATES.join(', ')} (or "auto").`);
  }
  return c;
}

export interface SelectBackendOptions {
  /** A user setting ('auto' or undefined means no preference). */
  preference?: string;
  /** Environment to read DUET_BACKEND from (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** Injected loaders (tests). */
  loaders?: Partial<Record<BackendCandidate, BackendLoader>>;
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.slice(0, 400) ?? 'unknown error';
}

function readWasmFeatures(): BackendReport['wasmFeatures'] {
  const env = tf.env();
  const simd = env.getBool('WASM_HAS_SIMD_SUPPORT') as boolean;
  const threads = env.getBool('WASM_HAS_MULTITHREAD_SUPPORT') as boolean;
  return { simd, threads, threadCount: wasmThreadCount() };
}

/**
 * Try each candidate in order (or only the forced one) and make the first that works the active tfjs
 * backend. A forced backend that fails is an error: the user asked for it by name. Every engine entry
 * (the engine process, the CLI, the benches) starts here, so this is where the installed tfjs version is
 * checked against the one Duet's internals were written for.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  // Duet relies on tfjs internals of one exact version: refuse to start on another.
  assertTfjsVersions();
  const env = options.env ?? process.env;
  const loaders = { ...DEFAULT_LOADERS, ...options.loaders };
  const fromEnv = env.DUET_BACKEND && env.DUET_BACKEND !== 'auto' ? env.DUET_BACKEND : undefined;
  const fromSetting = options.preference && options.preference !== 'auto' ? options.preference : undefined;
  const forced = parseBackendCandidate(fromEnv ?? fromSetting);
  const forcedBy: BackendReport['forcedBy'] = fromEnv ? 'DUET_BACKEND' : fromSetting ? 'setting' : undefined;
  const order: BackendCandidate[] = forced ? [forced] : [...BACKEND_CANDIDATES];

  const attempts: BackendAttempt[] = [];
  for (const candidate of order) {
    try {
      const loaded = await loaders[candidate]({ automatic: !forced });
      const ok = await tf.setBackend(loaded.name);
      if (!ok) throw new Error(`tfjs could not initialise the "${loaded.name}" backend`);
      await tf.ready();
      quietCpuBanner();
      // Read everything before recording success, so a failure here falls through with one attempt.
      const report: Omit<BackendReport, 'attempts'> = {
        candidate,
        backend: tf.getBackend(),
        // A software adapter computes on the CPU, whatever the API it speaks.
        gpu: loaded.adapter ? !loaded.adapter.software : isUsingGpuDevice(),
        tfjsVersion: tf.version_core,
        tensorflowVersion: loaded.tensorflowVersion,
        wasmFeatures: loaded.name === 'wasm' ? readWasmFeatures() : undefined,
        adapter: loaded.adapter,
        forcedBy,
      };
      attempts.push({ candidate, ok: true });
      return { ...report, attempts };
    } catch (err) {
      attempts.push({ candidate, ok: false, reason: message(err) });
    }
  }
  const detail = attempts.map((a) => `${a.candidate}: ${a.reason}`).join('; ');
  if (forced) {
    throw new BackendUnavailableError(
      `The backend "${forced}" (set by ${forcedBy}) could not be used: ${detail}`,
      attempts,
    );
  }
  throw new BackendUnavailableError(`No TensorFlow.js backend could be started: ${detail}`, attempts);
}

export class BackendUnavailableError extends Error {
  constructor(
    msg: string,
    readonly attempts: BackendAttempt[],
  ) {
    super(msg);
    this.name = 'BackendUnavailableError';
  }
}

/** One line for logs and the UI badge: "wasm (CPU, SIMD, 1 thread)", "webgpu (GPU, nvidia ampere)". */
export function describeBackend(report: BackendReport): string {
  const device = report.gpu ? 'GPU' : 'CPU';
  const extra: string[] = [device];
  if (report.adapter) {
    const { vendor, architecture, software } = report.adapter;
    extra.push(`${vendor} ${architecture}${software && architecture !== 'software' ? ', software' : ''}`);
  }
  if (report.wasmFeatures) {
    if (report.wasmFeatures.simd) extra.push('SIMD');
    const n = report.wasmFeatures.threadCount;
    extra.push(`${n} thread${n === 1 ? '' : 's'}`);
  }
  return `${report.candidate} (${extra.join(', ')})`;
}
