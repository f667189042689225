/**
 * One valid request and response per DuetApi operation, and a recording fake engine that answers with
 * them: the transport tests send every operation through IPC and WebSocket and compare both ends.
 * The mapped type makes tsc fail when an operation is added without an example here.
 */
import type {
  DuetOperationName,
  DuetRequest,
  DuetResponse,
  EngineStatusEvent,
  ModelCard,
  Project,
  RunSummary,
  ScanReport,
  TrainingSettings,
} from '#contract';
import { DUET_OPERATIONS, TrainingSettingsSchema } from '#contract';
import type { EngineLink } from '../../main/engine/process/in-process.js';
import type { EngineInfo } from '../../main/engine/process/protocol.js';

const settings: TrainingSettings = TrainingSettingsSchema.parse({ size: 64, loadSize: 72, generator: 'tiny' });

export const project: Project = {
  id: 'maps-1a2b3c',
  name: 'Maps',
  createdAt: '2026-11-23T13:00:00.000Z',
  domainA: '/data/aerial',
  domainB: '/data/maps',
  model: 'cyclegan',
  settings: { size: 64 },
  sample: false,
};

export const run: RunSummary = {
  id: '20261123-130000-maps',
  projectId: project.id,
  name: 'maps',
  state: 'running',
  iteration: 12,
  totalIterations: 300,
  settings,
  backend: 'cpu',
  createdAt: '2026-11-23T13:00:00.000Z',
  checkpoints: [
    { iteration: 10, createdAt: '2026-11-23T13:01:00.000Z', path: 'projects/maps-1a2b3c/runs/x/checkpoints/00000010' },
  ],
  samples: [{ iteration: 10, path: 'projects/maps-1a2b3c/runs/x/samples/00000010.png' }],
};

const scan: ScanReport = {
  layout: 'two-folders',
  folders: { a: '/data/aerial', b: '/data/maps' },
  bothInOneFolder: false,
  split: null,
  splits: [],
  heldOut: [],
  canTrain: false,
  whyNot: 'no usable images in /data/maps: all 1 file(s) were skipped',
  a: {
    root: '/data/aerial',
    name: 'aerial',
    images: [{ path: '/data/aerial/1.png', relative: '1.png', width: 64, height: 64, format: 'png' }],
    skipped: [],
  },
  b: { root: '/data/maps', name: 'maps', images: [], skipped: [{ path: '/data/maps/x.txt', reason: 'not an image' }] },
  pairing: { kind: 'unpaired', suggestedModel: 'cyclegan', pairs: 0, unmatchedA: [], unmatchedB: [] },
  sizeStats: { minWidth: 64, maxWidth: 64, minHeight: 64, maxHeight: 64, medianWidth: 64, medianHeight: 64 },
};

const card: ModelCard = {
  id: 'model-1',
  name: 'Maps v1',
  model: 'cyclegan',
  architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'instance' },
  directions: { A: 'aerial', B: 'maps' },
  data: { countA: 10, countB: 10, pairing: 'unpaired' },
  iterations: 300,
  settings,
  metrics: { AtoB: { rmse: 12.5 } },
  backend: 'cpu',
  createdAt: '2026-11-23T13:00:00.000Z',
};

type Example<K extends DuetOperationName> = { request: DuetRequest<K>; response: DuetResponse<K> };
type Examples = { [K in DuetOperationName]: Example<K> };

const runRef = { projectId: project.id, runId: run.id };

/** Host operations' responses depend on the host; these examples hold their requests. */
export const EXAMPLES: Examples = {
  getSystemInfo: { request: undefined, response: undefined as never },
  getSettings: { request: {}, response: undefined as never },
  setSettings: { request: { theme: 'dark' }, response: undefined as never },
  chooseFolder: { request: { title: 'Domain A', purpose: 'domain' }, response: undefined as never },
  openExternal: { request: { url: 'https://github.com/junyanz' }, response: { ok: true } },
  listProjects: { request: undefined, response: [project] },
  createProject: { request: { name: 'Maps', model: 'cyclegan' }, response: project },
  openProject: { request: { projectId: project.id }, response: { project, runs: [run] } },
  updateProject: { request: { projectId: project.id, name: 'Maps 2' }, response: { ...project, name: 'Maps 2' } },
  deleteProject: { request: { projectId: project.id }, response: { ok: true } },
  createSampleProject: { request: {}, response: { ...project, sample: true } },
  scanFolders: { request: { a: '/data/aerial', b: '/data/maps' }, response: scan },
  previewOutputColours: {
    request: { projectId: project.id, preset: 'quick', settings: { outputPalette: 'auto' } },
    response: {
      use: 'drawn',
      generator: 'tiny',
      domains: [
        {
          domain: 'B',
          label: 'maps',
          palette: {
            colours: [
              [242, 239, 233],
              [170, 211, 223],
            ],
            coverage: 0.99,
            images: 4,
          },
        },
        { domain: 'A', label: 'aerial', palette: null },
      ],
    },
  },
  uploadFiles: {
    request: { label: 'aerial', files: [{ relativePath: 'a/1.png', base64: 'iVBORw0KGgo=' }] },
    response: { uploadId: 'aerial-1234', folder: '/ws/uploads/aerial-1234', written: 1 },
  },
  listPresets: {
    request: { model: 'pix2pix' },
    response: [{ name: 'quick', description: 'fast', settings: { size: 64 } }],
  },
  defaultSettings: {
    request: { model: 'pix2pix' },
    response: TrainingSettingsSchema.parse({ model: 'pix2pix', generator: 'unet_256', norm: 'batch' }),
  },
  startRun: { request: { projectId: project.id, preset: 'quick' }, response: run },
  pauseRun: { request: runRef, response: { ...run, state: 'paused' } },
  resumeRun: { request: runRef, response: run },
  stopRun: { request: runRef, response: { ...run, state: 'stopped' } },
  listRuns: { request: { projectId: project.id }, response: [run] },
  getRun: { request: runRef, response: run },
  getRunMetrics: {
    request: { ...runRef, sinceIteration: 5 },
    response: { rows: [{ iteration: 6, epoch: 0, losses: { G_A: 0.5, D_A: 0.25 }, lr: 2e-4, itPerSec: 1.5 }] },
  },
  listCheckpoints: { request: runRef, response: run.checkpoints },
  resumeRunFrom: { request: { ...runRef, iteration: 10 }, response: run },
  findRun: { request: { ref: `${project.id}/${run.id}` }, response: run },
  startTranslate: {
    request: { modelId: 'model-1', inputs: ['/data/aerial/1.png'], direction: 'AtoB' },
    response: { jobId: 'job-1', outDir: '/ws/translations/job-1' },
  },
  cancelTranslate: { request: { jobId: 'job-1' }, response: { ok: true } },
  listModels: { request: undefined, response: [card] },
  getModelLibrary: { request: undefined, response: { models: [card], problems: [{ id: 'half', reason: 'no card' }] } },
  getModel: { request: { modelId: 'model-1' }, response: { card, directions: ['AtoB'] } },
  renameModel: { request: { modelId: 'model-1', name: 'Renamed' }, response: { ...card, name: 'Renamed' } },
  deleteModel: { request: { modelId: 'model-1' }, response: { ok: true } },
  exportModel: { request: { modelId: 'model-1', destination: '/tmp/out' }, response: { path: '/tmp/out/model-1' } },
  importModel: { request: { source: '/tmp/in/model-1' }, response: card },
  saveModelFromRun: { request: { ...runRef, name: 'Maps v1' }, response: card },
  evalModel: {
    request: { modelId: 'model-1', a: '/data/test' },
    response: {
      modelId: 'model-1',
      directions: { AtoB: { count: 2, rmse: 10, pixelAccuracy: 0.5, psnr: 20, l1: 0.1 } },
    },
  },
};

/** A fake engine: records what it receives, answers with the examples, emits events on demand. */
export class RecordingEngine implements EngineLink {
  readonly received: Array<{ op: string; payload: unknown }> = [];
  private readonly eventListeners = new Set<(event: 'run' | 'job', payload: unknown) => void>();
  private readonly statusListeners = new Set<(s: EngineStatusEvent) => void>();
  shutdowns: string[] = [];

  constructor(readonly workspace: string) {}

  async request(op: string, payload?: unknown): Promise<unknown> {
    this.received.push({ op, payload });
    const example = EXAMPLES[op as DuetOperationName];
    if (!example || DUET_OPERATIONS[op as DuetOperationName].runsIn !== 'engine')
      throw new Error(`unexpected op ${op}`);
    return structuredClone(example.response);
  }
  onEvent(listener: (event: 'run' | 'job', payload: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }
  onStatus(listener: (s: EngineStatusEvent) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
  emit(event: 'run' | 'job', payload: unknown): void {
    for (const l of this.eventListeners) l(event, payload);
  }
  emitStatus(s: EngineStatusEvent): void {
    for (const l of this.statusListeners) l(s);
  }
  async engineInfo(): Promise<EngineInfo> {
    return { pid: 1, workspace: this.workspace, node: process.versions.node, backend: null };
  }
  async shutdown(reason = 'shutdown'): Promise<void> {
    this.shutdowns.push(reason);
  }
}
