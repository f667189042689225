import { describe, expect, it } from 'vitest';
import {
  compareImages,
  PSNR_CAP_DB,
  psnrFromRmse,
  type RawImage,
  summarizeMetrics,
} from '../../../../main/engine/eval/metrics.js';

const img = (width: number, height: number, channels: number, values: number[]): RawImage => ({
  data: Uint8Array.from(values),
  width,
  height,
  channels,
});

describe('compareImages', () => {
  it('matches hand-computed values on a 2×1 RGB pair', () => {
    // Pixel 0 differs by (3, 0, 4): largest 4 < 5 → accurate. Pixel 1 differs by (0, 10, 0) → not.
    const out = img(2, 1, 3, [10, 20, 30, 100, 110, 120]);
    const ref = img(2, 1, 3, [13, 20, 26, 100, 100, 120]);
    const m = compareImages(out, ref);
    // squares: 9 + 0 + 16 + 0 + 100 + 0 = 125 over 6 values
    expect(m.rmse).toBeCloseTo(Math.sqrt(125 / 6), 12);
    expect(m.l1).toBeCloseTo(17 / 6, 12);
    expect(m.pixelAccuracy).toBe(0.5);
    expect(m.psnr).toBeCloseTo(20 * Math.log10(255 / Math.sqrt(125 / 6)), 12);
  });

  it('a difference of exactly 5 is not accurate; 4 is', () => {
    const m = compareImages(img(2, 1, 1, [0, 0]), img(2, 1, 1, [5, 4]));
    expect(m.pixelAccuracy).toBe(0.5);
    expect(m.l1).toBe(4.5);
    expect(m.rmse).toBeCloseTo(Math.sqrt((25 + 16) / 2), 12);
  });

  it('identical images: zero error, full accuracy, capped PSNR', () => {
    const a = img(1, 2, 3, [1, 2, 3, 4, 5, 6]);
    expect(compareImages(a, a)).toEqual({ rmse: 0, pixelAccuracy: 1, psnr: PSNR_CAP_DB, l1: 0 });
  });

  it('black against white is the worst case: RMSE 255, PSNR 0 dB', () => {
    const m = compareImages(img(1, 1, 3, [0, 0, 0]), img(1, 1, 3, [255, 255, 255]));
    expect(m).toEqual({ rmse: 255, pixelAccuracy: 0, psnr: 0, l1: 255 });
  });

  it('ignores an alpha channel and compares RGB against RGBA', () => {
    const m = compareImages(img(1, 1, 4, [10, 10, 10, 0]), img(1, 1, 3, [10, 10, 12]));
    expect(m.l1).toBeCloseTo(2 / 3, 12);
    expect(m.pixelAccuracy).toBe(1);
  });

  it('refuses mismatched sizes and short buffers with a clear message', () => {
    expect(() => compareImages(img(2, 1, 1, [0, 0]), img(1, 2, 1, [0, 0]))).toThrow(/different sizes: 2×1 and 1×2/);
    expect(() => compareImages(img(2, 1, 3, [0, 0, 0]), img(2, 1, 3, [0, 0, 0, 0, 0, 0]))).toThrow(
      /output image holds 3 values, expected 6/,
    );
  });
});

describe('summarizeMetrics', () => {
  it('averages per image', () => {
    const s = summarizeMetrics([
      { rmse: 2, pixelAccuracy: 1, psnr: 40, l1: 1 },
      { rmse: 4, pixelAccuracy: 0.5, psnr: 30, l1: 3 },
    ]);
    expect(s).toEqual({ rmse: 3, pixelAccuracy: 0.75, psnr: 35, l1: 2, count: 2 });
    expect(() => summarizeMetrics([])).toThrow(/No image pairs/);
  });

  it('psnrFromRmse follows 20·log10(255/RMSE)', () => {
    expect(psnrFromRmse(25.5)).toBeCloseTo(20, 12);
    expect(psnrFromRmse(0)).toBe(PSNR_CAP_DB);
  });
});
