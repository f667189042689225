import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../../../main/engine/eval/metrics.js';
import { constantImage, mostCommonColour, mostCommonColourBaseline } from '../../../../main/engine/sample/baselines.js';

const img = (pixels: number[][], width: number): RawImage => ({
  data: Uint8Array.from(pixels.flat()),
  width,
  height: pixels.length / width,
  channels: 3,
});

describe('most common colour baseline', () => {
  it('finds the colour covering the most pixels across images', () => {
    const a = img(
      [
        [1, 2, 3],
        [9, 9, 9],
        [9, 9, 9],
        [1, 2, 3],
      ],
      2,
    );
    const b = img(
      [
        [1, 2, 3],
        [0, 0, 0],
      ],
      2,
    );
    expect(mostCommonColour([a, b])).toEqual([1, 2, 3]);
    expect(mostCommonColour([a])).toEqual([1, 2, 3]); // a tie goes to the smaller value
  });

  it('scores the training colour on the held-out maps', () => {
    const train = [
      img(
        [
          [200, 200, 200],
          [200, 200, 200],
          [255, 255, 255],
          [200, 200, 200],
        ],
        2,
      ),
    ];
    // Held out: half the pixels within 4 of the colour (accurate), half far away.
    const test = [
      img(
        [
          [203, 196, 200],
          [255, 255, 255],
          [200, 200, 204],
          [0, 0, 0],
        ],
        2,
      ),
    ];
    const { colour, metrics } = mostCommonColourBaseline(train, test);
    expect(colour).toEqual([200, 200, 200]);
    expect(metrics.pixelAccuracy).toBeCloseTo(0.5);
    expect(metrics.count).toBe(1);
    const sq = [9, 16, 0, 55 * 55 * 3, 0, 0, 16, 200 * 200 * 3].reduce((s, v) => s + v, 0);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(sq / 12), 6);
  });

  it('builds constant images and refuses empty input', () => {
    const c = constantImage([4, 5, 6], 2, 1);
    expect(Array.from(c.data)).toEqual([4, 5, 6, 4, 5, 6]);
    expect(() => mostCommonColour([])).toThrow(/No images/);
    expect(() => mostCommonColourBaseline([c], [])).toThrow(/No held-out maps/);
    expect(() => mostCommonColour([{ ...c, channels: 1, data: new Uint8Array(2), width: 2 }])).toThrow(/RGB/);
  });
});
