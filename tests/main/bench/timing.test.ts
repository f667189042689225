import { describe, expect, it } from 'vitest';
import { benchTiming, bombPng } from '../../../main/bench/timing.js';

describe('responsiveness bench', () => {
  it('times each measurement as a median in ms, with its spread', async () => {
    const rows = await benchTiming({ scanImages: 4, chartPoints: 2000, repeats: 2 });
    expect(rows.map((r) => r.name)).toEqual([
      'refuse a 30000×30000 PNG bomb',
      'scan a folder of 4 PNGs (64 px)',
      'sample pair 256 px',
      'loss chart data, 2,000 iterations × 8 losses',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ area: 'responsiveness', unit: 'ms' });
      expect(row.value).toBeGreaterThan(0);
      expect(row.note).toMatch(/2 runs, [\d.]+–[\d.]+ ms$/);
    }
  });

  it('writes a PNG whose header claims the size it is given', () => {
    const png = bombPng(30000, 20000);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([30000, 20000]);
    expect(png.length).toBeLessThan(100);
  });
});
