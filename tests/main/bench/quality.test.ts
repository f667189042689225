import { describe, expect, it } from 'vitest';
import { benchQuality, qualityIterations, qualityRows } from '../../../main/bench/quality.js';
import { selectBackend } from '../../../main/engine/backend.js';

describe('quality bench', () => {
  it('reads its iteration budget from the environment, refusing nonsense', () => {
    expect(qualityIterations({})).toBe(300);
    expect(qualityIterations({ DUET_BENCH_QUALITY_ITERATIONS: '40' })).toBe(40);
    expect(() => qualityIterations({ DUET_BENCH_QUALITY_ITERATIONS: '1.5' })).toThrow(/positive integer \(got "1.5"\)/);
  });

  it('scores both models and both baselines on the same held-out tiles, baselines listed once', async () => {
    await selectBackend({ env: { DUET_BACKEND: 'wasm' } });
    const records = await benchQuality({
      iterations: 1,
      backend: 'wasm',
      demo: { count: 3, testCount: 2, settings: { size: 32, loadSize: 36 } },
    });
    expect(records.map((r) => [r.model, r.iterations])).toEqual([
      ['pix2pix', 1],
      ['cyclegan', 1],
    ]);
    const rows = qualityRows(records);
    expect(rows.map((r) => r.name)).toEqual([
      'pix2pix pixel accuracy',
      'pix2pix RMSE',
      'L1 only, no GAN pixel accuracy',
      'L1 only, no GAN RMSE',
      'most common colour pixel accuracy',
      'most common colour RMSE',
      'cyclegan pixel accuracy',
      'cyclegan RMSE',
    ]);
    for (const r of rows) {
      expect(r.value).not.toBeNull();
      if (r.unit === '%') expect(r.value! >= 0 && r.value! <= 100).toBe(true);
    }
    // The colour baseline is the same whichever model ran: both runs saw the same tiles.
    const colour = (i: number) => records[i]!.metrics.find((m) => m.name === 'most common colour')!;
    expect(colour(1).pixelAccuracy).toBe(colour(0).pixelAccuracy);
    expect(colour(1).rmse).toBe(colour(0).rmse);
  }, 300_000);
});
