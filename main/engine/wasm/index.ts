/**
 * Duet's kernels for tfjs's wasm backend, registered through tfjs's own kernel registry.
 *
 * `registerWasmKernels()` is called by the wasm backend loader before the backend starts; it is safe to
 * call more than once. Each replaced stock kernel is kept so tests can compare against it.
 */

import os from 'node:os';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { wasmThreadCount } from '../tfjs-internals.js';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv_backprop.js';
import { concatConfig, sliceConfig, splitVConfig } from './copy_kernels.js';
import { registerThreadedWasmBackend, restoreStockWasmBackend } from './threads.js';

export {
  conv2DBackpropFilterWasm,
  conv2DBackpropInputWasm,
  filterCacheSize,
  setIm2colBudget,
  sweepFilterCache,
} from './conv_backprop.js';
export { copyBox } from './copy_kernels.js';

/** Every kernel Duet registers for the wasm backend. */
export const WASM_KERNELS: readonly KernelConfig[] = [
  conv2DBackpropInputConfig,
  conv2DBackpropFilterConfig,
  sliceConfig,
  splitVConfig,
  concatConfig,
];

const stock = new Map<string, KernelConfig>();

/** The stock wasm kernel Duet replaced under this name, if there was one. */
export function stockWasmKernel(kernelName: string): KernelConfig | undefined {
  return stock.get(kernelName);
}

/** Register (or re-register) Duet's wasm kernels. Returns the kernel names now served by Duet. */
export function registerWasmKernels(): string[] {
  for (const config of WASM_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) {
      if (!stock.has(config.kernelName)) stock.set(config.kernelName, existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  return WASM_KERNELS.map((k) => k.kernelName);
}

export interface StartWasmOptions {
  /** Thread count as given by the user (e.g. DUET_WASM_THREADS): a number ≥ 1; empty means all cores. */
  threads?: string | number;
}

export interface WasmStart {
  threads: number;
  /** Why the single-threaded build runs, where it does. */
  singleThreadedBecause?: string;
}

/**
 * Makes 'wasm' the active tfjs backend: the threaded-SIMD build on `threads` cores where it starts,
 * else the package's own build. Safe to call again once started.
 */
export async function startWasmBackend(options: StartWasmOptions = {}): Promise<WasmStart> {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const raw = options.threads === undefined || options.threads === '' ? cores : Number(options.threads);
  if (!Number.isInteger(raw) || raw < 1) {
    throw new Error(`DUET_WASM_THREADS must be a whole number ≥ 1, got "${options.threads}".`);
  }
  if (tf.getBackend() === 'wasm' && started) return started;
  let singleThreadedBecause: string | undefined;
  if (raw === 1) {
    singleThreadedBecause = cores === 1 ? 'this machine has one core' : 'one thread was asked for';
  } else {
    try {
      await registerThreadedWasmBackend({ threads: raw });
      if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise it');
      started = { threads: wasmThreadCount() };
      return started;
    } catch (err) {
      singleThreadedBecause = `the threaded build did not start: ${err instanceof Error ? err.message : String(err)}`;
      restoreStockWasmBackend();
    }
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise the "wasm" backend');
  started = { threads: wasmThreadCount(), singleThreadedBecause };
  return started;
}

let started: WasmStart | undefined;
