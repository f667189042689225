import { describe, expect, it } from 'vitest';
import { baseName, formatDuration, formatRate } from '../../../renderer/src/lib/format';

describe('formatDuration', () => {
  it('reads naturally at each scale', () => {
    expect(formatDuration(9.4)).toBe('9 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3 * 3600 + 2 * 60)).toBe('3 h 02 min');
  });
  it('shows a dash when unknown', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('formatRate', () => {
  it('uses it/s above one and s/it below', () => {
    expect(formatRate(2.345)).toBe('2.35 it/s');
    expect(formatRate(0.25)).toBe('4.0 s/it');
    expect(formatRate(0)).toBe('— it/s');
  });
});

describe('baseName', () => {
  it('handles both separators and trailing slashes', () => {
    expect(baseName('/data/maps/trainA/')).toBe('trainA');
    expect(baseName('C:\\data\\aerial')).toBe('aerial');
  });
});
