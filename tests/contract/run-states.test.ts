import { describe, expect, it } from 'vitest';
import { ENDED_RUN_STATES, isRunEnded, isRunLive, RunStateSchema } from '#contract';

describe('run states', () => {
  it('splits every run state into live and ended, with one list of the ended ones', () => {
    const states = RunStateSchema.options;
    expect(states.filter(isRunEnded)).toEqual(
      [...ENDED_RUN_STATES].sort((a, b) => states.indexOf(a) - states.indexOf(b)),
    );
    expect(states.filter(isRunLive)).toEqual(['starting', 'running', 'paused', 'stopping']);
    for (const s of states) expect(isRunLive(s)).toBe(!isRunEnded(s));
  });
});
