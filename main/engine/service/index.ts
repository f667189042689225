/**
 * EngineService: the engine process's implementation of every DuetApi engine operation, calling the
 * engine modules (dataset, runs, translate, library, eval, sample). Every engine operation of the
 * contract has its handler here; the constructor checks that none is missing.
 */
import {
  DuetError,
  type DuetOperationName,
  type DuetParsedRequest,
  type DuetResponse,
  ENGINE_OPERATIONS,
} from '#contract';
import type { BackendReport } from '../backend.js';
import { defaultSettings, listPresets } from '../runs/settings.js';
import { releaseWebGpuBackend } from '../webgpu.js';
import { scanFolders } from './data.js';
import { ModelService } from './models.js';
import { OutputColourLooks, previewOutputColours } from './output-colours.js';
import { ProjectStore } from './projects.js';
import { RunService } from './runs.js';
import { createSampleProject } from './sample.js';
import { writeUploadBatch } from './uploads.js';

export type EngineEventName = 'run' | 'job';

export interface EngineServiceOptions {
  workspace: string;
  backend: BackendReport | null;
  /** Why no backend could start, when none could. */
  backendError?: string;
  /**
   * Selects a backend again (the engine's own selection, with its preference). Called before a run starts
   * when the WebGPU device was lost: Dawn is asked for a new device, and where none comes the selection
   * goes on down the chain. Without it, a run on a lost device fails with the loss's message.
   */
  reselectBackend?: () => Promise<BackendReport>;
  emit: (event: EngineEventName, payload: unknown) => void;
}

type Handler<K extends DuetOperationName> = (request: DuetParsedRequest<K>) => Promise<DuetResponse<K>>;
type Handlers = { [K in DuetOperationName]?: Handler<K> };

/** Requests that wait on the training loop itself: a loop waiting for them would only wait its limit. */
const WAITS_ON_TRAINING: ReadonlySet<DuetOperationName> = new Set(['startRun', 'resumeRunFrom', 'pauseRun', 'stopRun']);
/** Longest a training loop waits between two steps for requests to answer (a long job must not stall it). */
const BETWEEN_STEPS_MAX_MS = 250;

export class EngineService {
  private readonly projects: ProjectStore;
  private readonly models: ModelService;
  private readonly runs: RunService;
  /** The Train screen's looks at its output folders, kept while the folders stay as they were. */
  private readonly outputColourLooks = new OutputColourLooks();
  private readonly handlers: Handlers;
  private inFlight = 0;
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly options: EngineServiceOptions) {
    this.projects = new ProjectStore(options.workspace);
    this.models = new ModelService(options.workspace, (e) => options.emit('job', e));
    this.runs = new RunService(
      options.workspace,
      this.projects,
      () => options.backend,
      () => options.backendError,
      (e) => options.emit('run', e),
      () => this.requestsSettled(BETWEEN_STEPS_MAX_MS),
      options.reselectBackend ? (lost) => this.recoverBackend(lost) : undefined,
    );
    this.handlers = this.buildHandlers();
    const missing = ENGINE_OPERATIONS.filter((name) => !this.handlers[name]);
    if (missing.length > 0) throw new Error(`EngineService has no handler for ${missing.join(', ')}`);
  }

  /** The backend new runs train on (it changes when a lost WebGPU device is replaced). */
  backend(): { backend: BackendReport | null; backendError?: string } {
    return { backend: this.options.backend, backendError: this.options.backendError };
  }

  private async recoverBackend(lost: string): Promise<void> {
    // The lost device computes nothing more: drop it and everything tfjs kept on it.
    releaseWebGpuBackend();
    try {
      this.options.backend = await this.options.reselectBackend!();
      this.options.backendError = undefined;
    } catch (err) {
      this.options.backend = null;
      this.options.backendError = `${lost}, and no backend could start after it: ${(err as Error).message}`;
    }
  }

  private buildHandlers(): Handlers {
    const { workspace } = this.options;
    const projects = this.projects;
    const models = this.models;
    const runs = this.runs;
    const ok = { ok: true as const };
    const h: Handlers = {
      listProjects: async () => projects.list(),
      createProject: async (r) => projects.create(r),
      openProject: async (r) => ({ project: await projects.get(r.projectId), runs: await runs.list(r.projectId) }),
      updateProject: async (r) => {
        const { projectId, ...patch } = r;
        return projects.update(projectId, patch);
      },
      deleteProject: async (r) => {
        if (this.activeRuns().some((a) => a.projectId === r.projectId)) {
          throw new DuetError('failed', 'Stop the project’s training run before deleting the project.');
        }
        await projects.delete(r.projectId);
        return { ok: true as const };
      },
      createSampleProject: async () => createSampleProject(workspace, projects),
      scanFolders: async (r) => scanFolders(r.a, r.b),
      uploadFiles: async (r) => writeUploadBatch(workspace, r),
      previewOutputColours: async (r) => previewOutputColours(r, projects, this.outputColourLooks),
      listPresets: async (r) => listPresets(r?.model),
      defaultSettings: async (r) => defaultSettings(r?.model),
      startRun: async (r) => runs.start(r),
      pauseRun: async (r) => runs.pause(r),
      resumeRun: async (r) => runs.resume(r),
      stopRun: async (r) => runs.stop(r),
      listRuns: async (r) => runs.list(r.projectId),
      getRun: async (r) => runs.get(r),
      getRunMetrics: async (r) => runs.metrics(r),
      listCheckpoints: async (r) => runs.checkpoints(r),
      resumeRunFrom: async (r) => runs.resumeFrom(r),
      findRun: async (r) => runs.find(r.ref),
      startTranslate: async (r) => models.startTranslate(r),
      cancelTranslate: async (r) => {
        models.cancel(r.jobId);
        return ok;
      },
      listModels: async () => models.list(),
      getModelLibrary: async () => models.library(),
      getModel: async (r) => models.details(r.modelId),
      renameModel: async (r) => models.rename(r.modelId, r.name),
      deleteModel: async (r) => {
        await models.delete(r.modelId);
        return ok;
      },
      exportModel: async (r) => models.export(r),
      importModel: async (r) => models.import(r.source),
      saveModelFromRun: async (r) => models.saveFromRun(r),
      evalModel: async (r) => models.evaluate(r),
    };
    return h;
  }

  async handle<K extends DuetOperationName>(name: K, request: DuetParsedRequest<K>): Promise<DuetResponse<K>> {
    if (!ENGINE_OPERATIONS.includes(name)) {
      throw new DuetError('invalid-request', `${name} is not an engine operation.`);
    }
    const handler = this.handlers[name] as Handler<K>;
    if (WAITS_ON_TRAINING.has(name)) return handler(request);
    this.inFlight += 1;
    try {
      return await handler(request);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        // After the answer has gone out (its send is a continuation of this handler), not before.
        const waiters = this.settledWaiters.splice(0);
        if (waiters.length)
          setImmediate(() => {
            for (const w of waiters) w();
          });
      }
    }
  }

  /**
   * Resolves once no request is being handled, or after `maxMs`: a training loop awaits it between
   * steps so the window's requests (each a chain of file reads) answer in one pause instead of one read
   * per step.
   */
  requestsSettled(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.settledWaiters.push(done);
    });
  }

  /** Runs training now, for quit confirmation and the delete guard. */
  activeRuns(): Array<{ projectId: string; runId: string }> {
    return this.runs.activeRuns();
  }

  /** Stop every training run with a checkpoint and cancel jobs; called before the engine exits. */
  async shutdown(_reason: string): Promise<void> {
    this.models.cancelAll();
    await this.runs.stopAll();
  }
}
