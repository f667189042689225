import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { composeGrid, encodeGridPng, type SampleImage, toByte } from '../../../../main/engine/runs/samples.js';

function solid(value: number, h: number, w: number, channels = 3): SampleImage {
  return { data: new Float32Array(h * w * channels).fill(value), height: h, width: w, channels };
}

describe('sample grids', () => {
  it('maps [-1, 1] to bytes like the reference, clamping outliers', () => {
    expect([toByte(-1), toByte(0), toByte(1), toByte(-3), toByte(2), toByte(Number.NaN)]).toEqual([
      0, 128, 255, 0, 255, 0,
    ]);
  });

  it('places cells in rows with a gap', () => {
    const grid = composeGrid(
      [
        [solid(-1, 2, 3), solid(1, 2, 3)],
        [solid(0, 2, 3, 1), solid(1, 2, 3)],
      ],
      1,
    );
    expect(grid.width).toBe(3 * 2 + 1);
    expect(grid.height).toBe(2 * 2 + 1);
    const px = (x: number, y: number) => grid.data[(y * grid.width + x) * 3];
    expect(px(0, 0)).toBe(0); // first cell black
    expect(px(3, 0)).toBe(128); // gap column
    expect(px(4, 1)).toBe(255); // second cell white
    expect(px(0, 3)).toBe(128); // gray single-channel cell in the second row
    expect(px(6, 4)).toBe(255);
  });

  it('keeps channels apart', () => {
    const img: SampleImage = { data: new Float32Array([1, -1, -1]), height: 1, width: 1, channels: 3 };
    expect(Array.from(composeGrid([[img]]).data)).toEqual([255, 0, 0]);
  });

  it('encodes a PNG sharp can read back at the grid size', async () => {
    const png = await encodeGridPng([[solid(1, 8, 8), solid(-1, 8, 8), solid(0, 8, 8)]]);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([8 * 3 + 2 * 2, 8]);
  });

  it('refuses bad input with a reason', () => {
    expect(() => composeGrid([])).toThrow(/at least one image/);
    expect(() => composeGrid([[solid(0, 2, 2, 4)]])).toThrow(/1 or 3 channels/);
    expect(() => composeGrid([[{ data: new Float32Array(3), height: 2, width: 2, channels: 3 }]])).toThrow(
      /3 values for 2×2×3/,
    );
  });
});
