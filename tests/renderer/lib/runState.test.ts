import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#contract';
import {
  applyRunEvent,
  applyRunSummary,
  liveFromSummary,
  paletteCaption,
  sampleCaption,
} from '../../../renderer/src/lib/runState';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 'r1',
    projectId: 'p1',
    name: 'pix2pix-quick',
    state: 'running',
    iteration: 10,
    totalIterations: 240,
    settings: {} as RunSummary['settings'],
    backend: 'cpu',
    createdAt: '2026-11-23T14:00:00.000Z',
    checkpoints: [],
    samples: [],
    ...over,
  };
}

const progress = (iteration: number) =>
  ({
    type: 'progress',
    runId: 'r1',
    iteration,
    totalIterations: 240,
    epoch: 0,
    losses: { G_GAN: 1 },
    lr: 0.0002,
    itPerSec: 2,
    etaSeconds: 100,
  }) as const;

describe('Monitor run state', () => {
  it('a summary that answers after live events does not overwrite their state', () => {
    // After a reload: no state event comes (the state has not changed), only progress.
    let l = liveFromSummary(summary({ state: 'starting', iteration: 0 }));
    l = applyRunEvent(l, progress(14));
    l = applyRunEvent(l, progress(16));
    expect(l.state).toBe('running');
    l = applyRunSummary(l, summary({ state: 'stopped', iteration: 12 }), { iteration: 12 });
    expect(l.state).toBe('running');
    expect(l.iteration).toBe(16);
  });

  it('progress after a stale ended summary shows the run as running again', () => {
    let l = liveFromSummary(summary({ state: 'stopped', iteration: 0 }));
    expect(l.state).toBe('stopped');
    l = applyRunEvent(l, progress(5));
    expect(l.state).toBe('running');
  });

  it('a summary sets the state while no event has, and a state event sets it after that', () => {
    let l = liveFromSummary(undefined);
    l = applyRunSummary(l, summary({ state: 'paused', iteration: 30 }));
    expect(l).toMatchObject({ state: 'paused', iteration: 30 });
    l = applyRunEvent(l, { type: 'state', runId: 'r1', state: 'running' });
    l = applyRunEvent(l, progress(31));
    l = applyRunEvent(l, { type: 'state', runId: 'r1', state: 'paused' });
    expect(l.state).toBe('paused');
    // An older summary saying running does not undo the pause the events announced.
    l = applyRunSummary(l, summary({ state: 'running', iteration: 31 }));
    expect(l.state).toBe('paused');
    l = applyRunEvent(l, { type: 'state', runId: 'r1', state: 'stopped' });
    expect(l.state).toBe('stopped');
  });

  it('merges samples and checkpoints from both sides without duplicates, in order', () => {
    let l = liveFromSummary(summary({ samples: [{ iteration: 6, path: 's6.png' }] }));
    l = applyRunEvent(l, { type: 'sample', runId: 'r1', iteration: 12, path: 's12.png' });
    l = applyRunEvent(l, { type: 'sample', runId: 'r1', iteration: 12, path: 's12.png' });
    l = applyRunEvent(l, { type: 'checkpoint', runId: 'r1', iteration: 24, path: 'c24' });
    l = applyRunSummary(
      l,
      summary({
        samples: [
          { iteration: 0, path: 's0.png' },
          { iteration: 12, path: 's12.png' },
        ],
        checkpoints: [{ iteration: 24, path: 'c24', createdAt: '' }],
      }),
    );
    expect(l.samples.map((s) => s.iteration)).toEqual([0, 6, 12]);
    expect(l.checkpoints.map((c) => c.iteration)).toEqual([24]);
  });
});

describe('sampleCaption', () => {
  it('says what the sample rows hold for each model type', () => {
    expect(sampleCaption('cyclegan')).toMatch(/reconstructed A.*reconstructed B/);
    expect(sampleCaption('pix2pix')).toBe('One row: input A → translated → target B.');
    expect(sampleCaption('pix2pix')).not.toMatch(/reconstructed|both directions/);
    expect(sampleCaption(undefined)).not.toMatch(/reconstructed/);
    // CUT and FastCUT translate one way: no reconstructions; CUT's second row is B → G(B).
    expect(sampleCaption('cut')).toMatch(/real A → translated, then real B → translated/);
    expect(sampleCaption('fastcut')).toMatch(/^One row: real A → translated/);
    expect(sampleCaption('fastcut')).not.toMatch(/reconstructed/);
  });

  it('a run on a time budget carries its seconds trained and the budget, from summaries, rows and events', () => {
    const timed = summary({ settings: { minutes: 10 } as RunSummary['settings'], trainingSeconds: 42 });
    let l = liveFromSummary(timed);
    expect([l.trainingSeconds, l.budgetSeconds]).toEqual([42, 600]);
    l = applyRunSummary(l, timed, { iteration: 12, trainingSeconds: 50 });
    expect(l.trainingSeconds).toBe(50);
    l = applyRunEvent(l, { ...progress(13), trainingSeconds: 51.5, budgetSeconds: 600 });
    expect([l.trainingSeconds, l.budgetSeconds]).toEqual([51.5, 600]);
    // A run without a budget has none.
    expect(liveFromSummary(summary()).budgetSeconds).toBeUndefined();
  });
});

describe('paletteCaption', () => {
  const colours = (n: number) => Array.from({ length: n }, (_, i) => [i, i, i]);
  it('says which translations are drawn in flat colours, as a count, not the colours', () => {
    expect(paletteCaption(undefined)).toBeNull();
    expect(paletteCaption({ model: 'cyclegan', palettes: undefined })).toBeNull();
    expect(paletteCaption({ model: 'pix2pix', palettes: { B: colours(11) } })).toBe(
      'Translations into B are drawn in the 11 flat colours of B’s training images.',
    );
    expect(paletteCaption({ model: 'cyclegan', palettes: { A: colours(3), B: colours(11) } })).toBe(
      'Translations are drawn in the flat colours of the training images: 11 for B, 3 for A.',
    );
    expect(paletteCaption({ model: 'cyclegan', palettes: { A: colours(3) } })).toMatch(
      /^Translations into A .* 3 flat/,
    );
    // One-direction models never translate into A.
    expect(paletteCaption({ model: 'cut', palettes: { A: colours(3) } })).toBeNull();
  });
});
