/**
 * The threaded-SIMD wasm build under Node.
 *
 * tfjs-backend-wasm turns multithreading off under Node, and forcing it on fails with ERR_WORKER_PATH:
 * its loader hands emscripten a `blob:` URL for the pthread worker script and a Blob for the main
 * script, and Node's worker_threads accept neither. Both are plain files in the package, so this loader
 * starts the same emscripten module with file paths instead — the worker script written once as a
 * CommonJS file next to the OS temp folder (the package ships it as a JS string) — and registers the
 * result as tfjs's 'wasm' backend. Every stock and Duet kernel then runs on it unchanged; XNNPACK's
 * thread pool spreads convolutions over the cores.
 */

import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { BackendWasm as BackendWasmType } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

const require = createRequire(import.meta.url);

// biome-ignore lint/suspicious/noExplicitAny: emscripten's module object is untyped
type EmscriptenModule = any;

export interface ThreadedWasmOptions {
  /** Threads for XNNPACK's pool (default: the machine's logical cores). */
  threads?: number;
  /** Folder for the worker script (default: the OS temp folder). */
  scratchDir?: string;
}

function packageFile(rel: string): string {
  return require.resolve(`@tensorflow/tfjs-backend-wasm/${rel}`);
}

/** Writes the pthread worker script as a .cjs file (once per package version) and returns its path. */
function workerScript(scratchDir: string): string {
  const { wasmWorkerContents: raw } = require(packageFile('wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The package keeps the script in a template literal, which turned its "\n" escapes into real line
  // breaks inside string literals; put the escapes back (as tfjs does before making its Blob).
  const wasmWorkerContents = raw.replace(/\n/g, '\\n');
  const { version_wasm } = require('@tensorflow/tfjs-backend-wasm') as { version_wasm: string };
  const dir = path.join(scratchDir, `duet-tfjs-wasm-${version_wasm}`);
  const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== wasmWorkerContents) {
    fs.mkdirSync(dir, { recursive: true });
    // Another process may write the same file at the same time: write aside, then rename.
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, wasmWorkerContents);
    fs.renameSync(temp, file);
  }
  return file;
}

/** Starts the threaded-SIMD module with file paths Node can load. */
async function startThreadedModule(scratchDir: string): Promise<EmscriptenModule> {
  const mainScript = packageFile('wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const binary = packageFile('wasm-out/tfjs-backend-wasm-threaded-simd.wasm');
  const worker = workerScript(scratchDir);
  const factory = require(mainScript) as (config: object) => Promise<EmscriptenModule>;
  let aborted: string | undefined;
  // The module sizes its thread pool once, at start-up, as min(requested, logical cores / 2) — it
  // assumes two hardware threads per core, and on a 2-core machine that leaves one thread. Report
  // twice the cores for exactly that moment (preRun → onRuntimeInitialized run back to back, with no
  // other code in between), so the pool is min(requested, logical cores).
  const realCpus = os.cpus;
  const restoreCpus = () => {
    os.cpus = realCpus;
  };
  const module = await factory({
    preRun: [
      () => {
        os.cpus = () => {
          const cpus = realCpus();
          return [...cpus, ...cpus];
        };
      },
    ],
    onRuntimeInitialized: restoreCpus,
    locateFile: (file: string) => {
      if (file.endsWith('.worker.js')) return worker;
      if (file.endsWith('.wasm')) return binary;
      return path.join(path.dirname(mainScript), file);
    },
    // Each worker evaluates this file to get the module factory (a path, not a Blob, under Node).
    mainScriptUrlOrBlob: mainScript,
    onAbort: (what: unknown) => {
      aborted = String(what);
    },
  });
  restoreCpus();
  if (aborted) throw new Error(`the threaded wasm module aborted: ${aborted}`);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
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
      const module = await startThreadedModule(scratchDir);
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
