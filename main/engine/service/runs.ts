/**
 * Training runs for the window: starts, pauses, resumes and stops runs of the runs module, forwards
 * their live events, and reads finished runs from disk. One run trains at a time: the engine process
 * has one TensorFlow thread, and two runs would only halve each other's speed.
 */

import path from 'node:path';
import type { RunEvent, RunSummary } from '#contract';
import { DuetError, type DuetParsedRequest, type DuetResponse } from '#contract';
import type { BackendReport } from '../backend.js';
import { runDir } from '../runs/layout.js';
import { type RunHandle, resumeRun, startRun } from '../runs/run.js';
import { findRunDir, listRuns, readMetrics, readRunSummary } from '../runs/run-files.js';
import { withoutReplacedLength } from '../runs/settings.js';
import { webGpuDeviceLost } from '../webgpu.js';
import type { ProjectStore } from './projects.js';

type RunRef = { projectId: string; runId: string };

export class RunService {
  private readonly active = new Map<string, RunHandle>();

  constructor(
    private readonly workspace: string,
    private readonly projects: ProjectStore,
    private readonly backend: () => BackendReport | null,
    private readonly backendError: () => string | undefined,
    private readonly emitRun: (event: RunEvent) => void,
    /** Awaited by a training loop between its steps (see RunHooks.betweenSteps). */
    private readonly betweenSteps?: () => Promise<void>,
    /** Starts a backend again after the WebGPU device was lost (see EngineServiceOptions.reselectBackend). */
    private readonly recoverBackend?: (lost: string) => Promise<void>,
  ) {}

  /** The backend a new run trains on: after a lost WebGPU device, a new device or the next backend. */
  private async backendForRun(): Promise<BackendReport> {
    const lost = this.backend()?.candidate === 'webgpu' ? webGpuDeviceLost() : undefined;
    if (lost && this.recoverBackend) await this.recoverBackend(lost);
    return this.requireBackend();
  }

  private requireBackend(): BackendReport {
    const b = this.backend();
    if (!b) {
      throw new DuetError(
        'failed',
        `No TensorFlow.js backend could start, so nothing can train: ${this.backendError() ?? 'unknown reason'}`,
      );
    }
    return b;
  }

  private ensureIdle(): void {
    const busy = [...this.active.values()][0];
    if (busy) {
      throw new DuetError(
        'failed',
        `Run "${busy.config.name}" is training: stop it before starting another (one run trains at a time).`,
      );
    }
  }

  private track(handle: RunHandle): void {
    this.active.set(handle.id, handle);
    const off = handle.on((e) => this.emitRun(e));
    void handle.done.then(() => {
      off();
      this.active.delete(handle.id);
    });
  }

  private root(r: RunRef): string {
    try {
      return runDir(this.workspace, r.projectId, r.runId);
    } catch (err) {
      throw new DuetError('invalid-request', (err as Error).message);
    }
  }

  private async summaryOf(r: RunRef): Promise<RunSummary> {
    const handle = this.active.get(r.runId);
    if (handle && handle.projectId === r.projectId) return handle.summary();
    try {
      return await readRunSummary(this.root(r), this.workspace);
    } catch (err) {
      if (err instanceof DuetError) throw err;
      throw new DuetError('not-found', `No run "${r.runId}" in project "${r.projectId}".`);
    }
  }

  private handleOf(r: RunRef, action: string): RunHandle {
    const handle = this.active.get(r.runId);
    if (!handle || handle.projectId !== r.projectId) {
      throw new DuetError('failed', `Cannot ${action} run "${r.runId}": it is not training now.`);
    }
    return handle;
  }

  /** The folders and settings a run starts from: the request's folders, else the project's. */
  private async runInput(r: DuetParsedRequest<'startRun'>) {
    const chosen = { ...r.settings, ...(r.preset ? { preset: r.preset } : {}) };
    if (r.data) return { projectId: r.projectId, dataA: r.data.a, dataB: r.data.b ?? null, settings: chosen };
    const project = await this.projects.get(r.projectId as string);
    if (!project.domainA) {
      throw new DuetError(
        'invalid-request',
        'Choose the project’s training data (domain A, and B for two folders) before training.',
      );
    }
    // The project's saved settings lie under the request's, and a length the request chooses replaces the
    // project's (the Train screen sends only the length picked; the saved project is left as it is).
    const saved = withoutReplacedLength(project.settings ?? {}, chosen);
    const settings = { ...saved, model: project.model, ...chosen };
    return { projectId: project.id, dataA: project.domainA, dataB: project.domainB, settings };
  }

  async start(r: DuetParsedRequest<'startRun'>): Promise<RunSummary> {
    this.ensureIdle();
    const input = await this.runInput(r);
    const backend = await this.backendForRun();
    let handle: RunHandle;
    try {
      handle = await startRun({
        workspace: this.workspace,
        ...input,
        name: r.name,
        backend,
        betweenSteps: this.betweenSteps,
      });
    } catch (err) {
      throw new DuetError('invalid-request', (err as Error).message);
    }
    this.track(handle);
    return handle.summary();
  }

  async pause(r: RunRef): Promise<RunSummary> {
    await this.handleOf(r, 'pause').pause();
    return this.summaryOf(r);
  }

  async resume(r: RunRef): Promise<RunSummary> {
    this.handleOf(r, 'resume').resume();
    return this.summaryOf(r);
  }

  /** Stops with a checkpoint; a run that is not training is returned as it is. */
  async stop(r: RunRef): Promise<RunSummary> {
    const handle = this.active.get(r.runId);
    if (handle && handle.projectId === r.projectId) await handle.stop();
    return this.summaryOf(r);
  }

  async list(projectId: string): Promise<RunSummary[]> {
    const runs = await listRuns(this.workspace, projectId);
    // A training run's status.json trails its loop: the list reports the live state, as getRun does.
    return runs.map((r) => {
      const h = this.active.get(r.id);
      return h && h.projectId === projectId
        ? { ...r, state: h.state, iteration: Math.max(r.iteration, h.iteration) }
        : r;
    });
  }

  get(r: RunRef): Promise<RunSummary> {
    return this.summaryOf(r);
  }

  async metrics(r: DuetParsedRequest<'getRunMetrics'>): Promise<DuetResponse<'getRunMetrics'>> {
    await this.summaryOf(r);
    const lines = await readMetrics(this.root(r), r.sinceIteration ?? 0);
    return {
      rows: lines.map((l) => ({
        iteration: l.iteration,
        epoch: l.epoch,
        losses: l.losses,
        lr: l.lr,
        itPerSec: l.itPerSec,
        ...(l.trainingSeconds !== undefined ? { trainingSeconds: l.trainingSeconds } : {}),
        time: l.time,
      })),
    };
  }

  async checkpoints(r: RunRef): Promise<RunSummary['checkpoints']> {
    return (await this.summaryOf(r)).checkpoints;
  }

  async resumeFrom(r: DuetParsedRequest<'resumeRunFrom'>): Promise<RunSummary> {
    if (this.active.has(r.runId)) throw new DuetError('failed', `Run "${r.runId}" is already training.`);
    this.ensureIdle();
    await this.summaryOf(r);
    const backend = await this.backendForRun();
    let handle: RunHandle;
    try {
      handle = await resumeRun(this.root(r), {
        checkpoint: r.iteration,
        workspace: this.workspace,
        backend,
        betweenSteps: this.betweenSteps,
      });
    } catch (err) {
      throw new DuetError('failed', (err as Error).message);
    }
    this.track(handle);
    return handle.summary();
  }

  /** A run as a user names it (see findRunDir); it must be one of this workspace's runs. */
  async find(ref: string): Promise<RunSummary> {
    let dir: string;
    try {
      dir = await findRunDir(this.workspace, ref);
    } catch (err) {
      throw new DuetError('not-found', (err as Error).message);
    }
    const summary = await readRunSummary(dir, this.workspace);
    if (path.resolve(dir) !== this.root({ projectId: summary.projectId, runId: summary.id })) {
      throw new DuetError(
        'invalid-request',
        `The run at ${dir} is not in the workspace ${this.workspace}: give its workspace (--workspace).`,
      );
    }
    return this.summaryOf({ projectId: summary.projectId, runId: summary.id });
  }

  activeRuns(): RunRef[] {
    return [...this.active.values()].map((h) => ({ projectId: h.projectId, runId: h.id }));
  }

  /** Stop every training run with a checkpoint (the engine is about to exit). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.values()].map((h) => h.stop()));
  }
}
