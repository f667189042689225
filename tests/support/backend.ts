/**
 * The backend a test file runs its models on. `DUET_TEST_BACKEND` picks it (cpu by default; webgpu and
 * wasm too), so the same model and trainer tests check every backend Duet trains on. A backend this
 * machine cannot start (no WebGPU adapter, no Vulkan driver) skips every test of the file, with its
 * reason printed: never a pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type BackendReport, selectBackend } from '../../main/engine/backend.js';
import { releaseWebGpuBackend } from '../../main/engine/webgpu.js';

/** The backend named by DUET_TEST_BACKEND (default cpu). */
export const TEST_BACKEND = process.env.DUET_TEST_BACKEND?.trim() || 'cpu';

/** The backends a file may run on; files that need the cpu backend's own kernels stay on cpu. */
export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

/**
 * Start TEST_BACKEND before the file's tests (or cpu when the file does not run on it) and skip each test
 * with the reason when it cannot start. Returns a getter for the report.
 */
export function onTestBackend(supported: readonly TestBackend[] = ['cpu', 'wasm', 'webgpu']): () => BackendReport {
  let report: BackendReport | undefined;
  let skipReason: string | undefined;
  const wanted = supported.includes(TEST_BACKEND as TestBackend) ? TEST_BACKEND : undefined;
  beforeAll(async () => {
    if (!wanted) {
      skipReason = `this file runs on ${supported.join(', ')}, not on ${TEST_BACKEND}`;
      console.log(`skipped: ${skipReason}`);
      return;
    }
    try {
      report = await selectBackend({ env: { DUET_BACKEND: wanted } });
    } catch (err) {
      skipReason = `the ${wanted} backend cannot start here: ${err instanceof Error ? err.message : String(err)}`;
      console.log(`skipped: ${skipReason}`);
    }
  });
  beforeEach((context) => {
    if (skipReason) context.skip(skipReason);
  });
  afterAll(() => releaseWebGpuBackend());
  return () => {
    if (!report) throw new Error(`no backend started${skipReason ? `: ${skipReason}` : ''}`);
    return report;
  };
}

/** A tensor's values, read asynchronously (webgpu has no synchronous read in Node). */
export async function values(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await t.data());
}

/** A tensor's nested array, read asynchronously. */
export async function arrayOf<R extends tf.Rank>(t: tf.Tensor<R>): Promise<ReturnType<tf.Tensor<R>['arraySync']>> {
  return (await t.array()) as ReturnType<tf.Tensor<R>['arraySync']>;
}

/** f inside tf.tidy, its result read back and disposed. */
export async function tidyValues(f: () => tf.Tensor): Promise<Float32Array> {
  const t = tf.tidy(f);
  try {
    return await values(t);
  } finally {
    t.dispose();
  }
}
