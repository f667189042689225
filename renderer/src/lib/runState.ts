/**
 * What Monitor shows of one run, and how live events and run summaries update it. A summary (getRun,
 * the run list, the run remembered at start) can answer after live events that are newer than it: the
 * live events win, and a summary's state is only taken while no event has said otherwise.
 */
import type { CheckpointInfo, DuetEventPayload, ModelType, RunState, RunSummary, TrainingSettings } from '#contract';

type RunEvent = DuetEventPayload<'run'>;

export interface RunLive {
  state: RunState;
  /** Where `state` came from: a live event, or a summary that may be older than the events. */
  stateFrom: 'event' | 'summary';
  message?: string;
  iteration: number;
  total: number;
  epoch?: number;
  itPerSec?: number;
  etaSeconds?: number | null;
  /** Seconds trained (pauses not counted), and the time budget when the run trains for a time. */
  trainingSeconds?: number;
  budgetSeconds?: number;
  samples: { iteration: number; path: string }[];
  checkpoints: CheckpointInfo[];
}

export function liveFromSummary(summary: RunSummary | undefined): RunLive {
  return {
    state: summary?.state ?? 'starting',
    stateFrom: 'summary',
    iteration: summary?.iteration ?? 0,
    total: summary?.totalIterations ?? 0,
    etaSeconds: null,
    trainingSeconds: summary?.trainingSeconds,
    budgetSeconds: budgetOf(summary),
    samples: [...(summary?.samples ?? [])].sort((a, b) => a.iteration - b.iteration),
    checkpoints: summary?.checkpoints ?? [],
  };
}

/** One live event applied. */
export function applyRunEvent(l: RunLive, e: RunEvent): RunLive {
  switch (e.type) {
    case 'progress':
      return {
        ...l,
        iteration: Math.max(l.iteration, e.iteration),
        total: e.totalIterations,
        epoch: e.epoch,
        itPerSec: e.itPerSec,
        etaSeconds: e.etaSeconds,
        trainingSeconds: e.trainingSeconds ?? l.trainingSeconds,
        budgetSeconds: e.budgetSeconds ?? l.budgetSeconds,
        // A step just finished, so the run is training, whatever an earlier summary said. (A pause or stop
        // is announced by a state event after the last step's progress, so it is never undone here.)
        ...(l.stateFrom === 'summary' || l.state === 'starting'
          ? { state: 'running' as const, stateFrom: 'event' as const }
          : {}),
      };
    case 'sample':
      return l.samples.some((x) => x.iteration === e.iteration)
        ? l
        : {
            ...l,
            samples: [...l.samples, { iteration: e.iteration, path: e.path }].sort((a, b) => a.iteration - b.iteration),
          };
    case 'checkpoint':
      return l.checkpoints.some((c) => c.iteration === e.iteration)
        ? l
        : {
            ...l,
            checkpoints: [
              ...l.checkpoints,
              { iteration: e.iteration, path: e.path, createdAt: new Date().toISOString() },
            ],
          };
    case 'state':
      return { ...l, state: e.state, stateFrom: 'event', message: e.message };
    default:
      return l;
  }
}

/**
 * A summary (and the last logged metrics row) applied: samples, checkpoints and the iteration are merged
 * in; the state only while no live event has set it.
 */
export function applyRunSummary(
  l: RunLive,
  run: RunSummary,
  lastRow?: { iteration: number; epoch?: number; itPerSec?: number; trainingSeconds?: number },
): RunLive {
  const samples = [...l.samples];
  for (const x of run.samples) if (!samples.some((y) => y.iteration === x.iteration)) samples.push(x);
  const checkpoints = [...l.checkpoints];
  for (const c of run.checkpoints) if (!checkpoints.some((y) => y.iteration === c.iteration)) checkpoints.push(c);
  return {
    ...l,
    state: l.stateFrom === 'event' ? l.state : run.state,
    iteration: Math.max(l.iteration, run.iteration, lastRow?.iteration ?? 0),
    total: run.totalIterations,
    epoch: l.epoch ?? lastRow?.epoch,
    itPerSec: l.itPerSec ?? lastRow?.itPerSec,
    trainingSeconds:
      Math.max(l.trainingSeconds ?? 0, run.trainingSeconds ?? 0, lastRow?.trainingSeconds ?? 0) || undefined,
    budgetSeconds: budgetOf(run),
    samples: samples.sort((a, b) => a.iteration - b.iteration),
    checkpoints,
  };
}

/** A run's time budget in seconds, when it trains for a time. */
function budgetOf(summary: RunSummary | undefined): number | undefined {
  const minutes = summary?.settings.minutes;
  return minutes === undefined ? undefined : minutes * 60;
}

/** What the rows of a run's sample grid show, per model type (runs/run.ts draws them). */
export function sampleCaption(model: ModelType | undefined): string {
  switch (model) {
    case 'cyclegan':
      return 'Rows: real A → translated → reconstructed A, then real B → translated → reconstructed B.';
    case 'pix2pix':
      return 'One row: input A → translated → target B.';
    case 'cut':
      return 'Rows: real A → translated, then real B → translated (identity: it should stay B).';
    case 'fastcut':
      return 'One row: real A → translated (FastCUT translates A → B only).';
    default:
      return 'Sample translations by iteration.';
  }
}

/** Which outputs a run draws in flat colours (found in its training images), in words; null when none. */
export function paletteCaption(settings: Pick<TrainingSettings, 'model' | 'palettes'> | undefined): string | null {
  const b = settings?.palettes?.B?.length;
  // Only CycleGAN translates into A.
  const a = settings?.model === 'cyclegan' ? settings.palettes?.A?.length : undefined;
  if (b && a) return `Translations are drawn in the flat colours of the training images: ${b} for B, ${a} for A.`;
  if (b) return `Translations into B are drawn in the ${b} flat colours of B’s training images.`;
  if (a) return `Translations into A are drawn in the ${a} flat colours of A’s training images.`;
  return null;
}
