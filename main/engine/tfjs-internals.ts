/**
 * The Node side of Duet's reliance on TensorFlow.js's private state (the portable side, and why there
 * are two modules, is in models/tfjs-internals.ts; this module re-exports it so main/ has one import).
 *
 * Here: the start-up check that every installed @tensorflow package is the exact version the internals
 * were written against, and the threaded-SIMD wasm module's start under Node — tfjs-backend-wasm turns
 * multithreading off under Node, and forcing it on fails with ERR_WORKER_PATH: its loader hands
 * emscripten a `blob:` URL for the pthread worker script and a Blob for the main script, and Node's
 * worker_threads accept neither. Both are plain files in the package, so the module is started with
 * file paths instead (the worker script rewritten once as a CommonJS file under the OS temp folder —
 * the package ships it as a JS string), the thread pool sized by widening `os.cpus` for one moment, and
 * the backend's private `cwrap` table copied from tfjs's own loader.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { checkTfjsVersions } from '../../models/tfjs-internals.js';
import { writeFileAtomicSync } from './atomic-files.js';

export * from '../../models/tfjs-internals.js';

const nodeRequire = createRequire(import.meta.url);

/** The @tensorflow packages Duet depends on; the native ones are optional (their install downloads libtensorflow). */
export const TFJS_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
] as const;

/** name → version of each of TFJS_PACKAGES that is installed. */
export function installedTfjsVersions(): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of TFJS_PACKAGES) {
    let manifest: { version?: unknown };
    try {
      manifest = nodeRequire(`${name}/package.json`) as { version?: unknown };
    } catch {
      continue; // not installed (only the optional native packages may be missing; the imports say so otherwise)
    }
    found[name] = String(manifest.version);
  }
  return found;
}

let checked = false;

/** Throws a TfjsVersionError unless every installed @tensorflow package is TFJS_VERSION. Checks once. */
export function assertTfjsVersions(): void {
  if (checked) return;
  checkTfjsVersions(installedTfjsVersions());
  checked = true;
}

// biome-ignore lint/suspicious/noExplicitAny: emscripten's module object is untyped
export type EmscriptenModule = any;

function wasmPackageFile(rel: string): string {
  return nodeRequire.resolve(`@tensorflow/tfjs-backend-wasm/${rel}`);
}

/** Writes the pthread worker script as a .cjs file (once per package version) and returns its path. */
function workerScript(scratchDir: string): string {
  const { wasmWorkerContents: raw } = nodeRequire(
    wasmPackageFile('wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'),
  ) as {
    wasmWorkerContents: string;
  };
  // The package keeps the script in a template literal, which turned its "\n" escapes into real line
  // breaks inside string literals; put the escapes back (as tfjs does before making its Blob).
  const wasmWorkerContents = raw.replace(/\n/g, '\\n');
  const { version_wasm } = nodeRequire('@tensorflow/tfjs-backend-wasm') as { version_wasm: string };
  const dir = path.join(scratchDir, `duet-tfjs-wasm-${version_wasm}`);
  const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== wasmWorkerContents) {
    fs.mkdirSync(dir, { recursive: true });
    // Another process may write the same file at the same time: whole files only.
    writeFileAtomicSync(file, wasmWorkerContents);
  }
  return file;
}

/** Starts tfjs-backend-wasm's threaded-SIMD module with file paths Node can load. */
export async function startThreadedWasmModule(scratchDir: string): Promise<EmscriptenModule> {
  const mainScript = wasmPackageFile('wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const binary = wasmPackageFile('wasm-out/tfjs-backend-wasm-threaded-simd.wasm');
  const worker = workerScript(scratchDir);
  const factory = nodeRequire(mainScript) as (config: object) => Promise<EmscriptenModule>;
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
  // The functions tfjs's own loader wraps for the backend (tfjs-backend-wasm 4.22, backend_wasm.ts).
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
