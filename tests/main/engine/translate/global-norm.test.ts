import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { freezeInstanceNorm } from '../../../../main/engine/translate/global-norm.js';
import { translateWith, translatorFromModel } from '../../../../main/engine/translate/translator.js';
import { buildGenerator, TINY_MAX_FILTERS } from '../../../../models/index.js';
import { type PixelImage, translatePixels } from '../../../../models/tiling.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});

/** A smooth aerial-like gradient: tiles of it have very different statistics from the whole. */
function gradient(side: number): PixelImage {
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const o = (y * side + x) * 3;
      data[o] = Math.round((x / side) * 200 + 20);
      data[o + 1] = Math.round((y / side) * 150 + 40);
      data[o + 2] = Math.round(127 + 60 * Math.sin((3 * y + 5 * x) / side));
    }
  return { data, width: side, height: side, channels: 3 };
}

function meanAbsDiff(a: PixelImage, b: PixelImage): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!);
  return s / a.data.length;
}

describe('instance norm across tiles', () => {
  it('tiles normalised with the whole image’s statistics come much closer to the untiled result', async () => {
    const model = buildGenerator('tiny', { seed: 3 });
    const translator = translatorFromModel(model, { multiple: 4, ngf: TINY_MAX_FILTERS });
    const image = gradient(64);
    const before = tf.memory().numTensors;

    const whole = await translateWith(translator, image, {});
    // Each tile on its own statistics: visibly off.
    const naive = await translatePixels(translator.fn, image, { tile: 32, multiple: 4 });
    // Statistics of the full-resolution image: only the tile borders differ.
    const release = await freezeInstanceNorm(model, image, { maxSide: 64, multiple: 4 });
    const frozen = await translatePixels(translator.fn, image, { tile: 32, multiple: 4 });
    release!();
    // What the job does: statistics from an overview that fits one tile (here half size).
    const overview = await translateWith(translator, image, { tile: 32 });
    const naiveError = meanAbsDiff(naive, whole);
    const frozenError = meanAbsDiff(frozen, whole);
    const overviewError = meanAbsDiff(overview, whole);
    // Measured (mean |difference| on 0–255): per-tile 29, full-resolution statistics 9.3 (what is left
    // is the tiles' borders, wide against a 32 px tile), half-resolution overview 18.
    expect(naiveError).toBeGreaterThan(15);
    expect(frozenError).toBeLessThan(naiveError / 2);
    expect(overviewError).toBeLessThan(naiveError * 0.75);

    // Released: the network normalises per image again, exactly as before.
    const again = await translateWith(translator, image, {});
    expect(Buffer.from(again.data).equals(Buffer.from(whole.data))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    translator.dispose();
  }, 120_000);

  it('leaves models without instance norm alone', async () => {
    const model = buildGenerator('tiny', { seed: 3, norm: 'batch' });
    expect(await freezeInstanceNorm(model, gradient(16), { maxSide: 16, multiple: 4 })).toBeUndefined();
    model.dispose();
  });
});
