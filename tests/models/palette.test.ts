import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { PaletteMix } from '../../models/layers.js';
import { resnetGenerator } from '../../models/networks.js';
import { ColourCounter, snapToPalette } from '../../models/palette.js';
import { Rng } from '../../models/rng.js';
import { createTrainer } from '../../models/trainer.js';
import { onTestBackend, values } from '../support/backend.js';

onTestBackend();

const PALETTE = [
  [242, 239, 233],
  [170, 211, 223],
  [255, 255, 255],
];
const toUnit = (v: number) => v / 127.5 - 1;

/** A flat-colour image drawn from `palette`, in random blocks of 4×4. */
function flatImage(palette: number[][], side: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(side * side * 3);
  for (let by = 0; by < side; by += 4) {
    for (let bx = 0; bx < side; bx += 4) {
      const c = palette[rng.int(0, palette.length - 1)]!;
      for (let y = by; y < by + 4; y++) for (let x = bx; x < bx + 4; x++) out.set(c, (y * side + x) * 3);
    }
  }
  return out;
}

describe('finding a palette', () => {
  it('finds the flat colours of maps, most common first, and their coverage', () => {
    const counter = new ColourCounter();
    const img = flatImage(PALETTE, 32, 1);
    counter.add(img, 3);
    const found = counter.palette();
    expect(found).not.toBeNull();
    expect(found!.coverage).toBe(1);
    expect(found!.colours).toHaveLength(3);
    expect([...found!.colours].sort()).toEqual([...PALETTE].sort());
    // Most common first.
    const count = (c: number[]) => {
      let n = 0;
      for (let i = 0; i < img.length; i += 3) if (img[i] === c[0] && img[i + 1] === c[1] && img[i + 2] === c[2]) n++;
      return n;
    };
    const counts = found!.colours.map(count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('groups compression noise with its colour and keeps the group’s most frequent exact colour', () => {
    const img = flatImage(PALETTE, 32, 2);
    const rng = new Rng(3);
    // One pixel in eight off by up to 3 per channel, as JPEG leaves flat fills.
    for (let i = 0; i < img.length; i += 24)
      for (let c = 0; c < 3; c++) img[i + c] = Math.max(0, Math.min(255, img[i + c]! + rng.int(0, 6) - 3));
    const counter = new ColourCounter();
    counter.add(img, 3);
    const found = counter.palette();
    expect(found!.colours).toHaveLength(3);
    expect([...found!.colours].sort()).toEqual([...PALETTE].sort());
    expect(found!.coverage).toBe(1);
  });

  it('finds none in a photo-like image', () => {
    const rng = new Rng(4);
    const img = Uint8Array.from({ length: 32 * 32 * 3 }, () => rng.int(0, 255));
    const counter = new ColourCounter();
    counter.add(img, 3);
    expect(counter.palette()).toBeNull();
    expect(new ColourCounter().palette()).toBeNull();
  });

  it('counts RGBA pixels by their colour and refuses grey', () => {
    const counter = new ColourCounter();
    counter.add(Uint8Array.from([1, 2, 3, 255, 1, 2, 3, 0, 9, 9, 9, 255, 9, 9, 9, 255]), 4);
    expect(counter.pixels).toBe(4);
    expect(counter.palette({ minCoverage: 1 })!.colours).toEqual([
      [1, 2, 3],
      [9, 9, 9],
    ]);
    expect(() => counter.add(new Uint8Array(4), 1)).toThrow(/3 or 4 channels/);
  });
});

describe('snapping to a palette', () => {
  it('puts every pixel on its nearest colour and keeps alpha', () => {
    const data = Uint8Array.from([250, 250, 250, 7, 160, 200, 230, 8, 240, 240, 230, 9]);
    const out = snapToPalette(data, 4, PALETTE);
    expect([...out]).toEqual([255, 255, 255, 7, 170, 211, 223, 8, 242, 239, 233, 9]);
    expect([...data.slice(0, 3)]).toEqual([250, 250, 250]); // the input is left alone
    expect(() => snapToPalette(data, 4, [])).toThrow(/empty palette/);
  });
});

describe('the palette output layer', () => {
  it('mixes the colours by softmax while training and picks the likeliest at inference', async () => {
    const layer = new PaletteMix({ palette: PALETTE });
    const logits = tf.tensor4d([2, 0, 0, 0, 1, 3], [1, 1, 2, 3]);
    const trained = layer.apply(logits, { training: true }) as tf.Tensor;
    const inferred = layer.apply(logits, { training: false }) as tf.Tensor;
    const p = (xs: number[]) => {
      const e = xs.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const mix = (w: number[]) => [0, 1, 2].map((c) => w.reduce((sum, wi, k) => sum + wi * toUnit(PALETTE[k]![c]!), 0));
    const expected = [...mix(p([2, 0, 0])), ...mix(p([0, 1, 3]))];
    const got = await values(trained);
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    expect([...(await values(inferred))]).toEqual([...PALETTE[0]!, ...PALETTE[2]!].map((v) => Math.fround(toUnit(v))));
    tf.dispose([logits, trained, inferred]);
  });

  it('refuses a palette it cannot draw and logits that do not match it', () => {
    expect(() => new PaletteMix({ palette: [[1, 2, 3]] })).toThrow(/at least 2 colours/);
    expect(
      () =>
        new PaletteMix({
          palette: [
            [1, 2, 3],
            [1, 2],
          ],
        }),
    ).toThrow(/same number of channels/);
    expect(
      () =>
        new PaletteMix({
          palette: [
            [1, 2, 3],
            [1, 2, 300],
          ],
        }),
    ).toThrow(/0–255/);
    const x = tf.zeros([1, 1, 1, 2]);
    expect(() => new PaletteMix({ palette: PALETTE }).apply(x)).toThrow(/3 logits, got 2/);
    x.dispose();
  });

  it('a palette generator draws only palette colours and round-trips through its saved form', async () => {
    const g = resnetGenerator({ ngf: 4, blocks: 1, palette: PALETTE, seed: 5 });
    expect(g.outputs[0]!.shape[3]).toBe(3);
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const y = g.predict(x) as tf.Tensor;
    const allowed = new Set(PALETTE.map((c) => c.map((v) => Math.fround(toUnit(v))).join()));
    const px = await values(y);
    for (let i = 0; i < px.length; i += 3) expect(allowed.has([px[i], px[i + 1], px[i + 2]].join())).toBe(true);
    let saved: tf.io.ModelArtifacts | undefined;
    await g.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const y2 = loaded.predict(x) as tf.Tensor;
    expect(await values(y2)).toEqual(px);
    tf.dispose([x, y, y2]);
    g.dispose();
    loaded.dispose();
    expect(() => resnetGenerator({ ngf: 4, blocks: 1, outputChannels: 1, palette: PALETTE })).toThrow(
      /3 channels, the output 1/,
    );
  });
});

describe('training with a palette output', () => {
  it('CycleGAN and CUT train through the palette, without leaking, and resume needs the same palette', async () => {
    for (const model of ['cyclegan', 'cut'] as const) {
      const settings = {
        model,
        generator: 'tiny' as const,
        discriminator: 'tiny' as const,
        ngf: 4,
        ndf: 4,
        size: 16,
        ncePatches: 8,
        nceMlpUnits: 8,
        nceLayers: [0, 4],
        poolSize: 0,
        palettes: { B: PALETTE },
      };
      const trainer = createTrainer(settings);
      const a = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
      const b = tf.randomUniform([1, 16, 16, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
      await trainer.stepAsync(a, b);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const losses = await trainer.stepAsync(a, b);
        expect(Object.values(losses).every(Number.isFinite)).toBe(true);
      }
      expect(tf.memory().numTensors).toBe(before);
      const out = trainer.translate(a, 'AtoB');
      const allowed = new Set(PALETTE.map((c) => c.map((v) => Math.fround(toUnit(v))).join()));
      const px = await values(out);
      for (let i = 0; i < px.length; i += 3) expect(allowed.has([px[i], px[i + 1], px[i + 2]].join())).toBe(true);
      out.dispose();
      const state = await trainer.exportState();
      const other = createTrainer({ ...settings, palettes: { B: [PALETTE[0]!, PALETTE[1]!] } });
      expect(() => other.importState(state)).toThrow(/palettes/);
      other.dispose();
      trainer.dispose();
      tf.dispose([a, b]);
    }
  });
});
