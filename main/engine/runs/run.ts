/**
 * A training run: the loop that pulls batches, steps the trainer, reports every iteration, draws sample
 * grids, writes checkpoints — and can be paused, resumed, stopped, killed and resumed again exactly.
 *
 * One step at a time on the thread that owns TensorFlow; between steps the loop yields to the event loop
 * (setImmediate), so pause and stop requests arriving as messages are seen after the step in progress.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BackendReportDto,
  type CheckpointInfo,
  type EndedRunState,
  isRunEnded,
  type RunEvent,
  type RunState,
  type RunSummary,
} from '#contract';
import { createTrainer, needsRecompute, type Trainer } from '../../../models/index.js';
import {
  budgetProgress,
  learningRateAtIteration,
  learningRateAtTime,
  totalIterations,
} from '../../../models/schedule.js';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-files.js';
import { type Batch, createPipeline, type PipelinePosition, type Sampling, scanDataset } from '../dataset/index.js';
import { ensureProject } from '../project-file.js';
import { isUsingGpuDevice } from '../tfjs-internals.js';
import { webGpuAdapter, webGpuDeviceLost } from '../webgpu.js';
import { type CheckpointIo, cleanupTempCheckpoints, loadCheckpoint, writeCheckpoint } from './checkpoints.js';
import { makeRunId, runDir as runDirOf, runPaths, runsDir, samplePath, workspaceRelative } from './layout.js';
import { detectOutputPalettes, domainsOfScan, type RunDomains } from './palette-detect.js';
import {
  acquireRunLock,
  defaultProjectId,
  MetricsWriter,
  type RunConfig,
  readRunConfig,
  readRunSummary,
  truncateMetrics,
  writeRunStatus,
} from './run-files.js';
import { encodeGridPng, type SampleImage } from './samples.js';
import { resolveSettings } from './settings.js';
import { createSpeedMeter } from './speed.js';
import { type CheckpointState, decodeState, encodeState } from './state-codec.js';

/** What the run loop needs from the data: the dataset pipeline, or a stand-in in tests. */
export interface RunData {
  readonly sampling: 'paired' | 'unpaired';
  readonly samplesPerEpoch: number;
  readonly batchesPerEpoch: number;
  next(): Promise<Batch | null>;
  stats?(): { waitShare: number };
  close(): Promise<void>;
  /** The training images of each domain, as the pipeline reads them (for the output colours a run draws in). */
  readonly domains?: RunDomains;
}

export interface OpenDataOptions {
  dataA: string;
  dataB: string | null;
  settings: ReturnType<typeof resolveSettings>;
  seed: number;
  start?: PipelinePosition;
}

export type OpenData = (options: OpenDataOptions) => Promise<RunData>;

/** Scan the folders and open the prefetching pipeline (pix2pix samples paired, the unpaired models unpaired). */
export const openDatasetPipeline: OpenData = async ({ dataA, dataB, settings, seed, start }) => {
  const scan = await scanDataset(dataA, dataB);
  const sampling: Sampling = settings.model === 'pix2pix' ? 'paired' : 'unpaired';
  const pipeline = createPipeline({
    scan,
    settings: {
      size: settings.size,
      loadSize: settings.loadSize,
      preprocess: settings.preprocess,
      flip: settings.flip,
      batchSize: settings.batchSize,
    },
    seed,
    start,
    sampling,
  });
  return { ...pipeline, domains: domainsOfScan(scan, sampling) };
};

export interface RunHooks {
  /** Data source (tests); the dataset pipeline by default. */
  openData?: OpenData;
  /** Checkpoint file writes (tests simulate a full disk or a crash mid-write). */
  checkpointIo?: CheckpointIo;
  /** The backend report to record; by default the active tfjs backend. */
  backend?: BackendReportDto;
  /**
   * Awaited between steps, after the loop has let pending messages in: the engine process resolves it
   * once the requests those messages started have answered, so a window's requests are not served one
   * file operation per (long, synchronous) training step.
   */
  betweenSteps?: () => Promise<void>;
}

export interface StartRunOptions extends RunHooks {
  workspace: string;
  projectId?: string;
  dataA: string;
  dataB?: string | null;
  /** Partial settings: a preset and defaults fill the rest (see resolveSettings). */
  settings?: unknown;
  name?: string;
}

export interface ResumeRunOptions extends RunHooks {
  /** Checkpoint iteration to resume from; the newest sound one when absent. */
  checkpoint?: number;
  /** The workspace, for workspace-relative paths in events (default: four folders above the run). */
  workspace?: string;
}

export interface RunResult {
  state: EndedRunState;
  iteration: number;
  error?: string;
}

export type RunListener = (event: RunEvent) => void;

export interface RunHandle {
  readonly id: string;
  readonly projectId: string;
  readonly dir: string;
  readonly config: RunConfig;
  readonly state: RunState;
  readonly iteration: number;
  /** Listen to this run's events; returns the unsubscribe function. */
  on(listener: RunListener): () => void;
  /** This run's events from now on, ending when the run ends. */
  events(): AsyncIterableIterator<RunEvent>;
  /** Pause after the step in progress; resolves once paused (or once the run has ended). */
  pause(): Promise<void>;
  resume(): void;
  /** Finish the step, write a checkpoint, free every tensor; resolves when all that is done. */
  stop(): Promise<RunResult>;
  /** Resolves when the run ends, whichever way. Never rejects. */
  readonly done: Promise<RunResult>;
  summary(): Promise<RunSummary>;
}

function currentBackend(): BackendReportDto {
  const name = tf.getBackend();
  if (!name) throw new Error('No TensorFlow.js backend is active: select one before starting a run');
  const adapter = name === 'webgpu' ? webGpuAdapter() : undefined;
  if (name === 'webgpu') {
    return {
      candidate: 'webgpu',
      backend: name,
      gpu: adapter ? !adapter.software : true,
      tfjsVersion: tf.version_core,
      ...(adapter ? { adapter } : {}),
      attempts: [],
    };
  }
  const candidate = (['cpu', 'wasm'].includes(name) ? name : 'tfjs-node') as BackendReportDto['candidate'];
  const gpu = isUsingGpuDevice();
  return {
    candidate: gpu ? 'tfjs-node-gpu' : candidate,
    backend: name,
    gpu,
    tfjsVersion: tf.version_core,
    attempts: [],
  };
}

/** What a run that lost its WebGPU device says: where it stopped, what it kept, what happens next. */
function deviceLostMessage(iteration: number, lost: string, lastCheckpoint: number): string {
  const kept =
    lastCheckpoint >= 0
      ? `Resuming continues from the last checkpoint (iteration ${lastCheckpoint})`
      : 'No checkpoint was written yet';
  return `Training stopped at iteration ${iteration + 1}: ${lost}. ${kept}; the next start opens the device again or falls back to the next backend.`;
}

/** Start a new run in the workspace. Resolves once the run's folder exists; training goes on behind. */
export async function startRun(options: StartRunOptions): Promise<RunHandle> {
  const chosen = resolveSettings(options.settings ?? {});
  const dataA = path.resolve(options.dataA);
  const dataB = options.dataB ? path.resolve(options.dataB) : null;
  const workspace = path.resolve(options.workspace);
  const projectId = options.projectId ?? defaultProjectId(dataA, dataB);
  const name = options.name?.trim() || `${chosen.model}${chosen.preset ? `-${chosen.preset}` : ''}`;
  const backend = options.backend ?? currentBackend();
  const openData = options.openData ?? openDatasetPipeline;

  // Open the data first: a folder with nothing usable fails here, before anything is written.
  const data = await openData({ dataA, dataB, settings: chosen, seed: chosen.seed });
  let root: string | undefined;
  try {
    // Flat-colour outputs found in the data are part of the run's settings from here on: the config,
    // the checkpoints and everything made from them carry them, and a resumed run keeps them.
    const detected = data.domains
      ? await detectOutputPalettes(chosen, data.domains)
      : { settings: chosen, messages: [] as string[] };
    const settings = detected.settings;
    await ensureProject(workspace, {
      id: projectId,
      name: projectId,
      domainA: dataA,
      domainB: dataB,
      model: chosen.model,
    });
    await fs.mkdir(runsDir(workspace, projectId), { recursive: true });
    // Two runs started in the same second get -2, -3, ...: mkdir without `recursive` claims a name.
    let id = makeRunId(name);
    for (let n = 2; ; n++) {
      root = runDirOf(workspace, projectId, id);
      try {
        await fs.mkdir(root);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw err;
        id = `${makeRunId(name)}-${n}`;
      }
    }
    const config: RunConfig = {
      format: 'duet-run',
      version: 1,
      id,
      projectId,
      name,
      createdAt: new Date().toISOString(),
      settings,
      seed: settings.seed,
      backend,
      data: { a: dataA, b: dataB },
      dataset: {
        sampling: data.sampling,
        samplesPerEpoch: data.samplesPerEpoch,
        batchesPerEpoch: data.batchesPerEpoch,
      },
      totalIterations: totalIterations(settings, data.batchesPerEpoch),
    };
    await fs.mkdir(runPaths(root).samples, { recursive: true });
    await writeJsonAtomic(runPaths(root).config, config);
    const job = new RunJob(workspace, root, config, options, data, undefined, detected.messages.join('; '));
    await job.begin();
    return job;
  } catch (err) {
    await data.close();
    throw err;
  }
}

/** Resume a run from its newest sound checkpoint (or the one asked for). */
export async function resumeRun(root: string, options: ResumeRunOptions = {}): Promise<RunHandle> {
  const dir = path.resolve(root);
  const config = await readRunConfig(dir);
  const workspace = path.resolve(options.workspace ?? path.join(dir, '..', '..', '..', '..'));
  const release = await acquireRunLock(dir);
  let data: RunData | undefined;
  try {
    await cleanupTempCheckpoints(dir);
    const found = await loadCheckpoint(dir, { iteration: options.checkpoint });
    const state = decodeState(found.files);
    if (state.run.iteration !== found.manifest.iteration) {
      throw new Error(
        `Checkpoint ${found.dir} holds iteration ${state.run.iteration}, its manifest says ${found.manifest.iteration}`,
      );
    }
    data = await (options.openData ?? openDatasetPipeline)({
      dataA: config.data.a,
      dataB: config.data.b,
      settings: config.settings,
      seed: config.seed,
      start: state.run.position,
    });
    if (data.batchesPerEpoch !== config.dataset.batchesPerEpoch) {
      throw new Error(
        `The training data changed since this run started: an epoch was ${config.dataset.batchesPerEpoch} batches, now ${data.batchesPerEpoch}. ` +
          'Resuming would not continue the same run; start a new run on the new data.',
      );
    }
    await truncateMetrics(dir, state.run.iteration);
    const job = new RunJob(workspace, dir, config, options, data, { state, release, skipped: found.skipped });
    await job.begin();
    return job;
  } catch (err) {
    await data?.close();
    await release();
    throw err;
  }
}

interface Resumption {
  state: CheckpointState;
  release: () => Promise<void>;
  skipped: { iteration: number; reason: string }[];
}

class RunJob implements RunHandle {
  readonly id: string;
  readonly projectId: string;
  readonly done: Promise<RunResult>;
  private resolveDone!: (r: RunResult) => void;
  private listeners = new Set<RunListener>();
  private currentState: RunState = 'starting';
  private it = 0;
  private epoch = 0;
  /** Seconds spent training: stepping, reading data, writing samples and checkpoints; not paused time. */
  private seconds = 0;
  private position: PipelinePosition;
  private pauseRequested = false;
  private stopRequested = false;
  private resumeGate: (() => void) | undefined;
  private pausedWaiters: Array<() => void> = [];
  private trainer: Trainer | undefined;
  private sampleInputs: CheckpointState['run']['sampleInputs'] = null;
  private lastCheckpoint = -1;
  private release: (() => Promise<void>) | undefined;
  private readonly metrics: MetricsWriter;

  constructor(
    private readonly workspace: string,
    readonly dir: string,
    readonly config: RunConfig,
    private readonly hooks: RunHooks,
    private readonly data: RunData,
    private readonly resumption: Resumption | undefined,
    /** What a fresh run's 'starting' state says (the output colours it draws in). */
    private readonly startNote = '',
  ) {
    this.id = config.id;
    this.projectId = config.projectId;
    this.done = new Promise((r) => {
      this.resolveDone = r;
    });
    this.metrics = new MetricsWriter(runPaths(dir).metrics);
    this.position = resumption?.state.run.position ?? { seed: config.seed, epoch: 0, index: 0 };
    if (resumption) {
      this.it = resumption.state.run.iteration;
      this.epoch = resumption.state.run.epoch;
      this.seconds = resumption.state.run.trainingSeconds ?? 0;
      this.sampleInputs = resumption.state.run.sampleInputs;
      this.lastCheckpoint = this.it;
      this.release = resumption.release;
    }
  }

  get state(): RunState {
    return this.currentState;
  }

  get iteration(): number {
    return this.it;
  }

  /** Take the lock, build the trainer, and start the loop in the background. */
  async begin(): Promise<void> {
    this.release ??= await acquireRunLock(this.dir);
    try {
      this.trainer = createTrainer(this.config.settings, {
        recompute: needsRecompute(tf.getBackend(), this.config.settings.size),
      });
      if (this.resumption) {
        this.trainer.importState(this.resumption.state.trainer);
        if (this.trainer.iteration !== this.it) {
          throw new Error(`The checkpoint's trainer is at iteration ${this.trainer.iteration}, the run at ${this.it}`);
        }
      }
      await this.metrics.open();
    } catch (err) {
      this.trainer?.dispose();
      this.trainer = undefined;
      await this.release();
      throw err;
    }
    const message = this.resumption
      ? `resumed from iteration ${this.it}${
          this.resumption.skipped.length
            ? ` (skipped damaged checkpoints: ${this.resumption.skipped.map((s) => s.iteration).join(', ')})`
            : ''
        }`
      : this.startNote || undefined;
    // Started after the caller gets the handle, so it can subscribe first and see 'starting'.
    setImmediate(() => {
      void this.setState('starting', message).then(() => this.loop());
    });
  }

  on(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  events(): AsyncIterableIterator<RunEvent> {
    const queue: RunEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const off = this.on((e) => {
      queue.push(e);
      wake?.();
    });
    void this.done.then(() => {
      ended = true;
      wake?.();
    });
    const iterator: AsyncIterableIterator<RunEvent> = {
      next: async () => {
        while (queue.length === 0 && !ended) {
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
        }
        const value = queue.shift();
        if (value) return { value, done: false };
        off();
        return { value: undefined, done: true };
      },
      return: async () => {
        off();
        ended = true;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  pause(): Promise<void> {
    if (this.isEnded() || this.currentState === 'paused') return Promise.resolve();
    this.pauseRequested = true;
    return new Promise((r) => this.pausedWaiters.push(r));
  }

  resume(): void {
    this.pauseRequested = false;
    this.resumeGate?.();
  }

  stop(): Promise<RunResult> {
    if (!this.isEnded()) {
      this.stopRequested = true;
      this.resumeGate?.();
    }
    return this.done;
  }

  async summary(): Promise<RunSummary> {
    const files = await readRunSummary(this.dir, this.workspace);
    // status.json trails the loop (it is written only at state changes and checkpoints, and not yet at all
    // right after start): a live run's state and iteration are the job's own.
    return {
      ...files,
      state: this.currentState,
      iteration: Math.max(files.iteration, this.it),
      trainingSeconds: Math.max(files.trainingSeconds ?? 0, this.seconds),
    };
  }

  private isEnded(): boolean {
    return isRunEnded(this.currentState);
  }

  private emit(event: RunEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not stop training.
      }
    }
  }

  private async setState(state: RunState, message?: string): Promise<void> {
    this.currentState = state;
    // The event goes out first: a status file that cannot be written must not hide the state change.
    this.emit({ type: 'state', runId: this.id, state, iteration: this.it, ...(message ? { message } : {}) });
    try {
      await writeRunStatus(this.dir, {
        state,
        iteration: this.it,
        totalIterations: this.config.totalIterations,
        trainingSeconds: this.seconds,
        ...(message ? { message } : {}),
      });
    } catch {
      // status.json is a convenience for listings; the checkpoint and metrics are what count.
    }
    if (state === 'paused' || this.isEnded()) {
      for (const w of this.pausedWaiters.splice(0)) w();
    }
  }

  private async loop(): Promise<void> {
    const trainer = this.trainer!;
    const total = this.config.totalIterations;
    const perEpoch = this.config.dataset.batchesPerEpoch;
    const meter = createSpeedMeter(20);
    const sampleEvery = this.config.settings.sampleEvery;
    const checkpointEvery = this.config.settings.checkpointEvery;
    const settings = this.config.settings;
    const budget = settings.minutes === undefined ? undefined : { minutes: settings.minutes, iterations: total };
    const budgetSpent = () => budget !== undefined && budgetProgress(budget, this.seconds, this.it) >= 1;
    let result: RunResult;
    try {
      if (!this.stopRequested) await this.setState('running');
      meter.mark(this.it, performance.now());
      while (this.it < total && !budgetSpent() && !this.stopRequested) {
        if (this.pauseRequested) {
          await this.setState('paused');
          await new Promise<void>((r) => {
            this.resumeGate = r;
            if (!this.pauseRequested || this.stopRequested) r();
          });
          this.resumeGate = undefined;
          if (this.stopRequested) break;
          await this.setState('running');
          meter.breakInterval();
          meter.mark(this.it, performance.now());
        }
        const stepStart = performance.now();
        const batch = await this.data.next();
        if (!batch) throw new Error('The training data ran out before the last iteration');
        const lr = budget
          ? learningRateAtTime({ ...settings, ...budget }, this.seconds, this.it)
          : learningRateAtIteration(settings, this.it, perEpoch);
        trainer.setLearningRate(lr);
        const shape: [number, number, number, number] = [batch.n, batch.height, batch.width, batch.channels];
        const a = tf.tensor4d(batch.a, shape);
        const b = tf.tensor4d(batch.b, shape);
        let losses: Record<string, number>;
        try {
          // One asynchronous read of the losses per iteration (each iteration is reported): on a GPU the
          // loop waits for the device once, and webgpu has no synchronous read at all.
          losses = await trainer.stepAsync(a, b);
        } finally {
          a.dispose();
          b.dispose();
        }
        const lost = webGpuDeviceLost();
        if (lost) {
          // A lost device keeps nothing: its weights cannot be read back, so the last checkpoint stands.
          throw new Error(deviceLostMessage(this.it, lost, this.lastCheckpoint));
        }
        this.it += 1;
        this.epoch = batch.epoch;
        this.position = batch.next;
        if (!this.sampleInputs) this.sampleInputs = firstImages(batch);
        const now = performance.now();
        meter.mark(this.it, now);
        // The step's time counts now, so the last step of a budget is known as the last.
        this.seconds += (now - stepStart) / 1000;
        const itPerSec = meter.itPerSec();
        const iterationEta = meter.etaSeconds(total - this.it);
        // On a time budget: what is left of it, or sooner where the iteration cap comes first.
        const budgetLeft = budget ? Math.max(0, budget.minutes * 60 - this.seconds) : undefined;
        const etaSeconds =
          budgetLeft === undefined
            ? iterationEta
            : iterationEta === null
              ? budgetLeft
              : Math.min(budgetLeft, iterationEta);
        const dataWaitShare = this.data.stats?.().waitShare;
        const timing = {
          trainingSeconds: this.seconds,
          ...(budget ? { budgetSeconds: budget.minutes * 60 } : {}),
        };
        this.emit({
          type: 'progress',
          runId: this.id,
          iteration: this.it,
          totalIterations: total,
          epoch: this.epoch,
          losses,
          lr,
          itPerSec,
          etaSeconds,
          ...(dataWaitShare !== undefined ? { dataWaitShare } : {}),
          ...timing,
        });
        await this.metrics.add({
          iteration: this.it,
          epoch: this.epoch,
          losses,
          lr,
          itPerSec,
          etaSeconds,
          ...(dataWaitShare !== undefined ? { dataWaitShare } : {}),
          trainingSeconds: this.seconds,
          time: new Date().toISOString(),
        });
        const last = this.it === total || budgetSpent();
        if (this.it % sampleEvery === 0 || last) await this.writeSample();
        if (this.it % checkpointEvery === 0) await this.checkpoint();
        // Let pause/stop messages and other requests in between steps, and let those requests finish.
        await new Promise<void>((r) => setImmediate(r));
        if (this.hooks.betweenSteps) await this.hooks.betweenSteps();
        this.seconds += (performance.now() - now) / 1000;
      }
      const finished = this.it >= total || budgetSpent();
      if (!finished) await this.setState('stopping');
      if (this.lastCheckpoint !== this.it) await this.checkpoint();
      result = { state: finished ? 'finished' : 'stopped', iteration: this.it };
    } catch (err) {
      // A device lost mid-step fails the step's read (or a checkpoint's): say what happened, not the symptom.
      const lost = webGpuDeviceLost();
      const error = lost
        ? deviceLostMessage(this.it, lost, this.lastCheckpoint)
        : err instanceof Error
          ? err.message
          : String(err);
      result = { state: 'failed', iteration: this.it, error };
    }
    await this.finish(result);
  }

  private async finish(result: RunResult): Promise<void> {
    try {
      await this.metrics.close();
    } catch (err) {
      if (result.state !== 'failed') {
        result = {
          state: 'failed',
          iteration: result.iteration,
          error: `Could not write metrics.jsonl: ${(err as Error).message}`,
        };
      }
    }
    this.trainer?.dispose();
    this.trainer = undefined;
    await this.data.close().catch(() => {});
    await this.setState(result.state, result.error);
    await this.release?.().catch(() => {});
    this.resolveDone(result);
  }

  private async writeSample(): Promise<void> {
    const trainer = this.trainer!;
    const inputs = this.sampleInputs;
    if (!inputs) return;
    const shape: [number, number, number, number] = [1, inputs.height, inputs.width, inputs.channels];
    // Rows of tensors: real → translated → reconstructed (pix2pix: input → output → target; CUT: real → translated).
    const grid: tf.Tensor4D[][] = [];
    tf.tidy(() => {
      const realA = tf.tensor4d(inputs.a, shape);
      const realB = tf.tensor4d(inputs.b, shape);
      const fakeB = trainer.translate(realA, 'AtoB');
      if (trainer.kind === 'pix2pix') {
        grid.push([realA, fakeB, realB].map((t) => tf.keep(t)));
        return;
      }
      if (trainer.kind === 'cut' || trainer.kind === 'fastcut') {
        // One direction: A → G(A); with identity NCE also B → G(B), which should stay B.
        grid.push([realA, fakeB].map((t) => tf.keep(t)));
        if (trainer.settings.nceIdt) grid.push([realB, trainer.translate(realB, 'AtoB')].map((t) => tf.keep(t)));
        return;
      }
      const recA = trainer.translate(fakeB, 'BtoA');
      const fakeA = trainer.translate(realB, 'BtoA');
      const recB = trainer.translate(fakeA, 'AtoB');
      grid.push(
        [realA, fakeB, recA].map((t) => tf.keep(t)),
        [realB, fakeA, recB].map((t) => tf.keep(t)),
      );
    });
    let rows: SampleImage[][];
    try {
      rows = await Promise.all(
        grid.map((row) =>
          Promise.all(
            row.map(async (t) => ({
              data: (await t.data()) as Float32Array,
              height: t.shape[1],
              width: t.shape[2],
              channels: t.shape[3],
            })),
          ),
        ),
      );
    } finally {
      for (const t of grid.flat()) t.dispose();
    }
    const png = await encodeGridPng(rows);
    const file = samplePath(this.dir, this.it);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, png);
    this.emit({ type: 'sample', runId: this.id, iteration: this.it, path: workspaceRelative(this.workspace, file) });
  }

  private async checkpoint(): Promise<CheckpointInfo> {
    await this.metrics.flush();
    const trainerState = await this.trainer!.exportState();
    const state: CheckpointState = {
      trainer: trainerState,
      run: {
        iteration: this.it,
        epoch: this.epoch,
        position: this.position,
        trainingSeconds: this.seconds,
        sampleInputs: this.sampleInputs,
      },
    };
    const files = encodeState(state);
    const info = await writeCheckpoint(this.dir, this.it, files, {
      keep: this.config.settings.keepCheckpoints,
      io: this.hooks.checkpointIo,
      meta: { epoch: this.epoch, model: this.config.settings.model },
    });
    this.lastCheckpoint = this.it;
    await writeRunStatus(this.dir, {
      state: this.currentState,
      iteration: this.it,
      totalIterations: this.config.totalIterations,
      trainingSeconds: this.seconds,
    }).catch(() => {});
    this.emit({
      type: 'checkpoint',
      runId: this.id,
      iteration: this.it,
      path: workspaceRelative(this.workspace, info.path),
    });
    return info;
  }
}

function firstImages(batch: Batch): CheckpointState['run']['sampleInputs'] {
  const per = batch.height * batch.width * batch.channels;
  return {
    a: batch.a.slice(0, per),
    b: batch.b.slice(0, per),
    height: batch.height,
    width: batch.width,
    channels: batch.channels,
  };
}
