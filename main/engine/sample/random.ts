/**
 * Seeded randomness for the sample world: a small PRNG and value noise. Everything the generator draws
 * comes from here, so a seed fixes every pixel (no Math.random anywhere in the sample).
 */

/** Mixes integers into one 32-bit seed (murmur3's finaliser over a running hash). */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: tiny, fast, and good enough for procedural content. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Approximately normal (sum of uniforms), mean 0, deviation 1. */
  normal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508;
  }

  /** A child generator, so adding draws in one part of the world leaves the others unchanged. */
  fork(tag: number): Rng {
    return new Rng(hashSeed(this.state, tag));
  }
}

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
