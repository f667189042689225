/**
 * Training speed and ETA from the recent iterations only: the first steps (warm-up, kernel compilation)
 * and a pause must not skew the estimate for hours. Pure: the caller passes the clock.
 */

export interface SpeedMeter {
  /** Record that `iteration` finished at `timeMs`. */
  mark(iteration: number, timeMs: number): void;
  /** Forget the interval in progress (after a pause or a resume), keeping the measured ones. */
  breakInterval(): void;
  /** Iterations per second over the window, or 0 before two marks. */
  itPerSec(): number;
  /** Seconds to finish `remaining` iterations at the recent speed, or null when unknown. */
  etaSeconds(remaining: number): number | null;
}

interface Interval {
  iterations: number;
  ms: number;
}

/**
 * @param window how many recent intervals the speed is averaged over
 */
export function createSpeedMeter(window = 20): SpeedMeter {
  if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a positive integer (got ${window})`);
  const intervals: Interval[] = [];
  let last: { iteration: number; timeMs: number } | undefined;

  const itPerSec = (): number => {
    let iterations = 0;
    let ms = 0;
    for (const i of intervals) {
      iterations += i.iterations;
      ms += i.ms;
    }
    if (iterations === 0) return 0;
    // Iterations faster than the clock's resolution: report a large but finite speed.
    return (iterations * 1000) / Math.max(ms, 1e-3);
  };

  return {
    mark(iteration, timeMs) {
      if (last && iteration > last.iteration && timeMs >= last.timeMs) {
        intervals.push({ iterations: iteration - last.iteration, ms: timeMs - last.timeMs });
        if (intervals.length > window) intervals.shift();
      }
      last = { iteration, timeMs };
    },
    breakInterval() {
      last = undefined;
    },
    itPerSec,
    etaSeconds(remaining) {
      if (remaining <= 0) return 0;
      const speed = itPerSec();
      return speed > 0 ? remaining / speed : null;
    },
  };
}

/** "1h 02m", "4m 05s", "12s" — for the progress bar. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}
