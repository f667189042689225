import { describe, expect, it } from 'vitest';
import { createSpeedMeter, formatDuration } from '../../../../main/engine/runs/speed.js';

describe('createSpeedMeter', () => {
  it('knows nothing before two marks', () => {
    const m = createSpeedMeter();
    expect(m.itPerSec()).toBe(0);
    expect(m.etaSeconds(10)).toBeNull();
    m.mark(1, 1000);
    expect(m.etaSeconds(10)).toBeNull();
  });

  it('measures speed and ETA from the marks', () => {
    const m = createSpeedMeter();
    for (let i = 0; i <= 10; i++) m.mark(i, 1000 + i * 500);
    expect(m.itPerSec()).toBeCloseTo(2, 10);
    expect(m.etaSeconds(100)).toBeCloseTo(50, 10);
    expect(m.etaSeconds(0)).toBe(0);
  });

  it('follows the recent speed, not the whole history', () => {
    const m = createSpeedMeter(5);
    for (let i = 0; i <= 20; i++) m.mark(i, i * 2000); // slow warm-up: 0.5 it/s
    for (let i = 21; i <= 30; i++) m.mark(i, 40_000 + (i - 20) * 250); // then 4 it/s
    expect(m.itPerSec()).toBeCloseTo(4, 10);
  });

  it('a pause does not count as training time', () => {
    const m = createSpeedMeter();
    m.mark(0, 0);
    m.mark(1, 1000);
    m.mark(2, 2000);
    m.breakInterval(); // paused for an hour
    m.mark(2, 3_602_000);
    m.mark(3, 3_603_000);
    expect(m.itPerSec()).toBeCloseTo(1, 10);
  });

  it('counts several iterations in one interval', () => {
    const m = createSpeedMeter();
    m.mark(0, 0);
    m.mark(10, 1000);
    expect(m.itPerSec()).toBeCloseTo(10, 10);
  });

  it('refuses a bad window', () => {
    expect(() => createSpeedMeter(0)).toThrow(/window/);
  });
});

describe('formatDuration', () => {
  it('formats hours, minutes and seconds', () => {
    expect(formatDuration(3725)).toBe('1h 02m');
    expect(formatDuration(245)).toBe('4m 05s');
    expect(formatDuration(12.4)).toBe('12s');
    expect(formatDuration(null)).toBe('--');
  });
});
