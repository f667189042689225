/**
 * Value noise for the sample world. Its randomness comes from Duet's one seeded generator
 * (models/rng.ts), so a seed fixes every pixel (no Math.random anywhere in the sample).
 */
import { Rng } from '../../../models/rng.js';

/**
 * 2-D value noise on a lattice with smoothstep interpolation, summed over octaves (fbm). Returns values
 * in about [-1, 1]. The lattice is a periodic table of random values, cheap to sample millions of times.
 */
export class ValueNoise {
  private readonly table: Float32Array;
  private static readonly N = 256;

  constructor(seed: number) {
    const rng = new Rng(seed);
    this.table = new Float32Array(ValueNoise.N * ValueNoise.N);
    for (let i = 0; i < this.table.length; i++) this.table[i] = rng.next() * 2 - 1;
  }

  /** One octave at lattice coordinates (x, y). */
  sample(x: number, y: number): number {
    const n = ValueNoise.N;
    const xf = Math.floor(x);
    const yf = Math.floor(y);
    const tx = x - xf;
    const ty = y - yf;
    const sx = tx * tx * (3 - 2 * tx);
    const sy = ty * ty * (3 - 2 * ty);
    const x0 = ((xf % n) + n) % n;
    const y0 = ((yf % n) + n) % n;
    const x1 = (x0 + 1) % n;
    const y1 = (y0 + 1) % n;
    const t = this.table;
    const a = t[y0 * n + x0]!;
    const b = t[y0 * n + x1]!;
    const c = t[y1 * n + x0]!;
    const d = t[y1 * n + x1]!;
    const top = a + (b - a) * sx;
    const bottom = c + (d - c) * sx;
    return top + (bottom - top) * sy;
  }

  /** Fractal sum: `octaves` layers, each twice the frequency and half the amplitude. */
  fbm(x: number, y: number, octaves: number): number {
    let sum = 0;
    let amp = 1;
    let norm = 0;
    let f = 1;
    for (let o = 0; o < octaves; o++) {
      sum += amp * this.sample(x * f + o * 17.3, y * f + o * 31.7);
      norm += amp;
      amp *= 0.5;
      f *= 2;
    }
    return sum / norm;
  }
}
