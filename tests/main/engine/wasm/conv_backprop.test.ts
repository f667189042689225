import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import {
  filterCacheSize,
  registerWasmKernels,
  setIm2colBudget,
  stockWasmKernel,
  sweepFilterCache,
} from '../../../../main/engine/wasm/index.js';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

// Shapes cover the CycleGAN/pix2pix layers in miniature: 7×7 stems, 3×3 and 4×4 strided downsamplers,
// 1×1 convs, odd sizes where 'same' pads unevenly, numeric and explicit padding, unequal strides.
const CASES: Case[] = [
  { name: '3×3 s1 same', x: [1, 8, 8, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3×3 s2 same, odd sizes, batch 2', x: [2, 9, 7, 5], filter: [3, 3, 5, 6], strides: [2, 2], pad: 'same' },
  { name: '4×4 s2 valid', x: [1, 10, 10, 4], filter: [4, 4, 4, 3], strides: [2, 2], pad: 'valid' },
  { name: '4×4 s2 pad 1 (U-Net)', x: [1, 8, 8, 3], filter: [4, 4, 3, 5], strides: [2, 2], pad: 1 },
  {
    name: '7×7 s1 valid (stem after reflect pad)',
    x: [1, 12, 12, 3],
    filter: [7, 7, 3, 5],
    strides: [1, 1],
    pad: 'valid',
  },
  { name: '3×3 s1 pad 1, batch 2', x: [2, 6, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 1 },
  { name: '1×1 s1', x: [1, 5, 5, 6], filter: [1, 1, 6, 2], strides: [1, 1], pad: 'valid' },
  {
    name: '3×3 s2 explicit uneven pad',
    x: [1, 7, 8, 3],
    filter: [3, 3, 3, 4],
    strides: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { name: '3×3 strides [1, 2] same', x: [1, 6, 9, 2], filter: [3, 3, 2, 3], strides: [1, 2], pad: 'same' },
  { name: '4×4 s1 same (even kernel)', x: [1, 7, 7, 2], filter: [4, 4, 2, 3], strides: [1, 1], pad: 'same' },
  {
    name: '4×4 s2 pad 1, batch 3, one output channel',
    x: [3, 11, 9, 4],
    filter: [4, 4, 4, 1],
    strides: [2, 2],
    pad: 1,
  },
  { name: '5×5 strides [3, 1] valid, batch 2', x: [2, 13, 8, 3], filter: [5, 5, 3, 2], strides: [3, 1], pad: 'valid' },
];

// float32 sums in a different order: agree to 1e-4 of the largest magnitude (values are O(1)).
const TOLERANCE = 1e-4;

function random(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

/** Output size of the forward conv, so dy has the right shape. */
function outShape(c: Case): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  return info.outShape as [number, number, number, number];
}

interface Grads {
  dx: Float32Array;
  dW: Float32Array;
}

/** dx and dW through the public ops on the active backend, from the same numbers. */
function grads(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array): Grads {
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, c.x);
    const wt = tf.tensor4d(w, c.filter);
    const dyt = tf.tensor4d(dy, outShape(c));
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), dyt));
    const [gx, gw] = tf.grads(f)([xt, wt]);
    return { dx: gx?.dataSync() as Float32Array, dW: gw?.dataSync() as Float32Array };
  });
}

/** Seeded inputs for a case and their gradients on the cpu backend; leaves wasm active. */
async function onCpu(c: Case, seed: number) {
  const x = random(c.x, seed);
  const w = random(c.filter, 10 * seed);
  const dy = random(outShape(c), 100 * seed);
  await tf.setBackend('cpu');
  const expected = grads(c, x, w, dy);
  await tf.setBackend('wasm');
  return { x, w, dy, expected };
}

function maxRelErr(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 1e-6;
  let err = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i] as number));
    err = Math.max(err, Math.abs((actual[i] as number) - (expected[i] as number)));
  }
  return err / scale;
}

function wasmBackend(): BackendWasm {
  return tf.backend() as unknown as BackendWasm;
}

beforeAll(async () => {
  const report = await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
  expect(report.backend).toBe('wasm');
});

// A failing case must not leave the next one on the cpu backend.
beforeEach(async () => {
  await tf.setBackend('wasm');
});

describe('wasm convolution gradients', () => {
  it('are registered by the wasm loader, replacing the stock Conv2DBackpropInput', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(stockWasmKernel('Conv2DBackpropInput')).toBeDefined();
    expect(stockWasmKernel('Conv2DBackpropFilter')).toBeUndefined();
    // Registering again keeps Duet's kernels and the saved stock one.
    const before = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
    expect(registerWasmKernels()).toEqual(['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Slice', 'SplitV', 'Concat']);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(before);
  });

  for (const [i, c] of CASES.entries()) {
    it(`match the cpu backend: ${c.name}`, async () => {
      const { x, w, dy, expected } = await onCpu(c, 10 + i);
      const tensorsBefore = tf.memory().numTensors;
      const dataBefore = wasmBackend().numDataIds();
      const actual = grads(c, x, w, dy);
      expect(maxRelErr(actual.dx, expected.dx)).toBeLessThan(TOLERANCE);
      expect(maxRelErr(actual.dW, expected.dW)).toBeLessThan(TOLERANCE);
      // Neither tensors nor the kernels' scratch buffers on the wasm heap are left behind; the filter
      // copies kept for reuse go once their filter is gone.
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      sweepFilterCache();
      expect(filterCacheSize()).toBe(0);
      expect(wasmBackend().numDataIds()).toBe(dataBefore);
    });
  }

  it('build the filter gradient in bands of kernel rows when im2col would be large, with the same result', async () => {
    for (const [i, c] of [CASES[4]!, CASES[1]!, CASES[9]!].entries()) {
      const { x, w, dy, expected } = await onCpu(c, 20 + i);
      const whole = grads(c, x, w, dy);
      sweepFilterCache();
      const dataBefore = wasmBackend().numDataIds();
      // A budget below one kernel row's columns: every kernel row becomes its own band.
      const old = setIm2colBudget(1);
      let banded: Grads;
      try {
        banded = grads(c, x, w, dy);
      } finally {
        setIm2colBudget(old);
      }
      expect(maxRelErr(banded.dW, expected.dW)).toBeLessThan(TOLERANCE);
      expect(Array.from(banded.dW)).toEqual(Array.from(whole.dW));
      sweepFilterCache();
      expect(wasmBackend().numDataIds()).toBe(dataBefore);
    }
    expect(() => setIm2colBudget(0)).toThrow(/at least 1 float/);
  });

  it('reuse one rearranged filter per weight and free it with the weight', () => {
    const c = CASES[3] as Case;
    const w = tf.tensor4d(random(c.filter, 5), c.filter);
    const dy = tf.tensor4d(random(outShape(c), 6), outShape(c));
    const attrs = { inputShape: c.x, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    const dataBefore = wasmBackend().numDataIds();
    const first = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs) as tf.Tensor;
    expect(filterCacheSize()).toBe(1);
    const second = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs) as tf.Tensor;
    expect(filterCacheSize()).toBe(1);
    expect(maxRelErr(second.dataSync() as Float32Array, first.dataSync() as Float32Array)).toBe(0);
    tf.dispose([first, second, w]);
    // The next gradient frees the copy of the disposed weight by itself.
    const w2 = tf.tensor4d(random(c.filter, 7), c.filter);
    const third = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w2 }, attrs) as tf.Tensor;
    expect(filterCacheSize()).toBe(1);
    tf.dispose([third, w2, dy]);
    expect(sweepFilterCache()).toBe(1);
    expect(wasmBackend().numDataIds()).toBe(dataBefore - 2);
  });

  it('conv2dTranspose (forward and its gradients) matches the cpu backend', async () => {
    // Generator upsampling: 3×3 stride-2 transposed conv from 8 to 4 channels, 4×4 → 8×8.
    const xShape: [number, number, number, number] = [1, 4, 4, 8];
    const wShape: [number, number, number, number] = [3, 3, 4, 8];
    const yShape: [number, number, number, number] = [1, 8, 8, 4];
    const x = random(xShape, 7);
    const w = random(wShape, 8);
    const g = random(yShape, 9);
    const run = () =>
      tf.tidy(() => {
        const xt = tf.tensor4d(x, xShape);
        const wt = tf.tensor4d(w, wShape);
        const gt = tf.tensor4d(g, yShape);
        const y = tf.conv2dTranspose(xt, wt, yShape, 2, 'same');
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, yShape, 2, 'same'), gt)),
        )([xt, wt]);
        return [y.dataSync(), gx?.dataSync(), gw?.dataSync()] as Float32Array[];
      });
    await tf.setBackend('cpu');
    const expected = run();
    await tf.setBackend('wasm');
    const actual = run();
    for (let k = 0; k < 3; k++) {
      expect(maxRelErr(actual[k] as Float32Array, expected[k] as Float32Array)).toBeLessThan(TOLERANCE);
    }
  });

  it('matches the stock wasm Conv2DBackpropInput it replaces', () => {
    const stock = stockWasmKernel('Conv2DBackpropInput');
    if (!stock) throw new Error('stock kernel was not kept');
    // It was unregistered before the backend started, so its one-time setup has not run yet.
    stock.setupFunc?.(tf.backend());
    const c = CASES[1] as Case;
    const w = tf.tensor4d(random(c.filter, 3), c.filter);
    const dy = tf.tensor4d(random(outShape(c), 4), outShape(c));
    const attrs = { inputShape: c.x, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    const ours = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs) as tf.Tensor;
    const info = stock.kernelFunc({
      inputs: { dy, filter: w },
      attrs,
      backend: tf.backend(),
    } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const theirs = wasmBackend().typedArrayFromHeap(info).slice() as Float32Array;
    wasmBackend().disposeData(info.dataId);
    expect(maxRelErr(ours.dataSync() as Float32Array, theirs)).toBeLessThan(TOLERANCE);
    tf.dispose([w, dy, ours]);
  });

  it('reject NCHW and non-float inputs with a clear message', () => {
    const dy = tf.zeros([1, 4, 4, 2]);
    const w = tf.zeros([3, 3, 2, 2]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: dy, dy },
          { filterShape: [3, 3, 2, 2], strides: 1, pad: 'same', dataFormat: 'NCHW' },
        ),
    ).toThrow(/supports only the NHWC data format/);
    const xi = tf.zeros([1, 4, 4, 2], 'int32');
    expect(() =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x: xi, dy },
          { filterShape: [3, 3, 2, 2], strides: 1, pad: 'same', dataFormat: 'NHWC' },
        ),
    ).toThrow(/needs float32 tensors, got int32/);
    tf.dispose([dy, w, xi]);
  });
});
