import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { copyBox, stockWasmKernel } from '../../../../main/engine/wasm/index.js';

beforeAll(async () => {
  const report = await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
  expect(report.backend).toBe('wasm');
});

beforeEach(async () => {
  await tf.setBackend('wasm');
});

/** Runs `f` on the cpu backend and on wasm with the same inputs; returns both results' values and shapes. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]) {
  const run = () =>
    tf.tidy(() => {
      const out = f();
      return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    });
  await tf.setBackend('cpu');
  const cpu = run();
  await tf.setBackend('wasm');
  const wasm = run();
  return { cpu, wasm };
}

const seeded = (shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32') =>
  dtype === 'int32' ? tf.randomUniformInt(shape, -1000, 1000, seed) : tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('wasm copy kernels (Slice, SplitV, Concat)', () => {
  it('replace the stock ones, which stay registered for the dtypes they leave to them', () => {
    for (const name of ['Slice', 'SplitV', 'Concat']) expect(stockWasmKernel(name), name).toBeDefined();
  });

  const slices: Array<{ name: string; shape: number[]; begin: number[]; size: number[] }> = [
    {
      name: 'crop top-left of NHWC (whole channels: one run per row)',
      shape: [1, 9, 9, 16],
      begin: [0, 1, 1, 0],
      size: [1, 8, 8, 16],
    },
    { name: 'channel range of NHWC (short runs)', shape: [2, 5, 6, 6], begin: [0, 0, 0, 3], size: [2, 5, 6, 3] },
    { name: 'middle box, batch 3', shape: [3, 7, 8, 5], begin: [1, 2, 3, 1], size: [2, 4, 3, 3] },
    { name: 'contiguous block', shape: [4, 3, 2, 2], begin: [1, 0, 0, 0], size: [2, 3, 2, 2] },
    { name: 'rank 2 with -1 size', shape: [6, 40], begin: [2, 5], size: [-1, 30] },
    { name: 'rank 1', shape: [50], begin: [7], size: [20] },
    { name: 'rank 5', shape: [2, 3, 4, 5, 6], begin: [1, 1, 0, 2, 1], size: [1, 2, 4, 3, 4] },
    { name: 'empty', shape: [3, 4], begin: [1, 1], size: [0, 2] },
  ];
  for (const c of slices) {
    it(`slice matches the cpu backend: ${c.name}`, async () => {
      for (const dtype of ['float32', 'int32'] as const) {
        const { cpu, wasm } = await onBoth(() => tf.slice(seeded(c.shape, 3, dtype), c.begin, c.size));
        expect(wasm).toEqual(cpu);
      }
    });
  }

  it('split and concat match the cpu backend along every axis, for float32, int32 and bool', async () => {
    for (const axis of [0, 1, 2, 3]) {
      const sizes = [
        [2, 1, 3],
        [1, 4],
        [3, 2, 2],
        [3, 3],
      ][axis]!;
      const shape = [3, 5, 7, 6];
      shape[axis] = sizes.reduce((a, b) => a + b, 0);
      const splits = await onBoth(() => tf.split(seeded(shape, 7), sizes, axis));
      expect(splits.wasm).toEqual(splits.cpu);
      const parts = (seed: number, dtype: 'float32' | 'int32') =>
        sizes.map((s, i) => {
          const p = [...shape];
          p[axis] = s;
          return seeded(p, seed + i, dtype);
        });
      for (const dtype of ['float32', 'int32'] as const) {
        const joined = await onBoth(() => tf.concat(parts(11, dtype), axis));
        expect(joined.wasm).toEqual(joined.cpu);
      }
      const bools = await onBoth(() =>
        tf.concat(
          parts(20, 'int32').map((p) => tf.greater(p, 0)),
          axis,
        ),
      );
      expect(bools.wasm).toEqual(bools.cpu);
    }
  });

  it("carry pix2pix's conditional input and its gradient (concat on channels, split in the backward pass)", async () => {
    const { cpu, wasm } = await onBoth(() => {
      const a = seeded([2, 8, 8, 3], 1);
      const b = seeded([2, 8, 8, 3], 2);
      const w = seeded([1, 1, 6, 2], 3);
      const f = (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.concat([x, y], 3) as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')));
      return tf.grads(f)([a, b]);
    });
    expect(wasm.map((g) => g.shape)).toEqual([
      [2, 8, 8, 3],
      [2, 8, 8, 3],
    ]);
    for (const [i, g] of wasm.entries()) {
      for (const [k, v] of g.values.entries()) expect(v).toBeCloseTo(cpu[i]!.values[k]!, 4);
    }
  });

  it('copyBox copies bits: an int32 that reads as a NaN float survives', () => {
    const heap = new Int32Array(64);
    const nan = 0x7fc00001; // a NaN payload a float copy may canonicalise
    for (let i = 0; i < 32; i++) heap[i] = i === 5 ? nan : i;
    copyBox(heap, 0, [4, 8], [0, 2], [4, 4], 32);
    expect(Array.from(heap.subarray(32, 48))).toEqual([2, 3, 4, nan, 10, 11, 12, 13, 18, 19, 20, 21, 26, 27, 28, 29]);
  });
});
