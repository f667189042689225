import { describe, expect, it } from 'vitest';
import { decimate, LOSS_LABELS, orderLossNames, smooth } from '../../../renderer/src/lib/chartData';

describe('smooth', () => {
  it('returns the input unchanged at weight 0', () => {
    expect(smooth([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });

  it('is bias-corrected: a constant series stays constant', () => {
    for (const v of smooth([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 10);
  });

  it('damps a spike and keeps gaps as null', () => {
    const out = smooth([1, 1, 1, 11, 1, null, 1], 0.8);
    expect(out[3]).toBeGreaterThan(1);
    expect(out[3]).toBeLessThan(11);
    expect(out[5]).toBeNull();
  });
});

describe('decimate', () => {
  it('leaves short series alone', () => {
    const d = decimate([0, 1, 2], [[5, 6, 7]], 10);
    expect(d).toEqual({ x: [0, 1, 2], ys: [[5, 6, 7]] });
  });

  it('reduces 100,000 points to a few per bucket and keeps every extreme', () => {
    const n = 100_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const y = x.map((i) => Math.sin(i / 500));
    y[54_321] = 42; // a spike must survive
    y[77_777] = -42;
    const d = decimate(x, [y], 800);
    expect(d.x.length).toBeLessThanOrEqual(800 * 4);
    expect(d.x.length).toBeGreaterThan(800);
    expect(d.ys[0]).toContain(42);
    expect(d.ys[0]).toContain(-42);
    expect(d.x[0]).toBe(0);
    expect(d.x[d.x.length - 1]).toBe(n - 1);
    // x stays sorted so uPlot can draw it
    for (let i = 1; i < d.x.length; i++) expect(d.x[i]!).toBeGreaterThan(d.x[i - 1]!);
  });

  it('keeps the extremes of every series, not only the first', () => {
    const n = 10_000;
    const x = Array.from({ length: n }, (_, i) => i);
    const a = x.map(() => 0);
    const b = x.map(() => 1);
    b[1234] = 9;
    const d = decimate(x, [a, b], 100);
    expect(d.ys[1]).toContain(9);
    expect(d.ys[0]!.length).toBe(d.x.length);
  });
});

describe('loss labels', () => {
  it('name the CUT losses, PatchNCE as NCE, in the reference order', () => {
    expect(orderLossNames(['NCE_Y', 'NCE', 'D_fake', 'D_real', 'G_GAN'])).toEqual([
      'G_GAN',
      'D_real',
      'D_fake',
      'NCE',
      'NCE_Y',
    ]);
    expect(LOSS_LABELS.NCE).toMatch(/^NCE \(PatchNCE/);
    expect(LOSS_LABELS.NCE_Y).toMatch(/^NCE identity/);
  });
});

describe('orderLossNames', () => {
  it('puts known losses in the reference order and unknown ones after', () => {
    expect(orderLossNames(['zeta', 'D_A', 'G_A', 'cycle_A'])).toEqual(['G_A', 'cycle_A', 'D_A', 'zeta']);
  });
});
