import { describe, expect, it } from 'vitest';
import { hashInts, Rng } from '../../models/rng.js';

describe('Rng (mulberry32)', () => {
  // Saved checkpoints, epoch orders, crops and the sample world depend on these exact streams: values
  // taken from the generators this one replaced (the data pipeline's, the sample world's).
  it('draws the same stream as before for a seed', () => {
    const r = new Rng(42);
    expect([r.next(), r.next(), r.int(0, 9), r.roughNormal(), r.range(2, 3)]).toEqual([
      0.6011037519201636, 0.44829055899754167, 8, -0.6159718644369183, 2.624744653934613,
    ]);
    expect(new Rng(7).fork(3).next()).toBe(0.570852764416486);
  });

  it('int is inclusive at both ends and uniform enough', () => {
    const rng = new Rng(42);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[rng.int(0, 2)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
  });

  it('refuses bounds that name no integer, and an empty pick', () => {
    const rng = new Rng(1);
    expect(() => rng.int(3, 2)).toThrow(/lo ≤ hi, got 3 and 2/);
    expect(() => rng.int(0, 1.5)).toThrow(/whole-number bounds/);
    expect(() => rng.pick([])).toThrow(/at least one item/);
    expect(() => new Rng(Number.NaN)).toThrow(/finite number/);
  });
});

describe('hashInts', () => {
  it('mixes integers into the same 32-bit seeds as before', () => {
    expect([hashInts(1, 2, 3), hashInts(-1, 2 ** 31, 7), hashInts(0)]).toEqual([2901138804, 2446143990, 493009611]);
  });
});
