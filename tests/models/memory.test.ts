import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend.js';
import { registerFastCpuKernels } from '../../models/cpu-kernels.js';
import { estimateStepMemory } from '../../models/memory.js';
import { createTrainer } from '../../models/trainer.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  registerFastCpuKernels();
});

describe('estimateStepMemory', () => {
  it('predicts the peak tensor bytes of a step at a larger crop from a small probe', async () => {
    const settings = {
      model: 'cyclegan',
      generator: 'tiny',
      discriminator: 'tiny',
      ngf: 4,
      ndf: 4,
      poolSize: 0,
    } as const;
    const before = tf.memory().numTensors;
    const estimate = await estimateStepMemory(settings, {}, 16);
    expect(tf.memory().numTensors).toBe(before);
    expect(estimate.fixedBytes).toBeGreaterThan(0);
    expect(estimate.bytesPerPixel).toBeGreaterThan(0);

    // Measure the real peak at 48 px.
    const trainer = createTrainer(settings);
    const a = tf.randomUniform([1, 48, 48, 3], -1, 1) as tf.Tensor4D;
    const b = tf.randomUniform([1, 48, 48, 3], -1, 1) as tf.Tensor4D;
    const base = tf.memory().numBytes - a.size * 8;
    const info = await tf.profile(() => {
      trainer.step(a, b);
    });
    const measured = info.peakBytes - base - a.size * 8;
    const predicted = estimate.estimate(48);
    expect(predicted / measured).toBeGreaterThan(0.7);
    expect(predicted / measured).toBeLessThan(1.3);
    trainer.dispose();
    tf.dispose([a, b]);
  }, 120_000);

  it('refuses a probe size the generator cannot take, before building anything', async () => {
    const before = tf.memory().numTensors;
    await expect(estimateStepMemory({ model: 'pix2pix', generator: 'unet_64' }, {}, 32)).rejects.toThrow(
      'Cannot measure unet_64 at a 32 px probe: it takes sides that are multiples of 64 px',
    );
    await expect(
      estimateStepMemory({ model: 'pix2pix', generator: 'unet_256' }, { unetDownsamplings: 6 }, 16),
    ).rejects.toThrow(/multiples of 64 px/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
