/**
 * `duet train --a DIR --b DIR [...]`: train a CycleGAN or pix2pix model with a progress bar (losses,
 * it/s, ETA), or JSON lines with --json. `duet train --resume RUN` continues a run from its newest sound
 * checkpoint. Ctrl-C stops after the current step and writes a checkpoint; a second Ctrl-C quits at once.
 *
 * Exit status: 0 when the run finished, 130 when stopped by Ctrl-C (resumable), 1 when it failed.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import { type DuetApi, type EndedRunState, isRunEnded, type RunEvent, type RunSummary } from '#contract';
import { type BackendReport, describeBackend, selectBackend } from '../engine/backend.js';
import { runDir, workspaceRelative } from '../engine/runs/layout.js';
import { formatDuration } from '../engine/runs/speed.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { openEngine } from './engine.js';

export interface TrainCliOptions {
  a?: string;
  b?: string;
  model?: string;
  preset?: string;
  size?: string;
  iterations?: string;
  epochs?: string;
  minutes?: string;
  checkpointEvery?: string;
  sampleEvery?: string;
  batchSize?: string;
  seed?: string;
  outputPalette?: string;
  workspace?: string;
  project?: string;
  name?: string;
  resume?: string;
  checkpoint?: string;
  backend?: string;
  json?: boolean;
}

/** A training time in minutes: above 0 and at most a day (fractions allowed: 0.5 is 30 s). */
function minutesOption(value: string): string {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1440) {
    throw new InvalidArgumentError(`--minutes must be a number above 0 and at most 1440 (got "${value}")`);
  }
  return value;
}

/** --output-palette: auto or off. */
export function outputPaletteOption(value: string): string {
  if (value !== 'auto' && value !== 'off') {
    throw new InvalidArgumentError(`--output-palette must be auto or off (got "${value}")`);
  }
  return value;
}

function wholeNumber(name: string, min: number, max: number) {
  return (value: string): string => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    }
    return value;
  };
}

/** The reference loads 286 px for a 256 px crop: keep that ratio for other sizes. */
export function loadSizeFor(size: number): number {
  return Math.round((size * 286) / 256);
}

/**
 * Settings from the command line (the run resolves and validates them). Pure, so it is tested alone.
 * `--epochs N` is N epochs in all, as the reference's 100 + 100: half at the initial rate, half decaying.
 * `--minutes N` trains for N minutes of training time, the rate decaying over the last half of them.
 */
export function settingsFromCli(opts: TrainCliOptions): Record<string, unknown> {
  const lengths = (['iterations', 'epochs', 'minutes'] as const).filter((k) => opts[k] !== undefined);
  if (lengths.length > 1) {
    throw new Error(
      `Give one training length: --iterations, --epochs or --minutes, not ${lengths.map((k) => `--${k}`).join(' and ')}`,
    );
  }
  const settings: Record<string, unknown> = {};
  if (opts.model !== undefined) settings.model = opts.model;
  if (opts.preset !== undefined) settings.preset = opts.preset;
  if (opts.size !== undefined) {
    settings.size = Number(opts.size);
    settings.loadSize = loadSizeFor(Number(opts.size));
  }
  if (opts.iterations !== undefined) settings.iterations = Number(opts.iterations);
  if (opts.epochs !== undefined) {
    const n = Number(opts.epochs);
    settings.epochs = Math.ceil(n / 2);
    settings.epochsDecay = Math.floor(n / 2);
  }
  if (opts.minutes !== undefined) settings.minutes = Number(opts.minutes);
  if (opts.checkpointEvery !== undefined) settings.checkpointEvery = Number(opts.checkpointEvery);
  if (opts.sampleEvery !== undefined) settings.sampleEvery = Number(opts.sampleEvery);
  if (opts.batchSize !== undefined) settings.batchSize = Number(opts.batchSize);
  if (opts.seed !== undefined) settings.seed = Number(opts.seed);
  if (opts.outputPalette !== undefined) settings.outputPalette = opts.outputPalette;
  return settings;
}

/** "G_A 0.512 D_A 0.248 …" for the progress bar. */
export function formatLosses(losses: Record<string, number>): string {
  return Object.entries(losses)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)}`)
    .join(' ');
}

/** One line for logs without a terminal (and for the end of a run). On a time budget: time, not a count. */
export function progressLine(e: Extract<RunEvent, { type: 'progress' }>): string {
  const done =
    e.budgetSeconds === undefined
      ? `it ${e.iteration}/${e.totalIterations}`
      : `it ${e.iteration} | ${formatDuration(e.trainingSeconds ?? 0)} of ${formatDuration(e.budgetSeconds)}`;
  return (
    `${done} | ${e.itPerSec.toFixed(2)} it/s | ETA ${formatDuration(e.etaSeconds)} | ` +
    `lr ${e.lr.toExponential(2)} | ${formatLosses(e.losses)}`
  );
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(summaryOf('train'))
    .option('--a <dir>', 'domain A folder (or one folder of A|B images, or a folder holding trainA/ trainB/)')
    .option('--b <dir>', 'domain B folder')
    .option('--model <type>', 'cyclegan, cut, fastcut (unpaired) or pix2pix (paired); default cyclegan')
    .option('--preset <name>', 'quick (CPU, minutes), balanced, or reference (the paper, 256 px)')
    .option(
      '--size <px>',
      'crop size the networks train on (images load at 286/256 of it)',
      wholeNumber('--size', 16, 1024),
    )
    .option('--iterations <n>', 'train this many iterations', wholeNumber('--iterations', 1, 10_000_000))
    .option(
      '--epochs <n>',
      'train this many epochs in all: half at the initial rate, half decaying to zero',
      wholeNumber('--epochs', 1, 20_000),
    )
    .option(
      '--minutes <n>',
      'train for this many minutes (paused time not counted), the rate decaying over the last half',
      minutesOption,
    )
    .option(
      '--checkpoint-every <n>',
      'write a checkpoint every n iterations',
      wholeNumber('--checkpoint-every', 1, 10_000_000),
    )
    .option('--sample-every <n>', 'save a sample grid every n iterations', wholeNumber('--sample-every', 1, 10_000_000))
    .option('--batch-size <n>', 'images per step', wholeNumber('--batch-size', 1, 64))
    .option('--seed <n>', 'random seed (same seed, same run)', wholeNumber('--seed', 0, 2 ** 31 - 1))
    .option(
      '--output-palette <mode>',
      'auto (default): where the output images are drawn in a few flat colours (maps), draw in exactly those; off: any colour',
      outputPaletteOption,
    )
    .option('--workspace <dir>', 'workspace folder')
    .option('--project <id>', 'project id (default: from the data folder names)')
    .option('--name <name>', 'run name')
    .option('--resume <run>', 'resume a run: its folder, its id, or project/run')
    .option(
      '--checkpoint <iteration>',
      'with --resume: the checkpoint to resume from (default: the newest sound one)',
      wholeNumber('--checkpoint', 0, 10_000_000),
    )
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--json', 'print every run event as a JSON line')
    .action(async (opts: TrainCliOptions) => {
      const workspace = resolveWorkspace(opts.workspace);
      let begin: (api: DuetApi) => Promise<RunSummary>;
      if (opts.resume !== undefined) {
        const conflicting = (
          [
            'a',
            'b',
            'model',
            'preset',
            'size',
            'iterations',
            'epochs',
            'minutes',
            'batchSize',
            'seed',
            'outputPalette',
          ] as const
        ).filter((k) => opts[k] !== undefined);
        if (conflicting.length > 0) {
          throw new Error(
            `--resume continues a run with its own settings; leave out ${conflicting.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
          );
        }
        const ref = opts.resume;
        const iteration = opts.checkpoint === undefined ? undefined : Number(opts.checkpoint);
        begin = async (api) => {
          const found = await api.findRun({ ref });
          return api.resumeRunFrom({ projectId: found.projectId, runId: found.id, iteration });
        };
      } else {
        const a = opts.a;
        if (!a) throw new Error('Give the training data: --a DIR [--b DIR], or --resume RUN');
        if (opts.checkpoint !== undefined) throw new Error('--checkpoint goes with --resume');
        const settings = settingsFromCli(opts);
        begin = (api) =>
          api.startRun({
            projectId: opts.project,
            data: { a: path.resolve(a), b: opts.b ? path.resolve(opts.b) : null },
            settings,
            name: opts.name,
          });
      }
      const backend = await selectBackend({ preference: opts.backend });
      const engine = openEngine(workspace, backend);
      try {
        const result = await follow(engine.api, begin, workspace, backend, opts.json === true);
        process.exitCode = result.state === 'finished' ? 0 : result.state === 'stopped' ? 130 : 1;
      } finally {
        // Waits for an ended run to finish its files (status, lock) before the command exits.
        await engine.close();
      }
    });
}

interface RunResult {
  state: EndedRunState;
  iteration: number;
  error?: string;
}

/** Start (or resume) a run and show its events until it ends; Ctrl-C stops it with a checkpoint. */
async function follow(
  api: DuetApi,
  begin: (api: DuetApi) => Promise<RunSummary>,
  workspace: string,
  backend: BackendReport,
  json: boolean,
): Promise<RunResult> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const info = (line: string) => process.stderr.write(`${line}\n`);

  // Events that arrive before the start's answer wait until the run's id is known.
  let runId: string | undefined;
  let handle: (e: RunEvent) => void = () => undefined;
  const early: RunEvent[] = [];
  const off = api.onRunEvent((e) => (runId === undefined ? early.push(e) : e.runId === runId && handle(e)));
  let run: RunSummary;
  try {
    run = await begin(api);
  } catch (err) {
    off();
    throw err;
  }
  runId = run.id;
  const ref = { projectId: run.projectId, runId: run.id };
  const dir = runDir(workspace, run.projectId, run.id);
  if (json) {
    out(
      JSON.stringify({
        type: 'run',
        runId: run.id,
        projectId: run.projectId,
        dir,
        iteration: run.iteration,
        totalIterations: run.totalIterations,
        backend: describeBackend(backend),
      }),
    );
  } else {
    const s = run.settings;
    info(
      `Run ${run.id} (${s.model}, ${s.generator}, ${s.size} px${s.preset ? `, preset ${s.preset}` : ''}) on ${describeBackend(backend)}`,
    );
    info(`Folder: ${dir}`);
    if (run.iteration > 0) info(`Resuming at iteration ${run.iteration} of ${run.totalIterations}`);
  }

  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    info('\nStopping after the current step and writing a checkpoint… (Ctrl-C again to quit at once)');
    void api.stopRun(ref).catch(() => undefined); // it may have just ended
  };
  process.on('SIGINT', onSigint);

  const showBar = !json && process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      format: 'Training |{bar}| {done_text} | {speed} it/s | ETA {eta_text} | {losses}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 1,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let barStarted = false;
  let lastLogged = 0;
  let lastProgress: Extract<RunEvent, { type: 'progress' }> | undefined;
  const show = (e: RunEvent) => {
    if (json) {
      out(JSON.stringify(e));
      return;
    }
    switch (e.type) {
      case 'progress': {
        lastProgress = e;
        // On a time budget the bar fills with training seconds; otherwise with iterations.
        const byTime = e.budgetSeconds !== undefined;
        const value = byTime ? Math.round(e.trainingSeconds ?? 0) : e.iteration;
        const payload = {
          done_text: byTime
            ? `it ${e.iteration}, ${formatDuration(e.trainingSeconds ?? 0)} of ${formatDuration(e.budgetSeconds ?? 0)}`
            : `${e.iteration}/${e.totalIterations} it`,
          speed: e.itPerSec.toFixed(2),
          eta_text: formatDuration(e.etaSeconds),
          losses: formatLosses(e.losses),
        };
        if (showBar) {
          if (!barStarted) {
            bar.start(byTime ? Math.round(e.budgetSeconds ?? 0) : e.totalIterations, value, payload);
            barStarted = true;
          } else bar.update(value, payload);
        } else if (Date.now() - lastLogged > 10_000 || e.iteration === e.totalIterations) {
          lastLogged = Date.now();
          info(progressLine(e));
        }
        break;
      }
      case 'sample':
      case 'checkpoint':
        if (!showBar) info(`${e.type === 'sample' ? 'Sample' : 'Checkpoint'} at iteration ${e.iteration}: ${e.path}`);
        break;
      case 'state':
        // A start's message (the output colours found, where a resume continues from) comes before the bar.
        if (e.state !== 'running' && (!showBar || (e.state === 'starting' && e.message && !barStarted))) {
          info(`Run ${e.state}${e.message ? `: ${e.message}` : ''}`);
        }
        break;
    }
  };
  let result: RunResult;
  try {
    result = await new Promise<RunResult>((resolve) => {
      handle = (e) => {
        show(e);
        if (e.type === 'state' && isRunEnded(e.state)) {
          resolve({
            state: e.state,
            iteration: e.iteration ?? run.iteration,
            ...(e.state === 'failed' ? { error: e.message ?? 'unknown error' } : {}),
          });
        }
      };
      for (const e of early.splice(0)) if (e.runId === runId) handle(e);
    });
  } finally {
    off();
    if (barStarted) bar.stop();
    process.off('SIGINT', onSigint);
  }
  if (json) {
    out(JSON.stringify({ type: 'done', runId: run.id, ...result }));
  } else {
    if (lastProgress && showBar) info(progressLine(lastProgress));
    const relDir = workspaceRelative(workspace, dir);
    if (result.state === 'finished') info(`Finished ${result.iteration} iterations. Run: ${relDir}`);
    else if (result.state === 'stopped') {
      info(`Stopped at iteration ${result.iteration} with a checkpoint. Continue with: duet train --resume ${run.id}`);
    } else {
      info(`Training failed at iteration ${result.iteration}: ${result.error}`);
      info(`Resume from the last checkpoint with: duet train --resume ${run.id}`);
    }
  }
  return result;
}
