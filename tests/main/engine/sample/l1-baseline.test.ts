import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { createL1Trainer } from '../../../../main/engine/sample/l1-baseline.js';
import { onTestBackend, values } from '../../../support/backend.js';

onTestBackend(['cpu']);

const PALETTE = [
  [242, 239, 233],
  [255, 255, 255],
  [170, 211, 223],
];

describe('the L1 baseline', () => {
  it('builds the run’s generator, flat-colour output included', async () => {
    const base = { model: 'pix2pix' as const, generator: 'tiny' as const, ngf: 4, size: 16 };
    const x = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const flat = createL1Trainer(TrainingSettingsSchema.parse({ ...base, palettes: { B: PALETTE } }));
    const plain = createL1Trainer(TrainingSettingsSchema.parse(base));
    flat.step(x, x);
    const allowed = new Set(PALETTE.map((c) => c.map((v) => Math.fround(v / 127.5 - 1)).join()));
    const isPalette = (px: Float32Array) => {
      for (let i = 0; i < px.length; i += 3) if (!allowed.has([px[i], px[i + 1], px[i + 2]].join())) return false;
      return true;
    };
    const [yFlat, yPlain] = [flat.translate(x), plain.translate(x)];
    expect(isPalette(await values(yFlat))).toBe(true);
    expect(isPalette(await values(yPlain))).toBe(false);
    tf.dispose([x, yFlat, yPlain]);
    flat.dispose();
    plain.dispose();
  });
});
