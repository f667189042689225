/**
 * WebGPU in Node: Dawn's Node-API addon (npm `webgpu`, prebuilt binaries in its tarball) under
 * `@tensorflow/tfjs-backend-webgpu`. Dawn reaches Vulkan (Linux, Windows), Metal (macOS) or D3D12
 * (Windows); on a machine without a GPU, Mesa's lavapipe gives a software Vulkan adapter.
 *
 * tfjs-webgpu expects a browser: `navigator.gpu` and the `GPUBufferUsage`-style globals. They are set here,
 * once, and the backend is registered with a device Duet asked for itself (so the adapter and its limits
 * can be reported). Dawn keeps Node alive while a reference to its GPU object lives:
 * `releaseWebGpuBackend()` drops every reference.
 */
/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs-core';
import type { WebGpuAdapterDto } from '#contract';

/** The adapter that a webgpu backend runs on, as `duet info` and the window report it. */
export type WebGpuAdapter = WebGpuAdapterDto;

interface WebGpuSession {
  gpu: GPU | undefined;
  device: GPUDevice;
  adapter: WebGpuAdapter;
  lost: GPUDeviceLostInfo | undefined;
  releasing: boolean;
}

let session: WebGpuSession | undefined;

type GlobalWithNavigator = typeof globalThis & { navigator?: { gpu?: GPU } };

const SOFTWARE_DEVICES = /llvmpipe|lavapipe|swiftshader|microsoft basic render|warp/i;

/** Whether an adapter is a software implementation, from what Dawn reports. */
export function isSoftwareAdapter(info: {
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}): boolean {
  return (
    info.isFallbackAdapter === true ||
    info.architecture === 'software' ||
    SOFTWARE_DEVICES.test(`${info.description ?? ''} ${info.device ?? ''}`)
  );
}

function setNavigatorGpu(gpu: GPU | undefined): void {
  const g = globalThis as GlobalWithNavigator;
  if (gpu === undefined) {
    if (g.navigator) Reflect.deleteProperty(g.navigator, 'gpu');
    return;
  }
  if (g.navigator) {
    // Node ≥ 21 has a navigator of its own; add gpu beside what it has.
    Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
}

/**
 * Start the webgpu backend on the first adapter Dawn offers (high-performance preference) and register
 * it with tfjs under the name 'webgpu'. Throws a specific message when the addon is missing or no
 * adapter exists.
 */
export async function startWebGpuBackend(): Promise<{ name: 'webgpu'; adapter: WebGpuAdapter }> {
  if (session && !session.lost && !session.releasing) return { name: 'webgpu', adapter: session.adapter };
  let dawn: { create: (options: string[]) => GPU; globals: object };
  try {
    // Named through a variable: the package is optional, so neither tsc nor the bundler may require it.
    const addon = 'webgpu';
    dawn = (await import(addon)) as typeof dawn;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new Error(`not available (the optional package "webgpu", Dawn's Node addon, did not load: ${why})`);
  }
  // Imported before navigator.gpu exists, tfjs-webgpu registers its kernels but no backend of its own:
  // the one registered below is the only 'webgpu' backend, on the device chosen here.
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in g)) g[key] = value;
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new Error(
      'no WebGPU adapter: Dawn found no Vulkan, Metal or D3D12 device (on Linux without a GPU, install Mesa 24+ lavapipe: scripts/install-vulkan.sh)',
    );
  }
  const limits = adapter.limits;
  // The limits tfjs-webgpu's own start-up asks for: the adapter's, not WebGPU's small defaults.
  const requiredFeatures = (['timestamp-query', 'bgra8unorm-storage'] as GPUFeatureName[]).filter((f) =>
    adapter.features.has(f),
  );
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // GPUAdapter.info (newer than the WebGPU types tfjs-webgpu 4.22 ships with).
  const info = (adapter as GPUAdapter & { info: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const report: WebGpuAdapter = {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    description: info.description || info.device || 'unknown',
    software: isSoftwareAdapter(info),
    maxBufferSize: Number(limits.maxBufferSize),
    maxStorageBufferBindingSize: Number(limits.maxStorageBufferBindingSize),
  };
  const current: WebGpuSession = { gpu, device, adapter: report, lost: undefined, releasing: false };
  session = current;
  device.lost.then((lostInfo) => {
    if (!current.releasing) current.lost = lostInfo;
  });
  setNavigatorGpu(gpu);
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, info));
  return { name: 'webgpu', adapter: report };
}

/** The adapter of the running webgpu backend, if one was started. */
export function webGpuAdapter(): WebGpuAdapter | undefined {
  return session?.adapter;
}

/**
 * Why the device was lost (driver reset, GPU removed, out of memory), or undefined while it works.
 * A training loop checks this after each step: a lost device computes nothing more.
 */
export function webGpuDeviceLost(): string | undefined {
  const lost = session?.lost;
  if (!lost) return undefined;
  return `the WebGPU device was lost (${lost.reason || 'unknown'}${lost.message ? `: ${lost.message}` : ''})`;
}

/**
 * Test hook: mark the device lost as Dawn would. With `destroy`, the device is destroyed too, as a driver
 * reset leaves it: whatever runs on it next fails. Returns whether there was a device to lose.
 */
export function simulateWebGpuDeviceLoss(options: { message?: string; destroy?: boolean } = {}): boolean {
  const current = session;
  if (!current) return false;
  current.lost = { reason: 'unknown', message: options.message ?? 'simulated loss' } as GPUDeviceLostInfo;
  if (options.destroy) current.device.destroy();
  return true;
}

/**
 * Dispose tfjs's webgpu backend, destroy the device and drop the GPU object, so Node can exit. The next
 * `startWebGpuBackend()` starts afresh.
 */
export function releaseWebGpuBackend(): void {
  const current = session;
  if (!current) return;
  current.releasing = true;
  if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
  current.device.destroy();
  current.gpu = undefined;
  setNavigatorGpu(undefined);
  session = undefined;
}
