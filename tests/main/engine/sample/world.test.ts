import { describe, expect, it } from 'vitest';
import { generatePair } from '../../../../main/engine/sample/generate.js';
import { ValueNoise } from '../../../../main/engine/sample/random.js';
import { MAP_PALETTE } from '../../../../main/engine/sample/render.js';
import { Casing, generateWorld, Label } from '../../../../main/engine/sample/world.js';

const rgbAt = (buf: Uint8Array, i: number) => [buf[i * 3]!, buf[i * 3 + 1]!, buf[i * 3 + 2]!] as const;

describe('ValueNoise', () => {
  it('noise is smooth and bounded', () => {
    const n = new ValueNoise(3);
    for (let i = 0; i < 200; i++) {
      const x = i * 0.37;
      const v = n.fbm(x, 1.3, 3);
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      expect(Math.abs(n.fbm(x + 0.001, 1.3, 3) - v)).toBeLessThan(0.02);
    }
  });
});

describe('generatePair', () => {
  it('is byte-identical for a seed and differs between seeds', () => {
    const a = generatePair(64, 42);
    const b = generatePair(64, 42);
    const c = generatePair(64, 43);
    expect(Buffer.from(a.aerial).equals(Buffer.from(b.aerial))).toBe(true);
    expect(Buffer.from(a.map).equals(Buffer.from(b.map))).toBe(true);
    expect(Buffer.from(a.aerial).equals(Buffer.from(c.aerial))).toBe(false);
    expect(Buffer.from(a.map).equals(Buffer.from(c.map))).toBe(false);
  });

  it('draws the map only in palette colours, one per label (casings and outlines aside)', () => {
    const palette = new Set(Object.values(MAP_PALETTE).map((c) => c.join(',')));
    for (let seed = 0; seed < 8; seed++) {
      const { world, map } = generatePair(64, seed);
      const wrong: string[] = [];
      for (let i = 0; i < 64 * 64; i++) {
        const c = rgbAt(map, i).join(',');
        const l = world.label[i];
        if (!palette.has(c)) wrong.push(`${i}: ${c} is not in the palette`);
        if (l === Label.Water && world.casing[i] === Casing.None && c !== MAP_PALETTE.water.join(',')) {
          wrong.push(`${i}: water drawn ${c}`);
        }
        if (l === Label.MinorRoad && c !== MAP_PALETTE.minorRoad.join(',')) wrong.push(`${i}: minor road ${c}`);
        if (l === Label.MajorRoad && c !== MAP_PALETTE.majorRoad.join(',')) wrong.push(`${i}: major road ${c}`);
      }
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  });

  it('covers every kind of place across a handful of tiles, with plain land the largest share', () => {
    const counts = new Array(8).fill(0);
    let total = 0;
    let roadTiles = 0;
    for (let seed = 0; seed < 24; seed++) {
      const w = generateWorld(96, seed);
      let roads = 0;
      for (const l of w.label) {
        counts[l]++;
        if (l === Label.MinorRoad || l === Label.MajorRoad) roads++;
      }
      total += w.label.length;
      if (roads > 0) roadTiles++;
    }
    for (let l = 0; l < 8; l++) expect(counts[l], `label ${l}`).toBeGreaterThan(0);
    const shares = counts.map((c) => c / total);
    const landShare = shares[Label.Land]!;
    expect(Math.max(...shares)).toBe(landShare);
    // A fair task: no single colour explains most of the map.
    expect(landShare).toBeLessThan(0.6);
    expect(roadTiles).toBeGreaterThan(18);
  });

  it('lines up: aerial road pixels are grey asphalt exactly where the map draws roads', () => {
    // "Road-like" in the photo: grey (channels within 24 of each other, allowing for the photo's tint
    // and noise) and mid-dark.
    const size = 128;
    let agreeAligned = 0;
    let agreeShifted = 0;
    let roadPixels = 0;
    for (let seed = 0; seed < 6; seed++) {
      const { world, aerial } = generatePair(size, 100 + seed);
      const roadish = (i: number) => {
        const [r, g, b] = rgbAt(aerial, i);
        return Math.max(r, g, b) - Math.min(r, g, b) < 24 && Math.max(r, g, b) < 160;
      };
      const isRoad = (i: number) => world.label[i] === Label.MinorRoad || world.label[i] === Label.MajorRoad;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size - 24; x++) {
          const i = y * size + x;
          if (!isRoad(i)) continue;
          roadPixels++;
          if (roadish(i)) agreeAligned++;
          if (roadish(i + 24)) agreeShifted++;
        }
      }
    }
    expect(roadPixels).toBeGreaterThan(1000);
    expect(agreeAligned / roadPixels).toBeGreaterThan(0.8);
    expect(agreeShifted / roadPixels).toBeLessThan(agreeAligned / roadPixels - 0.25);
  });

  it('puts buildings on the map where the photo shows roofs, and water where it is blue-dark', () => {
    const { world, aerial, map } = generatePair(128, 7);
    for (let i = 0; i < world.label.length; i++) {
      if (world.label[i] === Label.Building) {
        expect([MAP_PALETTE.building.join(','), MAP_PALETTE.buildingOutline.join(',')]).toContain(
          rgbAt(map, i).join(','),
        );
      }
    }
    let water = 0;
    let blue = 0;
    for (let i = 0; i < world.label.length; i++) {
      if (world.label[i] !== Label.Water || world.shore[i]! < 4) continue;
      water++;
      const [r, , b] = rgbAt(aerial, i);
      if (b > r) blue++;
    }
    if (water > 0) expect(blue / water).toBeGreaterThan(0.9);
  });

  it('refuses sizes it cannot draw', () => {
    expect(() => generateWorld(8, 1)).toThrow(/from 16 to 4096 px \(got 8\)/);
    expect(() => generateWorld(100.5, 1)).toThrow(/integer/);
  });

  // How fast: `duet bench --only responsiveness` ("sample pair 256 px").
  it('renders a full 256 px pair, both images filled', () => {
    const { aerial, map } = generatePair(256, 1);
    for (const image of [aerial, map]) {
      expect(image.length).toBe(256 * 256 * 3);
      // Every row drawn: no row left at its zero fill.
      for (let y = 0; y < 256; y += 15) expect(image.subarray(y * 768, (y + 1) * 768).some((v) => v > 0)).toBe(true);
    }
  });
});
