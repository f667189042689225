/**
 * Flat-colour domains: finding the few colours a folder of maps (or label images) is drawn in, and
 * putting an image's pixels onto such a palette. Pure functions on raw interleaved pixels (0–255).
 */

export interface PaletteOptions {
  /** Colours whose every channel is within this of a more common colour count as that colour (JPEG noise). */
  tolerance?: number;
  /** At most this many colours make a palette. */
  maxColours?: number;
  /** The palette's colours must cover at least this share of the pixels. */
  minCoverage?: number;
  /** A colour covering less than this share is left out (an antialiased edge, a stray pixel). */
  minShare?: number;
}

export interface FoundPalette {
  /** The colours, most common first, each the most frequent exact colour of its group. */
  colours: number[][];
  /** Share of the pixels within `tolerance` of one of the colours. */
  coverage: number;
  /** Pixels looked at. */
  pixels: number;
}

const DEFAULTS: Required<PaletteOptions> = { tolerance: 6, maxColours: 32, minCoverage: 0.95, minShare: 0.001 };
/** Distinct exact colours looked at, most common first; a photo has far more and no palette anyway. */
const MAX_DISTINCT = 4096;

/** Counts of each exact colour of some images (3 or 4 channels; alpha is ignored). */
export class ColourCounter {
  private readonly counts = new Map<number, number>();
  pixels = 0;

  add(data: Uint8Array | Uint8ClampedArray, channels: number): void {
    if (channels < 3) throw new Error(`Palettes are found on colour images (3 or 4 channels), got ${channels}`);
    const counts = this.counts;
    for (let i = 0; i + 2 < data.length; i += channels) {
      const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.pixels += Math.floor(data.length / channels);
  }

  /** The palette these pixels are drawn in, or null when no few flat colours cover them (a photo). */
  palette(options: PaletteOptions = {}): FoundPalette | null {
    const o = { ...DEFAULTS, ...options };
    if (this.pixels === 0) return null;
    const sorted = [...this.counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, MAX_DISTINCT);
    const groups: Array<{ rgb: number[]; count: number }> = [];
    for (const [key, count] of sorted) {
      const rgb = [(key >> 16) & 255, (key >> 8) & 255, key & 255];
      const near = groups.find((g) => g.rgb.every((v, c) => Math.abs(v - rgb[c]!) <= o.tolerance));
      if (near) near.count += count;
      else groups.push({ rgb, count });
    }
    groups.sort((x, y) => y.count - x.count);
    const kept = groups.filter((g) => g.count / this.pixels >= o.minShare).slice(0, o.maxColours);
    const coverage = kept.reduce((sum, g) => sum + g.count, 0) / this.pixels;
    if (kept.length < 2 || coverage < o.minCoverage) return null;
    return { colours: kept.map((g) => g.rgb), coverage, pixels: this.pixels };
  }
}

/** Put every pixel of `data` on its nearest palette colour (squared RGB distance); alpha is kept. */
export function snapToPalette(
  data: Uint8Array | Uint8ClampedArray,
  channels: number,
  palette: readonly (readonly number[])[],
): Uint8Array {
  if (palette.length === 0) throw new Error('An empty palette has no colour to snap to');
  const out = new Uint8Array(data);
  const cache = new Map<number, number>();
  for (let i = 0; i + 2 < data.length; i += channels) {
    const r = data[i]!;
    const g = data[i + 1]!;
    const b = data[i + 2]!;
    const key = (r << 16) | (g << 8) | b;
    let best = cache.get(key);
    if (best === undefined) {
      let bestD = Number.POSITIVE_INFINITY;
      best = 0;
      palette.forEach((c, j) => {
        const d = (r - c[0]!) ** 2 + (g - c[1]!) ** 2 + (b - c[2]!) ** 2;
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      });
      cache.set(key, best);
    }
    const c = palette[best]!;
    out[i] = c[0]!;
    out[i + 1] = c[1]!;
    out[i + 2] = c[2]!;
  }
  return out;
}
