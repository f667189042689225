import '@tensorflow/tfjs-backend-cpu';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { describeBackend, selectBackend } from '../../../../main/engine/backend.js';
import { startWasmBackend } from '../../../../main/engine/wasm/index.js';

const cores = os.availableParallelism?.() ?? os.cpus().length;

describe('threaded wasm under Node', () => {
  it('starts the threaded-SIMD build on every core and says so in the report', async (ctx) => {
    if (cores < 2) {
      console.warn(`skipped: this machine has ${cores} core, so wasm runs single-threaded`);
      ctx.skip();
    }
    const report = await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
    expect(report.wasmFeatures).toEqual({ simd: true, threads: true, threadCount: Math.min(cores, 8) });
    expect(describeBackend(report)).toBe(`wasm (CPU, SIMD, ${Math.min(cores, 8)} threads)`);
    // (tfjs caps its pool at 8 threads.) os.cpus is only widened while the module starts.
    expect(os.cpus().length).toBe(cores);
  });

  it('computes what the cpu backend computes', async () => {
    const x = tf.randomNormal([1, 12, 12, 8], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', 2);
    const onWasm = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync();
    await tf.setBackend('cpu');
    const x2 = tf.tensor4d(x.dataSync(), [1, 12, 12, 8]);
    const w2 = tf.tensor4d(w.dataSync(), [3, 3, 8, 16]);
    const onCpu = tf.conv2d(x2, w2, 1, 'same').dataSync();
    let err = 0;
    for (let i = 0; i < onCpu.length; i++) err = Math.max(err, Math.abs((onCpu[i] as number) - (onWasm[i] as number)));
    expect(err).toBeLessThan(1e-4);
    await tf.setBackend('wasm');
  });

  it('rejects a thread count that is not a whole number ≥ 1', async () => {
    await expect(startWasmBackend({ threads: 'two' })).rejects.toThrow(
      /DUET_WASM_THREADS must be a whole number ≥ 1, got "two"/,
    );
    await expect(startWasmBackend({ threads: 0 })).rejects.toThrow(/got "0"/);
  });
});
