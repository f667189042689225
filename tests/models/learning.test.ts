/**
 * Learning tests: small seeded configurations that must learn a simple mapping to a stated error bound
 * which the same networks fail before training. On cpu by default; DUET_TEST_BACKEND=webgpu (or wasm) runs
 * them there. Measured on the shared 2-core machine under heavy load on cpu: pix2pix ~50 s, CycleGAN ~30 s,
 * FastCUT ~60 s, CUT ~2 min; on lavapipe's software WebGPU device pix2pix ~45 s, CycleGAN ~25 s.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../models/rng.js';
import { createTrainer, type Trainer } from '../../models/trainer.js';
import { onTestBackend } from '../support/backend.js';

const backend = onTestBackend();

/** A smooth random pattern: per channel a sinusoid of 1–2 cycles, values in [lo, hi]. */
function pattern(rng: Rng, size: number, lo: number, hi: number): tf.Tensor4D {
  const mid = (lo + hi) / 2;
  const amp = (hi - lo) / 2;
  const waves = [0, 1, 2].map(() => [rng.int(1, 2), rng.int(1, 2), rng.next() * 2 * Math.PI] as const);
  const data = new Float32Array(size * size * 3);
  for (let h = 0; h < size; h++) {
    for (let w = 0; w < size; w++) {
      for (let c = 0; c < 3; c++) {
        const [fh, fw, phase] = waves[c]!;
        data[(h * size + w) * 3 + c] = mid + amp * Math.sin((2 * Math.PI * (fh * h + fw * w)) / size + phase);
      }
    }
  }
  return tf.tensor4d(data, [1, size, size, 3]);
}

/** The mean of f over the images, read asynchronously (webgpu has no synchronous read in Node). */
async function meanOver(images: tf.Tensor4D[], f: (x: tf.Tensor4D) => tf.Scalar): Promise<number> {
  let sum = 0;
  for (const x of images) {
    const v = tf.tidy(() => f(x));
    sum += (await v.data())[0]!;
    v.dispose();
  }
  return sum / images.length;
}

describe('learning', () => {
  it('a small pix2pix learns colour inversion (B = −A) to a mean absolute error below 0.25', async () => {
    // The reference pix2pix set-up at small scale: U-Net (5 downsamplings, 32 px) with batch norm, a
    // 2-layer PatchGAN on A|B, vanilla GAN + 100·L1. Evaluated in inference mode (running statistics).
    const size = 32;
    const trainer: Trainer = createTrainer(
      {
        model: 'pix2pix',
        generator: 'unet_128',
        discriminator: 'tiny',
        ngf: 8,
        ndf: 8,
        norm: 'batch',
        dropout: true,
        ganMode: 'vanilla',
        lr: 2e-3,
        seed: 1,
      },
      { unetDownsamplings: 5 },
    );
    const rng = new Rng(1);
    const test = Array.from({ length: 6 }, () => pattern(rng, size, -0.9, 0.9));
    const error = () => meanOver(test, (a) => tf.mean(tf.abs(tf.add(trainer.translate(a, 'AtoB'), a))) as tf.Scalar);
    const before = await error();
    for (let i = 0; i < 45; i++) {
      const a = pattern(rng, size, -0.9, 0.9);
      const b = tf.neg(a) as tf.Tensor4D;
      await trainer.stepAsync(a, b);
      tf.dispose([a, b]);
    }
    const after = await error();
    expect(before).toBeGreaterThan(0.4); // the untrained network fails the bound
    expect(after).toBeLessThan(0.25);
    trainer.dispose();
    tf.dispose(test);
  }, 240_000);

  it('a small CycleGAN learns an unpaired bright → dark mapping that cycles back', async () => {
    // Domain A: bright patterns in [0.1, 0.9]; domain B: dark ones in [−0.9, −0.1], drawn independently.
    // Unpaired, so success is judged per domain: G_A's outputs must land in B (≥ 95% of pixels below 0)
    // and G_B(G_A(a)) must give a back (mean absolute error < 0.4).
    const size = 16;
    const trainer = createTrainer({
      model: 'cyclegan',
      generator: 'tiny',
      discriminator: 'tiny',
      ngf: 8,
      ndf: 8,
      lambdaIdentity: 0,
      poolSize: 10,
      lr: 2e-3,
      seed: 1,
    });
    const rng = new Rng(2);
    const test = Array.from({ length: 6 }, () => pattern(rng, size, 0.1, 0.9));
    const inB = () =>
      meanOver(test, (a) => tf.mean(tf.cast(tf.less(trainer.translate(a, 'AtoB'), 0), 'float32')) as tf.Scalar);
    const cycle = () =>
      meanOver(
        test,
        (a) => tf.mean(tf.abs(tf.sub(trainer.translate(trainer.translate(a, 'AtoB'), 'BtoA'), a))) as tf.Scalar,
      );
    const [inBBefore, cycleBefore] = [await inB(), await cycle()];
    for (let i = 0; i < 12; i++) {
      const a = pattern(rng, size, 0.1, 0.9);
      const b = pattern(rng, size, -0.9, -0.1);
      await trainer.stepAsync(a, b);
      tf.dispose([a, b]);
    }
    expect(inBBefore).toBeLessThan(0.95);
    expect(cycleBefore).toBeGreaterThan(0.4);
    expect(await inB()).toBeGreaterThanOrEqual(0.95);
    expect(await cycle()).toBeLessThan(0.4);
    trainer.dispose();
    tf.dispose(test);
  }, 240_000);

  for (const model of ['fastcut', 'cut'] as const) {
    it(`a small ${model} learns an unpaired bright → dark mapping, its PatchNCE falling`, async (context) => {
      // 60 steps of CUT's extra feature passes take minutes on a software WebGPU device: run there on a GPU.
      if (backend().adapter?.software) {
        const why = `${model} learning is left to a real GPU on webgpu (${backend().adapter?.description} is software)`;
        console.log(`skipped: ${why}`);
        context.skip(why);
      }
      // The same unpaired domains as above, one direction. G's outputs must land in B (≥ 95% of pixels
      // below 0), which the untrained generator's do not, and PatchNCE (input patches told apart in the
      // output) must fall: its mean over the last 10 iterations below that of the first 10.
      const size = 16;
      const trainer = createTrainer({
        model,
        generator: 'tiny',
        discriminator: 'tiny',
        ngf: 8,
        ndf: 8,
        ncePatches: 16,
        nceMlpUnits: 16,
        antialias: false,
        lr: 2e-3,
        seed: 1,
      });
      const rng = new Rng(2);
      const test = Array.from({ length: 6 }, () => pattern(rng, size, 0.1, 0.9));
      const inB = () =>
        meanOver(test, (a) => tf.mean(tf.cast(tf.less(trainer.translate(a, 'AtoB'), 0), 'float32')) as tf.Scalar);
      const inBBefore = await inB();
      const nce: number[] = [];
      for (let i = 0; i < 60; i++) {
        const a = pattern(rng, size, 0.1, 0.9);
        const b = pattern(rng, size, -0.9, -0.1);
        nce.push((await trainer.stepAsync(a, b)).NCE!);
        tf.dispose([a, b]);
      }
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(inBBefore).toBeLessThan(0.95);
      expect(await inB()).toBeGreaterThanOrEqual(0.95);
      expect(mean(nce.slice(-10))).toBeLessThan(mean(nce.slice(0, 10)));
      trainer.dispose();
      tf.dispose(test);
    }, 300_000);
  }
});
