import { describe, expect, it } from 'vitest';
import { detectLayout, sizeStatistics } from './scan.js';

describe('detectLayout', () => {
  it('finds the reference unaligned layout, case-insensitively, and the split asked for', () => {
    expect(detectLayout(['trainA', 'trainB', 'testA', 'testB', 'notes'])).toEqual({
      layout: 'train-test-folders',
      a: 'trainA',
      b: 'trainB',
      split: 'train',
      splits: ['train', 'test'],
    });
    expect(detectLayout(['TRAINA', 'trainb', 'testa', 'TestB'], 'test')).toMatchObject({ a: 'testa', b: 'TestB' });
    expect(detectLayout(['testA', 'testB'], 'test')).toMatchObject({ layout: 'train-test-folders', a: 'testA' });
    expect(() => detectLayout(['trainA', 'trainB'], 'val')).toThrow(
      /no valA\/ and valB\/ \(it holds: trainA\/ trainB\/\)/,
    );
  });

  it('finds A/ B/ folders and pix2pix train/ val/ test/ folders', () => {
    expect(detectLayout(['A', 'B'])).toMatchObject({ layout: 'two-folders', a: 'A', b: 'B', split: null });
    expect(detectLayout(['train', 'val', 'test'])).toMatchObject({ layout: 'aligned', a: 'train', b: null });
    expect(detectLayout(['train', 'val'], 'val')).toMatchObject({ a: 'val', splits: ['train', 'val'] });
    expect(() => detectLayout(['train'], 'test')).toThrow(/no test\//);
  });

  it('returns null when sub-folders name no layout', () => {
    expect(detectLayout([])).toBeNull();
    expect(detectLayout(['2019', '2020', 'trainA'])).toBeNull();
  });
});

describe('sizeStatistics', () => {
  it('gives ranges and medians (the mean of the middle two for an even count)', () => {
    expect(
      sizeStatistics([
        { width: 10, height: 5 },
        { width: 30, height: 7 },
        { width: 20, height: 100 },
        { width: 40, height: 6 },
      ]),
    ).toEqual({ minWidth: 10, maxWidth: 40, minHeight: 5, maxHeight: 100, medianWidth: 25, medianHeight: 6.5 });
    expect(sizeStatistics([]).maxWidth).toBe(0);
  });
});
