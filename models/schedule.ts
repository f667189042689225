/**
 * The reference's learning-rate schedule ('linear' policy): `epochs` epochs at the initial rate, then
 * `epochsDecay` epochs decaying linearly towards zero. Reference formula, with epoch the 0-based index of
 * the epoch being trained (the scheduler stepped at each epoch's end, epoch_count 1):
 *   factor(epoch) = 1 − max(0, epoch + 1 − epochs) / (epochsDecay + 1)
 * so epochs 0 … epochs−1 train at lr, epoch `epochs` at lr·decay/(decay+1), the last at lr/(decay+1).
 */
export interface LrScheduleSettings {
  lr: number;
  epochs: number;
  epochsDecay: number;
  /** When set, the whole schedule is laid over this many iterations instead of over epochs. */
  iterations?: number;
}

export function lrFactor(epoch: number, epochs: number, epochsDecay: number): number {
  if (!(epoch >= 0)) throw new Error(`Epoch must be ≥ 0, got ${epoch}`);
  return Math.max(0, 1 - Math.max(0, epoch + 1 - epochs) / (epochsDecay + 1));
}

export function learningRateAtEpoch(s: LrScheduleSettings, epoch: number): number {
  if (s.epochs + s.epochsDecay === 0) return s.lr; // no schedule at all: constant
  return s.lr * lrFactor(epoch, s.epochs, s.epochsDecay);
}

/** Total iterations of a run: `iterations` when set, else (epochs + epochsDecay) · iterationsPerEpoch. */
export function totalIterations(s: LrScheduleSettings, iterationsPerEpoch: number): number {
  if (s.iterations !== undefined) return s.iterations;
  if (!Number.isInteger(iterationsPerEpoch) || iterationsPerEpoch <= 0) {
    throw new Error(`iterationsPerEpoch must be a positive integer, got ${iterationsPerEpoch}`);
  }
  return (s.epochs + s.epochsDecay) * iterationsPerEpoch;
}

/**
 * Learning rate for 0-based `iteration`. Over epochs: the epoch's rate. With `iterations` set, the
 * schedule is laid over the run: constant for its first epochs/(epochs + epochsDecay), then a smooth
 * linear decay reaching zero at the end.
 */
export function learningRateAtIteration(s: LrScheduleSettings, iteration: number, iterationsPerEpoch: number): number {
  if (!Number.isInteger(iteration) || iteration < 0)
    throw new Error(`Iteration must be an integer ≥ 0, got ${iteration}`);
  if (s.iterations !== undefined) {
    // Continuous form of the same shape: constant for the first epochs/(epochs+epochsDecay) of the run,
    // then linear to zero at its last iteration.
    const total = s.epochs + s.epochsDecay;
    if (total === 0 || s.epochsDecay === 0) return s.lr;
    const epoch = (iteration / s.iterations) * total;
    return s.lr * Math.max(0, 1 - Math.max(0, epoch - s.epochs) / s.epochsDecay);
  }
  return learningRateAtEpoch(s, Math.floor(iteration / Math.max(1, iterationsPerEpoch)));
}

/**
 * The learning-rate factor at a point of a time budget (progress 0…1): 1 until the decay phase, then
 * falling linearly over the last `decayShare` of the budget — the reference's decay epochs, measured in
 * seconds. A floor of 1% keeps the last steps from being wasted. decayShare 0: constant.
 */
export function decayedShare(progress: number, decayShare: number): number {
  if (decayShare <= 0) return 1;
  const left = 1 - Math.min(Math.max(progress, 0), 1);
  return Math.max(0.01, Math.min(1, left / decayShare));
}

/** A run trained for a time: `minutes` of training, and at most `iterations` when both are set. */
export interface TimeBudget {
  minutes: number;
  iterations?: number;
}

/**
 * How far through a time budget a run is (0…1, or above once spent): its training seconds against the
 * minutes, or its iterations against the cap where that is further along.
 */
export function budgetProgress(budget: TimeBudget, seconds: number, iteration: number): number {
  const byTime = seconds / (budget.minutes * 60);
  return budget.iterations === undefined ? byTime : Math.max(byTime, iteration / budget.iterations);
}

/**
 * Learning rate after `seconds` of training on a time budget: the same shape as over epochs — constant
 * for the first epochs/(epochs + epochsDecay) of the budget, then linear decay (to a 1% floor).
 */
export function learningRateAtTime(s: LrScheduleSettings & TimeBudget, seconds: number, iteration: number): number {
  const total = s.epochs + s.epochsDecay;
  const decayShare = total === 0 ? 0 : s.epochsDecay / total;
  return s.lr * decayedShare(budgetProgress(s, seconds, iteration), decayShare);
}
