import { describe, expect, it } from 'vitest';
import {
  budgetProgress,
  decayedShare,
  learningRateAtEpoch,
  learningRateAtIteration,
  learningRateAtTime,
  lrFactor,
  totalIterations,
} from '../../models/schedule.js';

describe('learning-rate schedule', () => {
  const s = { lr: 2e-4, epochs: 100, epochsDecay: 100 };
  it('is constant for `epochs` epochs, then decays linearly towards zero (reference formula)', () => {
    expect(learningRateAtEpoch(s, 0)).toBe(2e-4);
    expect(learningRateAtEpoch(s, 98)).toBe(2e-4);
    expect(lrFactor(99, 100, 100)).toBe(1);
    expect(lrFactor(100, 100, 100)).toBeCloseTo(100 / 101, 12);
    expect(lrFactor(150, 100, 100)).toBeCloseTo(50 / 101, 12);
    expect(lrFactor(199, 100, 100)).toBeCloseTo(1 / 101, 12);
    expect(lrFactor(250, 100, 100)).toBe(0);
    for (let e = 100; e < 199; e++) {
      expect(lrFactor(e, 100, 100) - lrFactor(e + 1, 100, 100)).toBeCloseTo(1 / 101, 12);
    }
  });
  it('maps iterations onto epochs, or over a fixed number of iterations', () => {
    expect(learningRateAtIteration(s, 99 * 10 + 9, 10)).toBe(2e-4);
    expect(learningRateAtIteration(s, 100 * 10, 10)).toBeCloseTo((2e-4 * 100) / 101, 12);
    const fixed = { lr: 1, epochs: 1, epochsDecay: 1, iterations: 100 };
    expect(learningRateAtIteration(fixed, 0, 1)).toBe(1);
    expect(learningRateAtIteration(fixed, 50, 1)).toBe(1);
    expect(learningRateAtIteration(fixed, 75, 1)).toBeCloseTo(0.5, 12);
    expect(learningRateAtIteration(fixed, 100, 1)).toBe(0);
    expect(totalIterations(s, 10)).toBe(2000);
    expect(totalIterations(fixed, 10)).toBe(100);
    expect(learningRateAtEpoch({ lr: 1, epochs: 0, epochsDecay: 0 }, 3)).toBe(1);
    expect(() => learningRateAtIteration(s, -1, 10)).toThrow(/Iteration/);
  });
});

describe('learning rate over a time budget', () => {
  it('is constant, then falls linearly over the decay share to a 1% floor', () => {
    expect(decayedShare(0, 0.5)).toBe(1);
    expect(decayedShare(0.5, 0.5)).toBe(1);
    expect(decayedShare(0.75, 0.5)).toBeCloseTo(0.5, 10);
    expect(decayedShare(0.9, 0.5)).toBeCloseTo(0.2, 10);
    expect(decayedShare(1, 0.5)).toBe(0.01);
    expect(decayedShare(2, 0.5)).toBe(0.01);
    expect(decayedShare(-1, 0.5)).toBe(1);
    // The whole budget as decay, and none.
    expect(decayedShare(0.25, 1)).toBeCloseTo(0.75, 10);
    expect(decayedShare(0.99, 0)).toBe(1);
  });
  it('measures progress in training seconds, or in iterations where a cap is further along', () => {
    expect(budgetProgress({ minutes: 10 }, 300, 5)).toBeCloseTo(0.5, 12);
    expect(budgetProgress({ minutes: 10, iterations: 100 }, 60, 75)).toBeCloseTo(0.75, 12);
    expect(budgetProgress({ minutes: 10, iterations: 100 }, 540, 10)).toBeCloseTo(0.9, 12);
  });
  it('lays the epochs schedule over the budget: epochs / (epochs + epochsDecay) constant, then decay', () => {
    const s = { lr: 1e-3, epochs: 100, epochsDecay: 100, minutes: 10 };
    expect(learningRateAtTime(s, 0, 0)).toBe(1e-3);
    expect(learningRateAtTime(s, 299, 1000)).toBe(1e-3);
    expect(learningRateAtTime(s, 450, 1000)).toBeCloseTo(0.5e-3, 12);
    expect(learningRateAtTime(s, 600, 1000)).toBeCloseTo(1e-5, 12);
    // A quarter decaying: the last 150 s.
    expect(learningRateAtTime({ ...s, epochs: 3, epochsDecay: 1 }, 525, 0)).toBeCloseTo(0.5e-3, 12);
    // No decay epochs, or no epochs at all: constant.
    expect(learningRateAtTime({ ...s, epochsDecay: 0 }, 599, 0)).toBe(1e-3);
    expect(learningRateAtTime({ ...s, epochs: 0, epochsDecay: 0 }, 599, 0)).toBe(1e-3);
    // An iteration cap further along than the clock decides.
    expect(learningRateAtTime({ ...s, iterations: 100 }, 1, 75)).toBeCloseTo(0.5e-3, 12);
  });
});
