import { describe, expect, it } from 'vitest';
import { accuracyByMapColour } from '../../../../main/engine/sample/breakdown.js';
import { MAP_PALETTE } from '../../../../main/engine/sample/render.js';

/** An RGB buffer from a list of pixels. */
const rgb = (...pixels: readonly (readonly number[])[]) => Uint8Array.from(pixels.flat());

describe('accuracy by map colour', () => {
  it('splits the accuracy by the target colour, with shares, and tells a cast from noise', () => {
    const { land, water } = MAP_PALETTE;
    // Four land pixels: two exact, two 4 darker in blue (inside the threshold); two water pixels both
    // +6 in red (a cast: outside it); one pixel outside the palette.
    const target = rgb(land, land, land, land, water, water, [1, 2, 3]);
    const output = rgb(
      land,
      land,
      [land[0], land[1], land[2] - 4],
      [land[0], land[1], land[2] - 4],
      [water[0] + 6, water[1], water[2]],
      [water[0] + 6, water[1], water[2]],
      [1, 2, 3],
    );
    const rows = accuracyByMapColour([{ output, target }]);
    expect(rows.map((r) => r.name)).toEqual(['land', 'water', 'other']);
    const [l, w, o] = rows;
    expect(l!.share).toBeCloseTo(4 / 7, 10);
    expect(l!.pixelAccuracy).toBe(1);
    expect(l!.bias).toEqual([0, 0, -2]);
    expect(l!.colour).toEqual(land);
    expect(w!.share).toBeCloseTo(2 / 7, 10);
    expect(w!.pixelAccuracy).toBe(0);
    expect(w!.bias).toEqual([6, 0, 0]);
    expect(o!.colour).toBeUndefined();
    expect(rows.map((r) => r.label)).toEqual(['land', 'water', 'not a map colour']);
    expect(o!.pixelAccuracy).toBe(1);
  });

  it('agrees with the overall pixel accuracy when weighted by share, across several pairs', () => {
    const { minorRoad, building } = MAP_PALETTE;
    const pairs = [
      { target: rgb(minorRoad, building), output: rgb(minorRoad, minorRoad) },
      { target: rgb(building, building), output: rgb(building, [0, 0, 0]) },
    ];
    const rows = accuracyByMapColour(pairs);
    const overall = rows.reduce((s, r) => s + r.share * r.pixelAccuracy, 0);
    expect(overall).toBeCloseTo(2 / 4, 10);
    expect(rows.find((r) => r.name === 'building')!.pixelAccuracy).toBeCloseTo(1 / 3, 10);
  });

  it('refuses an empty list and pairs of different sizes', () => {
    expect(() => accuracyByMapColour([])).toThrow(/No image pairs/);
    expect(() => accuracyByMapColour([{ output: new Uint8Array(6), target: new Uint8Array(3) }])).toThrow(
      /Pair 0: output and target must be RGB of the same size \(6 and 3 bytes\)/,
    );
  });
});
