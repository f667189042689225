/**
 * Memory: the step-memory estimate, and tensors (and, on webgpu, GPU bytes) flat over a long run. On cpu
 * by default; DUET_TEST_BACKEND=webgpu (or wasm) runs the same tests there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { estimateStepMemory } from '../../models/memory.js';
import { createTrainer } from '../../models/trainer.js';
import { onTestBackend, TEST_BACKEND } from '../support/backend.js';

const backend = onTestBackend();

type Memory = tf.MemoryInfo & { numBytesInGPU?: number };

// tf.profile times every kernel; on webgpu that is a device round trip per kernel (minutes a step on a
// software device). The estimate guards WebAssembly's 4 GB, so it is checked on cpu and wasm.
const profileTooSlow =
  TEST_BACKEND === 'webgpu'
    ? 'estimateStepMemory profiles every kernel, a device round trip each on webgpu'
    : undefined;
if (profileTooSlow) console.log(`skipped on webgpu: ${profileTooSlow}`);

describe('estimateStepMemory', () => {
  it.skipIf(profileTooSlow !== undefined)(
    'predicts the peak tensor bytes of a step at a larger crop from a small probe',
    async () => {
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
      const info = await tf.profile(async () => {
        await trainer.stepAsync(a, b);
      });
      const measured = info.peakBytes - base - a.size * 8;
      const predicted = estimate.estimate(48);
      expect(predicted / measured).toBeGreaterThan(0.7);
      expect(predicted / measured).toBeLessThan(1.3);
      trainer.dispose();
      tf.dispose([a, b]);
    },
    120_000,
  );

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

  // pix2pix with instance norm: one generator pass a step keeps 200 steps within a minute on a software
  // WebGPU device (the CycleGAN's pools and four networks are checked flat over 30 steps by the trainer
  // tests).
  it('keeps tensors, bytes and GPU bytes flat over 200 iterations (pix2pix, instance norm)', async () => {
    const t = createTrainer({
      model: 'pix2pix',
      generator: 'tiny',
      discriminator: 'tiny',
      ngf: 4,
      ndf: 4,
      norm: 'instance',
      seed: 5,
    });
    const a = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const b = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    let at10: Memory | undefined;
    for (let i = 1; i <= 200; i++) {
      const losses = await t.stepAsync(a, b);
      expect(Number.isFinite(losses.G_L1)).toBe(true);
      if (i === 10) at10 = tf.memory();
    }
    const at200: Memory = tf.memory();
    expect(at200.numTensors).toBe(at10!.numTensors);
    expect(at200.numBytes).toBe(at10!.numBytes);
    if (backend().backend === 'webgpu') {
      // Bytes of the GPU buffers that tensors hold (tfjs-webgpu's buffer manager): released, not leaked.
      expect(at200.numBytesInGPU).toBeGreaterThan(0);
      expect(at200.numBytesInGPU).toBe(at10!.numBytesInGPU);
    }
    t.dispose();
    tf.dispose([a, b]);
  }, 600_000);
});
