import { describe, expect, it } from 'vitest';
import {
  type AugmentSettings,
  epochOrder,
  planAugmentation,
  proportionalLoadSize,
  resizeTarget,
  sampleRng,
  toTrainingFloats,
} from '../../../../main/engine/dataset/augment.js';

const reference: AugmentSettings = { size: 256, loadSize: 286, preprocess: 'resize_and_crop', flip: true };

describe('resizeTarget', () => {
  it('resize_and_crop loads a square of loadSize, proportional to size when loadSize is absent', () => {
    expect(resizeTarget(600, 400, reference)).toEqual({ width: 286, height: 286 });
    expect(proportionalLoadSize(256)).toBe(286);
    expect(proportionalLoadSize(128)).toBe(143);
    expect(resizeTarget(600, 400, { size: 128, preprocess: 'resize_and_crop', flip: false })).toEqual({
      width: 143,
      height: 143,
    });
  });

  it('scale_width keeps the aspect ratio, with at least size rows', () => {
    const s: AugmentSettings = { size: 256, loadSize: 512, preprocess: 'scale_width', flip: false };
    expect(resizeTarget(1024, 512, s)).toEqual({ width: 512, height: 256 });
    expect(resizeTarget(2048, 512, s)).toEqual({ width: 512, height: 256 });
    expect(resizeTarget(512, 700, s)).toBeNull();
  });

  it('none keeps the size unless a side is smaller than the crop', () => {
    const s: AugmentSettings = { size: 64, preprocess: 'none', flip: false };
    expect(resizeTarget(300, 200, s)).toBeNull();
    expect(resizeTarget(32, 100, s)).toEqual({ width: 64, height: 200 });
  });

  it('a loadSize below size is raised to size', () => {
    expect(resizeTarget(10, 10, { size: 64, loadSize: 32, preprocess: 'resize_and_crop', flip: false })).toEqual({
      width: 64,
      height: 64,
    });
  });
});

describe('planAugmentation', () => {
  it('is reproducible from the seed and keeps crops inside the resized image', () => {
    for (let i = 0; i < 200; i++) {
      const p = planAugmentation(600, 400, reference, sampleRng(7, 0, i, 2));
      const q = planAugmentation(600, 400, reference, sampleRng(7, 0, i, 2));
      expect(p).toEqual(q);
      expect(p.crop.left).toBeGreaterThanOrEqual(0);
      expect(p.crop.top).toBeGreaterThanOrEqual(0);
      expect(p.crop.left + p.crop.width).toBeLessThanOrEqual(286);
      expect(p.crop.top + p.crop.height).toBeLessThanOrEqual(286);
    }
  });

  it('covers every crop offset and flips about half the time; never flips when flip is off', () => {
    const lefts = new Set<number>();
    let flips = 0;
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const p = planAugmentation(286, 286, reference, sampleRng(1, 0, i, 2));
      lefts.add(p.crop.left);
      if (p.flip) flips++;
    }
    expect(lefts.size).toBe(31); // 0..30 inclusive, like randint(0, 286 - 256)
    expect(flips / n).toBeGreaterThan(0.45);
    expect(flips / n).toBeLessThan(0.55);
    const noFlip = { ...reference, flip: false };
    for (let i = 0; i < 100; i++) expect(planAugmentation(300, 300, noFlip, sampleRng(1, 0, i, 2)).flip).toBe(false);
  });
});

describe('random numbers', () => {
  it('epochOrder is a permutation that changes with epoch and seed', () => {
    const o = epochOrder(100, 3, 0);
    expect([...o].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...epochOrder(100, 3, 0)]).toEqual([...o]);
    expect([...epochOrder(100, 3, 1)]).not.toEqual([...o]);
    expect([...epochOrder(100, 4, 0)]).not.toEqual([...o]);
  });
});

describe('toTrainingFloats', () => {
  it('maps 0..255 to -1..1 and mirrors columns when flipping', () => {
    // 2×1 image, 3 channels: left pixel (0, 255, 51), right pixel (255, 0, 102)
    const px = Uint8Array.from([0, 255, 51, 255, 0, 102]);
    const out = new Float32Array(8);
    toTrainingFloats(px, 2, 1, 3, false, out, 1);
    expect(Array.from(out.subarray(1, 7))).toEqual([-1, 1, 51 / 127.5 - 1, 1, -1, 102 / 127.5 - 1].map(Math.fround));
    toTrainingFloats(px, 2, 1, 3, true, out, 0);
    expect(Array.from(out.subarray(0, 6))).toEqual([1, -1, 102 / 127.5 - 1, -1, 1, 51 / 127.5 - 1].map(Math.fround));
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => toTrainingFloats(new Uint8Array(5), 2, 1, 3, false, new Float32Array(6))).toThrow(/Expected 2×1×3/);
  });
});
