import { describe, expect, it } from 'vitest';
import { LossStore, mergeHistory } from '../../../renderer/src/lib/lossStore';

describe('LossStore', () => {
  it('keeps columns aligned when losses appear later or go missing', () => {
    const s = new LossStore();
    s.append(1, { G_A: 1 });
    s.append(2, { G_A: 0.9, D_A: 0.5 });
    s.append(3, { D_A: 0.4 });
    expect(s.x).toEqual([1, 2, 3]);
    expect(s.series.get('G_A')).toEqual([1, 0.9, null]);
    expect(s.series.get('D_A')).toEqual([null, 0.5, 0.4]);
  });

  it('ignores repeated or older iterations (history replayed after a reconnect)', () => {
    const s = new LossStore();
    s.append(5, { G_A: 1 });
    const v = s.version;
    s.append(5, { G_A: 2 });
    s.append(4, { G_A: 3 });
    expect(s.length).toBe(1);
    expect(s.version).toBe(v);
  });
});

describe('mergeHistory', () => {
  it('puts history that answered late in front of the live points, without duplicates', () => {
    const s = new LossStore();
    s.append(8, { G_A: 0.8 });
    s.append(12, { G_A: 0.7, D_A: 0.3 });
    mergeHistory(s, [
      { iteration: 4, losses: { G_A: 1 } },
      { iteration: 8, losses: { G_A: 0.8 } },
      { iteration: 12, losses: { G_A: 0.7 } },
    ]);
    expect(s.x).toEqual([4, 8, 12]);
    expect(s.series.get('G_A')).toEqual([1, 0.8, 0.7]);
    expect(s.series.get('D_A')).toEqual([null, null, 0.3]);
  });
});
