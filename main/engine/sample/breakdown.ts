/**
 * Where a translation of the sample is right: pixel accuracy per map colour. The sample's maps are drawn
 * from one palette, so every target pixel names what it shows (land, water, a road casing...), and the
 * overall figure splits into how much of each there is and how much of it the model got right. The
 * mean signed error per channel tells a colour cast (every land pixel a little too dark) from noise.
 */
import { PIXEL_ACCURACY_THRESHOLD } from '../eval/metrics.js';
import { MAP_PALETTE, type Rgb } from './render.js';

export type MapColourName = keyof typeof MAP_PALETTE;

/** The palette's names in words, as the report and the command line show them. */
export const MAP_COLOUR_LABELS: Record<MapColourName | 'other', string> = {
  land: 'land',
  water: 'water',
  park: 'park',
  wood: 'wood',
  field: 'field',
  building: 'building',
  buildingOutline: 'building outline',
  minorRoad: 'minor road',
  minorCasing: 'minor road casing',
  majorRoad: 'major road',
  majorCasing: 'major road casing',
  other: 'not a map colour',
};

export interface MapColourRow {
  /** Palette name, or 'other' for target pixels outside the palette. */
  name: MapColourName | 'other';
  /** The name in words ("minor road casing"). */
  label: string;
  /** The palette colour (absent for 'other'). */
  colour?: Rgb;
  /** Share of all target pixels that are this colour (0–1). */
  share: number;
  /** Share of those pixels whose largest channel difference is below the accuracy threshold. */
  pixelAccuracy: number;
  /** Mean signed error (output − target) per channel, on 0–255. */
  bias: [number, number, number];
}

export interface ImagePair {
  /** RGB bytes, 3 per pixel, the same length for both. */
  output: Uint8Array;
  target: Uint8Array;
}

const key = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;
const PALETTE_INDEX = new Map<number, MapColourName>(
  (Object.entries(MAP_PALETTE) as [MapColourName, Rgb][]).map(([name, c]) => [key(c[0], c[1], c[2]), name]),
);

/** Rows in order of share, largest first; colours that never occur in the targets are left out. */
export function accuracyByMapColour(pairs: ImagePair[]): MapColourRow[] {
  if (pairs.length === 0) throw new Error('No image pairs to break down');
  const tally = new Map<MapColourName | 'other', { n: number; ok: number; sum: [number, number, number] }>();
  let total = 0;
  for (const [i, { output, target }] of pairs.entries()) {
    if (output.length !== target.length || target.length % 3 !== 0) {
      throw new Error(
        `Pair ${i}: output and target must be RGB of the same size (${output.length} and ${target.length} bytes)`,
      );
    }
    for (let p = 0; p < target.length; p += 3) {
      const t0 = target[p]!;
      const t1 = target[p + 1]!;
      const t2 = target[p + 2]!;
      const name = PALETTE_INDEX.get(key(t0, t1, t2)) ?? 'other';
      let entry = tally.get(name);
      if (!entry) {
        entry = { n: 0, ok: 0, sum: [0, 0, 0] };
        tally.set(name, entry);
      }
      const d0 = output[p]! - t0;
      const d1 = output[p + 1]! - t1;
      const d2 = output[p + 2]! - t2;
      entry.n++;
      entry.sum[0] += d0;
      entry.sum[1] += d1;
      entry.sum[2] += d2;
      if (Math.max(Math.abs(d0), Math.abs(d1), Math.abs(d2)) < PIXEL_ACCURACY_THRESHOLD) entry.ok++;
      total++;
    }
  }
  return [...tally.entries()]
    .map(([name, e]) => ({
      name,
      label: MAP_COLOUR_LABELS[name],
      ...(name === 'other' ? {} : { colour: MAP_PALETTE[name] }),
      share: e.n / total,
      pixelAccuracy: e.ok / e.n,
      bias: e.sum.map((s) => s / e.n) as [number, number, number],
    }))
    .sort((a, b) => b.share - a.share);
}
