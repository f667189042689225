import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs-core's gradients (as everything in models/ does through it).
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend.js';
import { registerFastCpuKernels, stockConv2DBackpropFilter } from '../../models/cpu-kernels.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  registerFastCpuKernels();
});

describe('fast cpu Conv2DBackpropFilter', () => {
  const cases: Array<{ x: [number, number, number, number]; k: number; stride: number; pad: 'valid' | 'same' }> = [
    { x: [1, 9, 7, 3], k: 3, stride: 1, pad: 'valid' },
    { x: [2, 8, 10, 4], k: 4, stride: 2, pad: 'same' },
    { x: [1, 11, 6, 2], k: 7, stride: 1, pad: 'same' },
    { x: [1, 10, 10, 5], k: 3, stride: 2, pad: 'valid' },
  ];
  for (const c of cases) {
    it(`equals the stock kernel: x ${c.x.join('×')}, ${c.k}×${c.k}, stride ${c.stride}, ${c.pad}`, () => {
      const outC = 3;
      tf.tidy(() => {
        const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
        const filter = tf.randomNormal([c.k, c.k, c.x[3], outC], 0, 1, 'float32', 2);
        const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.stride, c.pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
        const got = tf.grad((f: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad), dy)),
        )(filter);
        const stock = stockConv2DBackpropFilter()!;
        const backend = tf.backend();
        const info = stock.kernelFunc({
          inputs: { x, dy },
          backend,
          attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: filter.shape },
        }) as tf.TensorInfo;
        const want = tf.engine().makeTensorFromTensorInfo(info);
        expect(got.shape).toEqual(want.shape);
        const g = got.dataSync();
        const w = want.dataSync();
        for (let i = 0; i < g.length; i++) expect(g[i]).toBeCloseTo(w[i]!, 3);
      });
    });
  }
});
