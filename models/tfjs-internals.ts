/**
 * Every place Duet relies on TensorFlow.js's private state, in one module.
 *
 * tfjs's public API has no way to take gradients from inside another gradient computation, to ask a
 * backend whether it runs on a GPU, to quiet the cpu backend's first-use banner, to read the wasm
 * backend's thread count or the cpu backend's tensor storage. Duet needs each of these, and each reads
 * or writes a field that tfjs does not promise to keep. They were written against the exact version in
 * TFJS_VERSION; package.json pins every @tensorflow package to it, and the engine checks the installed
 * packages against it at start-up (main/engine/tfjs-internals.ts), so an upgrade fails with one clear
 * message instead of a wrong gradient.
 *
 * Two modules, one boundary: this one holds what is portable (any tfjs backend, browser or Node) and is
 * what models/ imports — models/ may not import main/ or Node. main/engine/tfjs-internals.ts builds on
 * it with what needs Node (reading the installed packages' versions, starting the threaded wasm module
 * with its worker-script rewrite, the `os.cpus` widening and the copied `cwrap` table) and re-exports
 * this module, so main/ has one import for every tfjs internal.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs version every internal here was written against (all @tensorflow packages share it). */
export const TFJS_VERSION = '4.22.0';

export class TfjsVersionError extends Error {
  constructor(readonly mismatched: Array<{ name: string; installed: string }>) {
    const found = mismatched.map((m) => `${m.name} ${m.installed}`).join(', ');
    super(
      `Duet needs TensorFlow.js ${TFJS_VERSION} exactly (it relies on that version's internals), but found ${found}. ` +
        `Install the pinned versions with \`npm ci\`.`,
    );
    this.name = 'TfjsVersionError';
  }
}

/**
 * Checks installed @tensorflow package versions (name → version; a package that is not installed is
 * left out) against TFJS_VERSION. Throws a TfjsVersionError naming every mismatch.
 */
export function checkTfjsVersions(installed: Record<string, string>): void {
  const mismatched = Object.entries(installed)
    .filter(([, version]) => version !== TFJS_VERSION)
    .map(([name, version]) => ({ name, installed: version }));
  if (mismatched.length > 0) throw new TfjsVersionError(mismatched);
}

interface EngineState {
  activeTape: unknown;
  gradientDepth: number;
}

function engineState(): EngineState {
  const state = (tf.engine() as unknown as { state?: Partial<EngineState> }).state;
  if (!state || !('activeTape' in state) || typeof state.gradientDepth !== 'number') {
    throw new TfjsVersionError([{ name: '@tensorflow/tfjs-core', installed: `${tf.version_core} (no engine tape)` }]);
  }
  return state as EngineState;
}

/**
 * Run a first-order gradient computation from inside another one: from its backward pass (recomputation)
 * or its forward pass (pix2pix's discriminator update between the generator's forward and its loss). The
 * engine keeps a single tape, and a nested gradients() call would either record into it or replace and
 * clear it, so the outer tape and depth are set aside for the inner call and put back after it. Nothing
 * `fn` computes is recorded on the outer tape: its results are constants there.
 */
export function withOwnTape<T>(fn: () => T): T {
  const state = engineState();
  const outer = state.activeTape;
  const depth = state.gradientDepth;
  state.activeTape = null;
  state.gradientDepth = 0;
  try {
    return fn();
  } finally {
    state.activeTape = outer;
    state.gradientDepth = depth;
  }
}

/** Whether the active backend computes on a GPU device (tfjs-node-gpu sets the flag; others lack it). */
export function isUsingGpuDevice(backend: tf.KernelBackend | undefined = tf.backend()): boolean {
  return (backend as unknown as { isUsingGpuDevice?: boolean } | undefined)?.isUsingGpuDevice === true;
}

/**
 * tfjs's cpu backend prints a banner suggesting tfjs-node on its first use in Node. Duet chooses its
 * backend itself and reports why (`duet info`), so the banner would only be noise on every command.
 */
export function quietCpuBanner(): void {
  try {
    const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
    if (cpu) cpu.firstUse = false;
  } catch {
    // the cpu backend is not registered: nothing to quiet
  }
}

/** The active wasm backend's thread-pool size (1 when it is single-threaded or not wasm). */
export function wasmThreadCount(backend: tf.KernelBackend | undefined = tf.backend()): number {
  const b = backend as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
  return Math.max(1, b?.wasm?.tfjs?.getThreadsCount?.() ?? 1);
}

/** The cpu backend's float values for a tensor, read in place (what its own kernels do). */
export function cpuValues(backend: unknown, dataId: tf.DataId): Float32Array {
  return (backend as { data: { get(id: tf.DataId): { values: Float32Array } } }).data.get(dataId).values;
}

/** The cpu backend's constructor for a kernel's output tensor. */
export function cpuOutput(backend: unknown, shape: number[], values: Float32Array): tf.TensorInfo {
  const cpu = backend as { makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };
  return cpu.makeTensorInfo(shape, 'float32', values);
}

/** A kernel for a named backend, typed as tfjs's registry takes it (kernels take their own argument types). */
export function backendKernel(
  backendName: string,
  kernelName: string,
  kernelFunc: (args: never) => unknown,
): tf.KernelConfig {
  return { kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc };
}
