/**
 * Duet's kernels for tfjs's wasm backend, registered through tfjs's own kernel registry.
 *
 * `registerWasmKernels()` is called by the wasm backend loader before the backend starts; it is safe to
 * call more than once. Each replaced stock kernel is kept so tests can compare against it.
 */

import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterConfig, conv2DBackpropInputConfig } from './conv_backprop.js';

export {
  conv2DBackpropFilterWasm,
  conv2DBackpropInputWasm,
  filterCacheSize,
  sweepFilterCache,
} from './conv_backprop.js';

/** Every kernel Duet registers for the wasm backend. */
export const WASM_KERNELS: readonly KernelConfig[] = [conv2DBackpropInputConfig, conv2DBackpropFilterConfig];

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
