/**
 * The threaded-SIMD wasm build under Node, registered as tfjs's 'wasm' backend.
 *
 * tfjs-backend-wasm turns multithreading off under Node; the module is started with file paths Node can
 * load instead (how, and which tfjs internals that takes, is in main/engine/tfjs-internals.ts). Every
 * stock and Duet kernel then runs on it unchanged; XNNPACK's thread pool spreads convolutions over the
 * cores.
 */

import os from 'node:os';
import type { BackendWasm as BackendWasmType } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { startThreadedWasmModule } from '../tfjs-internals.js';

export interface ThreadedWasmOptions {
  /** Threads for XNNPACK's pool (default: the machine's logical cores). */
  threads?: number;
  /** Folder for the worker script (default: the OS temp folder). */
  scratchDir?: string;
}

type BackendFactory = NonNullable<ReturnType<typeof tf.findBackendFactory>>;
let stockFactory: BackendFactory | undefined;

/**
 * Replaces tfjs's 'wasm' backend factory with one that starts the threaded-SIMD build. The caller
 * then activates it with tf.setBackend('wasm'); if that fails, `restoreStockWasmBackend()` puts the
 * package's own (single-threaded under Node) factory back.
 */
export async function registerThreadedWasmBackend(options: ThreadedWasmOptions = {}): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const threads = options.threads ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const scratchDir = options.scratchDir ?? os.tmpdir();
  // The threaded build is the threaded-SIMD one; the backend's report reads this flag synchronously.
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    throw new Error('this runtime has no WebAssembly SIMD, which the threaded build needs');
  }
  const current = tf.findBackendFactory('wasm') as BackendFactory | null;
  if (current && !stockFactory) stockFactory = current;
  // The backend's kernels read this flag; it must say what really runs.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  if (current) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await startThreadedWasmModule(scratchDir);
      return new wasm.BackendWasm(module) as unknown as BackendWasmType;
    },
    2,
  );
}

/** Puts the package's own wasm backend factory back (after a failed threaded start). */
export function restoreStockWasmBackend(): void {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!stockFactory) return;
  if (tf.findBackendFactory('wasm') as BackendFactory | null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', stockFactory, 2);
}
