import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

/** A kernel of Duet's for the wasm backend, typed as tfjs's registry takes it. */
export function wasmKernel(kernelName: string, kernelFunc: (args: never) => unknown): KernelConfig {
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc };
}
