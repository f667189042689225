/**
 * A small seeded pseudo-random generator (mulberry32) whose whole state is one 32-bit integer, so a
 * training run can save it in a checkpoint and resume with the exact same random stream.
 *
 * Used for everything random in training that tfjs does not own: weight-initialiser seeds, the image
 * pool's swap decisions and dropout masks' seeds.
 */
export type RngState = number;

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

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int needs a positive integer bound, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next(); // (0, 1]: log(u) stays finite
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
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
