/** Waiting on a state, never on a fixed time: the one polling helper the unit tests share. */
import { vi } from 'vitest';

/**
 * Resolves once `pred()` holds; rejects after `timeoutMs` with what was awaited. A generous ceiling,
 * not a speed claim: on a loaded machine the wait is longer, never wrong.
 */
export async function waitFor(pred: () => boolean, timeoutMs = 60_000, what = pred.toString()): Promise<void> {
  await vi.waitFor(
    () => {
      if (!pred()) throw new Error(`still waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 10 },
  );
}
