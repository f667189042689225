/**
 * Quitting while a run trains: hold the quit, let the engine stop the run with a checkpoint, then quit
 * for real. A second quit request while that happens forces the exit.
 */
import type { EngineLink } from '../engine/process/in-process.js';

export interface QuitGuardOptions {
  engine: EngineLink;
  /** Quits for real (app.exit). */
  exit: (code: number) => void;
  /** Longest wait for the checkpoint before the engine is killed. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export function createQuitGuard(o: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let state: 'idle' | 'stopping' = 'idle';
  return (event) => {
    event.preventDefault();
    if (state === 'stopping') {
      o.log?.('Quit again: exiting without waiting for the checkpoint.');
      o.exit(1);
      return;
    }
    state = 'stopping';
    o.log?.('Quitting: stopping any training run with a checkpoint first…');
    o.engine
      .shutdown('quit', o.timeoutMs ?? 60_000)
      .catch((err) => o.log?.(`The engine did not stop cleanly: ${(err as Error).message}`))
      .finally(() => o.exit(0));
  };
}
