/**
 * Duet's one seeded pseudo-random generator (mulberry32), whose whole state is one 32-bit integer, so a
 * training run can save it in a checkpoint and resume with the exact same random stream; and the one
 * integer hash (murmur3's finaliser over a running mix) that turns a few integers into a seed.
 *
 * Used for everything random that tfjs does not own: weight-initialiser seeds, the image pool's swap
 * decisions and dropout masks' seeds (models/), crops, flips and epoch orders (the data pipeline, where
 * each sample's draws come from hashInts(seed, epoch, index, stream)), and the sample world's content.
 */
export type RngState = number;

/** A 32-bit hash of a few integers (murmur3's finaliser over a running mix). */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  private s: number;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new Error(`Rng seed must be a finite number, got ${seed}`);
    this.s = seed >>> 0;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  uint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [lo, hi], both inclusive (like Python's random.randint). */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new Error(`Rng.int needs whole-number bounds lo ≤ hi, got ${lo} and ${hi}`);
    }
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A float in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One of `items`, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick needs at least one item');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A normal sample (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(u) stays finite
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Roughly normal, mean 0 and deviation 1, from four uniforms: cheap, bounded (|x| < 3.5); for textures. */
  roughNormal(): number {
    return (this.next() + this.next() + this.next() + this.next() - 2) * 1.7320508;
  }

  /** A child generator, so adding draws in one part of a procedure leaves the others unchanged. */
  fork(tag: number): Rng {
    return new Rng(hashInts(this.s, tag));
  }

  getState(): RngState {
    return this.s;
  }

  setState(state: RngState): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
      throw new Error(`Rng state must be an unsigned 32-bit integer, got ${state}`);
    }
    this.s = state >>> 0;
  }
}
