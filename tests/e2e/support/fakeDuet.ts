/// <reference lib="dom.iterable" />
/// <reference lib="dom" />
/**
 * A scripted DuetApi for the window's own specs: installed in the page as `window.duet` (where the
 * preload bridge would be), so layout, themes, validation, drop handling and a 100,000-point chart can
 * be tested and photographed without the engine.
 *
 * It cannot drift from the contract: it is typed as the real `DuetApi`, every request it is sent goes
 * through the operation's request schema (an invalid one is refused as the engine would refuse it), and
 * every answer and pushed event goes through the contract's response and event schemas before the
 * window sees it. An answer the contract refuses is recorded in `breaches` (the specs fail on any) and
 * reaches the window as the real transports would report it, an 'invalid-response' error.
 *
 * The page gets it as a bundle with zod and the contract inside (fakeDuetScript.ts builds it);
 * tests/contract/fakeDuet.test.ts calls every operation of it in Node.
 */
import {
  type AppSettings,
  type CheckpointInfo,
  type DomainScan,
  DUET_EVENTS,
  type DuetApi,
  DuetError,
  type DuetEventName,
  type DuetEventPayload,
  type DuetOperationName,
  type DuetOperationsApi,
  type DuetParsedRequest,
  type DuetResponse,
  type FileLike,
  type MetricsRow,
  type ModelCard,
  type ModelType,
  OPERATION_NAMES,
  type Preset,
  type Project,
  parseRequest,
  parseResponse,
  type RunSummary,
  type TrainingSettings,
  type TrainingSettingsPatch,
  TrainingSettingsSchema,
  type Unsubscribe,
} from '#contract';
// The engine's own per-model defaults and layering rule (pure), so the fake's Custom form and runs cannot
// drift from a real run's.
import { MODEL_DEFAULTS, withoutReplacedLength } from '../../../main/engine/runs/settings.js';

export interface FakeDuetOptions {
  theme?: 'light' | 'dark' | 'system';
  /** Logged iterations the first run already has (for the chart's load test). */
  historyPoints?: number;
  /** Start with the sample project, a finished run and one model. */
  seeded?: boolean;
  /** Milliseconds between simulated training iterations. */
  tickMs?: number;
}

/** What each operation answers, before the contract checks it. */
export type FakeHandlers = { [K in DuetOperationName]: (request: DuetParsedRequest<K>) => DuetResponse<K> };

export interface FakeDuet {
  /** The API the window uses: requests and answers checked against the contract. */
  api: DuetApi;
  /** One operation's answer exactly as the fake gives it, before any schema sees it. */
  answer<K extends DuetOperationName>(name: K, request?: unknown): DuetResponse<K>;
  /** Every request the window sent, in order. */
  calls: Array<{ name: DuetOperationName; request: unknown }>;
  /** Dropped folders uploaded through the API: label and relative paths. */
  uploads: Array<{ label: string; files: string[] }>;
  /** Every event pushed, as the fake made it (before the schema). */
  pushed: Array<{ kind: DuetEventName; event: unknown }>;
  /** Answers and events the contract refused: must stay empty. */
  breaches: string[];
  /** Push an event as the engine would (an engine exit, say); checked like the fake's own. */
  push<E extends DuetEventName>(kind: E, event: DuetEventPayload<E>): void;
  /** Stops every timer (runs, translate jobs). */
  dispose(): void;
}

type Timer = ReturnType<typeof setInterval>;

const PRESETS: Preset[] = [
  {
    name: 'quick',
    description: 'Tiny networks at 32 px: a first result in minutes on a CPU.',
    settings: {
      size: 32,
      loadSize: 36,
      generator: 'tiny',
      discriminator: 'tiny',
      ngf: 8,
      ndf: 8,
      iterations: 40,
      sampleEvery: 10,
      checkpointEvery: 20,
    },
  },
  {
    name: 'balanced',
    description: 'ResNet 6 blocks at 128 px: good results on a GPU in an hour.',
    settings: { size: 128, loadSize: 143, generator: 'resnet_6blocks', ngf: 32, ndf: 32 },
  },
  {
    name: 'reference',
    description: 'The paper’s setup: ResNet 9 blocks at 256 px, 200 epochs.',
    settings: { size: 256, loadSize: 286 },
  },
];

/** What a run of a model type uses when no preset is chosen, as the engine's defaultSettings says. */
function defaultsOf(model: ModelType): TrainingSettings {
  return TrainingSettingsSchema.parse({ ...MODEL_DEFAULTS[model], model });
}

function lossesAt(i: number, model: string): Record<string, number> {
  const decay = Math.exp(-i / 4000);
  const n = (k: number) => Math.sin(i * 0.37 + k) * 0.08 + Math.sin(i * 0.011 + k) * 0.05;
  return model === 'pix2pix'
    ? { G_GAN: 0.9 + n(1), G_L1: 30 * decay + 8 + n(2) * 10, D_real: 0.5 + n(3), D_fake: 0.5 + n(4) }
    : {
        G_A: 0.6 + n(1),
        G_B: 0.55 + n(2),
        cycle_A: 2.5 * decay + 0.4 + n(3),
        cycle_B: 2.2 * decay + 0.35 + n(4),
        idt_A: 1.1 * decay + 0.2 + n(5) / 2,
        idt_B: 1.0 * decay + 0.18 + n(6) / 2,
        D_A: 0.25 + n(7) / 2,
        D_B: 0.24 + n(8) / 2,
      };
}

function scanDomain(root: string): DomainScan {
  if (/missing/.test(root)) throw new DuetError('not-found', `Folder not found: ${root}`);
  const name = root.split('/').filter(Boolean).pop() ?? root;
  const empty = /empty|notes/.test(root);
  const images = empty
    ? []
    : Array.from({ length: 36 }, (_, i) => ({
        path: `${root}/${String(i + 1).padStart(4, '0')}.png`,
        relative: `${String(i + 1).padStart(4, '0')}.png`,
        width: 32,
        height: 32,
        format: 'png',
      }));
  const skipped = [
    { path: `${root}/notes.txt`, reason: 'not an image (.txt)' },
    ...(empty ? [{ path: `${root}/broken.png`, reason: 'cannot decode: truncated PNG data' }] : []),
  ];
  return { root, name, images, skipped };
}

/** Pictures drawn on a canvas for image URLs (in the page only). */
function pictures(): { picture(path: string, size?: number): string; sampleGrid(path: string): string } {
  const imageCache = new Map<string, string>();
  function paint(g: CanvasRenderingContext2D, path: string, x0: number, y0: number, size: number): void {
    let h = 0;
    for (const ch of path) h = (h * 31 + ch.charCodeAt(0)) | 0;
    h = Math.abs(h);
    const map = /trainB|map|fake|translat|export/.test(path);
    g.fillStyle = map ? '#ece7dc' : `hsl(${90 + (h % 40)}, 30%, ${30 + (h % 15)}%)`;
    g.fillRect(x0, y0, size, size);
    for (let i = 0; i < 6; i++) {
      const r = ((h >>> (i * 3)) & 0xff) / 255;
      g.fillStyle = map
        ? (['#ffffff', '#f6d78b', '#aad3df', '#c8facc'][i % 4] as string)
        : `hsl(${30 + i * 20}, 25%, ${20 + r * 40}%)`;
      g.fillRect(x0 + r * size * 0.8, y0 + ((i * 37) % size) * 0.9, size * (0.15 + r * 0.3), size * 0.12);
    }
    if (map) {
      g.strokeStyle = '#ffffff';
      g.lineWidth = size / 16;
      g.beginPath();
      g.moveTo(x0, y0 + ((h & 63) % size));
      g.lineTo(x0 + size, y0 + (((h >> 6) & 63) % size));
      g.stroke();
    }
  }
  function picture(path: string, size = 64): string {
    const key = `${path}@${size}`;
    const cached = imageCache.get(key);
    if (cached) return cached;
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    paint(c.getContext('2d') as CanvasRenderingContext2D, path, 0, 0, size);
    const url = c.toDataURL('image/png');
    imageCache.set(key, url);
    return url;
  }
  function sampleGrid(path: string): string {
    const cached = imageCache.get(path);
    if (cached) return cached;
    const cell = 64;
    const c = document.createElement('canvas');
    c.width = cell * 3;
    c.height = cell * 2;
    const g = c.getContext('2d') as CanvasRenderingContext2D;
    const names = [`trainA${path}`, `fake${path}`, `trainA${path}x`, `trainB${path}`, `photo${path}`, `trainB${path}y`];
    names.forEach((n, i) => {
      paint(g, n, (i % 3) * cell, Math.floor(i / 3) * cell, cell);
    });
    const url = c.toDataURL('image/png');
    imageCache.set(path, url);
    return url;
  }

  return { picture, sampleGrid };
}

/**
 * The fake itself. `overrides` replace operations' answers (the contract test uses one to show a
 * wrong answer is caught).
 */
export function createFakeDuet(options: FakeDuetOptions = {}, overrides: Partial<FakeHandlers> = {}): FakeDuet {
  const now = () => new Date().toISOString();
  const listeners: { [E in DuetEventName]: Set<(e: DuetEventPayload<E>) => void> } = {
    run: new Set(),
    job: new Set(),
    engine: new Set(),
  };
  const calls: FakeDuet['calls'] = [];
  const uploads: FakeDuet['uploads'] = [];
  const pushed: FakeDuet['pushed'] = [];
  const breaches: string[] = [];

  function emit<E extends DuetEventName>(kind: E, event: DuetEventPayload<E>): void {
    pushed.push({ kind, event });
    const parsed = DUET_EVENTS[kind].schema.safeParse(event);
    if (!parsed.success) {
      breaches.push(`${kind} event ${JSON.stringify(event).slice(0, 200)}: ${parsed.error.message}`);
      return; // the real clients drop a malformed event
    }
    for (const l of listeners[kind]) l(parsed.data as DuetEventPayload<E>);
  }

  const settings: AppSettings = {
    backend: 'auto',
    theme: options.theme ?? 'system',
    recentProjects: [],
    workspace: '/home/me/Duet',
  };
  const projects: Project[] = [];
  const runs = new Map<string, RunSummary>();
  const metrics = new Map<string, MetricsRow[]>();
  const timers = new Map<string, Timer>();
  const models: ModelCard[] = [];
  let seq = 1;
  const id = (p: string) => `${p}${seq++}`;

  function projectOf(projectId: string): Project {
    const p = projects.find((x) => x.id === projectId);
    if (!p) throw new DuetError('not-found', `No project ${projectId}`);
    return p;
  }
  function runOf(runId: string): RunSummary {
    const run = runs.get(runId);
    if (!run) throw new DuetError('not-found', `No run ${runId}`);
    return run;
  }
  function modelOf(modelId: string): ModelCard {
    const m = models.find((x) => x.id === modelId);
    if (!m) throw new DuetError('not-found', `No model ${modelId}`);
    return m;
  }
  function summary(run: RunSummary): RunSummary {
    return { ...run, checkpoints: [...run.checkpoints], samples: [...run.samples] };
  }

  function tick(run: RunSummary): void {
    if (run.state !== 'running') return;
    run.iteration++;
    const losses = lossesAt(run.iteration, run.settings.model);
    const epoch = Math.floor(run.iteration / 12) + 1;
    // On a time budget: seconds trained at the fake's 8.3 it/s, the run ending when they reach the budget.
    const budgetSeconds = run.settings.minutes === undefined ? undefined : run.settings.minutes * 60;
    const trainingSeconds = run.iteration / 8.3;
    run.trainingSeconds = trainingSeconds;
    const spent = budgetSeconds !== undefined && trainingSeconds >= budgetSeconds;
    metrics.get(run.id)?.push({ iteration: run.iteration, epoch, losses, lr: 2e-4, itPerSec: 8.3, trainingSeconds });
    emit('run', {
      type: 'progress',
      runId: run.id,
      iteration: run.iteration,
      totalIterations: run.totalIterations,
      epoch,
      losses,
      lr: 2e-4,
      itPerSec: 8.3,
      etaSeconds:
        budgetSeconds === undefined
          ? (run.totalIterations - run.iteration) / 8.3
          : Math.max(0, budgetSeconds - trainingSeconds),
      trainingSeconds,
      ...(budgetSeconds === undefined ? {} : { budgetSeconds }),
    });
    if (run.iteration % run.settings.sampleEvery === 0) {
      const s = {
        iteration: run.iteration,
        path: `projects/${run.projectId}/runs/${run.id}/samples/${run.iteration}.png`,
      };
      run.samples.push(s);
      emit('run', { type: 'sample', runId: run.id, ...s });
    }
    if (run.iteration % run.settings.checkpointEvery === 0 || run.iteration >= run.totalIterations || spent) {
      const c = { iteration: run.iteration, path: `checkpoints/${run.iteration}`, createdAt: now() };
      run.checkpoints.push(c);
      emit('run', { type: 'checkpoint', runId: run.id, iteration: c.iteration, path: c.path });
    }
    if (run.iteration >= run.totalIterations || spent) {
      run.state = 'finished';
      clearInterval(timers.get(run.id));
      emit('run', { type: 'state', runId: run.id, state: 'finished', message: 'Finished.' });
    }
  }

  function startTimer(run: RunSummary): void {
    clearInterval(timers.get(run.id));
    timers.set(
      run.id,
      setInterval(() => tick(run), options.tickMs ?? 120),
    );
  }

  function newRun(projectId: string, patch: TrainingSettingsPatch, iteration = 0): RunSummary {
    const runSettings = TrainingSettingsSchema.parse(patch);
    const run: RunSummary = {
      id: id('run-'),
      projectId,
      name: `Run ${runs.size + 1}`,
      state: 'running',
      iteration,
      // A time budget ends the run, not a count (the engine bounds it by the epoch schedule).
      totalIterations: runSettings.iterations ?? (runSettings.minutes === undefined ? 40 : 100_000),
      settings: runSettings,
      backend: 'wasm',
      createdAt: now(),
      checkpoints: [],
      samples: [],
    };
    runs.set(run.id, run);
    metrics.set(run.id, []);
    return run;
  }

  function card(run: RunSummary, project: Project): ModelCard {
    return {
      id: id('model-'),
      name: `${project.name} · ${run.iteration} it`,
      model: run.settings.model,
      architecture: { generator: run.settings.generator, discriminator: run.settings.discriminator, norm: 'instance' },
      directions: { A: 'aerial', B: 'map' },
      data: { countA: 36, countB: 36, pairing: 'paired-names' },
      iterations: run.iteration,
      settings: run.settings,
      backend: 'wasm',
      createdAt: now(),
      metrics: {
        AtoB: { rmse: 31.2, pixelAccuracy: 0.41, psnr: 18.3 },
        BtoA: { rmse: 44.9, pixelAccuracy: 0.12, psnr: 15.1 },
      },
      source: { projectId: project.id, runId: run.id },
    };
  }

  function checkpointNow(run: RunSummary): CheckpointInfo {
    const c = { iteration: run.iteration, path: `checkpoints/${run.iteration}`, createdAt: now() };
    if (!run.checkpoints.some((x) => x.iteration === c.iteration)) run.checkpoints.push(c);
    return c;
  }

  const handlers: FakeHandlers = {
    getSystemInfo: () => ({
      duet: '0.1.0',
      node: '20.19.0',
      electron: null,
      platform: 'linux',
      workspace: settings.workspace ?? '/home/me/Duet',
      transport: 'serve',
      backend: {
        candidate: 'wasm',
        backend: 'wasm',
        gpu: false,
        tfjsVersion: '4.22.0',
        attempts: [
          { candidate: 'tfjs-node-gpu', ok: false, reason: 'package not installed' },
          { candidate: 'tfjs-node', ok: false, reason: 'package not installed' },
          { candidate: 'wasm', ok: true },
        ],
      },
    }),
    getSettings: () => ({ ...settings }),
    setSettings: (patch) => {
      Object.assign(settings, patch);
      return { ...settings };
    },
    chooseFolder: () => ({ path: null }),
    openExternal: () => ({ ok: true }),
    listProjects: () => projects.map((p) => ({ ...p })),
    createProject: (r) => {
      const p: Project = {
        id: id('p-'),
        name: r.name,
        createdAt: now(),
        domainA: r.domainA ?? null,
        domainB: r.domainB ?? null,
        model: r.model ?? 'cyclegan',
        settings: r.settings ?? {},
        sample: false,
      };
      projects.push(p);
      return { ...p };
    },
    createSampleProject: () => {
      const p: Project = {
        id: id('p-'),
        name: 'Sample: aerial ↔ map',
        createdAt: now(),
        domainA: '/home/me/Duet/sample/trainA',
        domainB: '/home/me/Duet/sample/trainB',
        model: 'pix2pix',
        settings: {},
        sample: true,
      };
      projects.push(p);
      return { ...p };
    },
    openProject: (r) => {
      const p = projectOf(r.projectId);
      return { project: { ...p }, runs: [...runs.values()].filter((x) => x.projectId === p.id).map(summary) };
    },
    updateProject: (r) => {
      const p = projectOf(r.projectId);
      const { projectId: _, ...patch } = r;
      Object.assign(p, patch);
      return { ...p };
    },
    deleteProject: (r) => {
      projects.splice(projects.indexOf(projectOf(r.projectId)), 1);
      return { ok: true };
    },
    scanFolders: (r) => {
      const a = scanDomain(r.a);
      const b = r.b ? scanDomain(r.b) : null;
      const paired = Boolean(b && a.images.length && b.images.length);
      const whyNot = !a.images.length
        ? `no usable images in ${r.a}`
        : !b
          ? 'only one domain: add a second folder (domain B), or give one folder holding trainA/ and trainB/, or A|B side-by-side images'
          : !b.images.length
            ? `no usable images in ${r.b}`
            : null;
      return {
        layout: 'two-folders',
        folders: { a: r.a, b: r.b ?? null },
        bothInOneFolder: false,
        split: null,
        splits: [],
        heldOut: [],
        canTrain: whyNot === null,
        whyNot,
        a,
        b,
        pairing: paired
          ? { kind: 'paired-names', suggestedModel: 'pix2pix', pairs: a.images.length, unmatchedA: [], unmatchedB: [] }
          : { kind: 'unpaired', suggestedModel: 'cyclegan', pairs: 0, unmatchedA: [], unmatchedB: [] },
        sizeStats: { minWidth: 32, maxWidth: 32, minHeight: 32, maxHeight: 32, medianWidth: 32, medianHeight: 32 },
      };
    },
    previewOutputColours: (r) => {
      const p = r.projectId ? projectOf(r.projectId) : null;
      const chosen = { ...p?.settings, ...(p ? { model: p.model } : {}), ...r.settings };
      const model = chosen.model ?? 'cyclegan';
      const generator = chosen.generator ?? (r.preset === 'quick' ? 'tiny' : defaultsOf(model).generator);
      const use = generator.startsWith('unet') ? 'unsupported' : chosen.outputPalette === 'off' ? 'off' : 'drawn';
      const folders = r.data ?? (p?.domainA ? { a: p.domainA, b: p.domainB } : null);
      if (!folders) return { use, generator, domains: [], problem: 'No training data chosen yet.' };
      if (/missing/.test(`${folders.a} ${folders.b}`)) {
        return { use, generator, domains: [], problem: `Domain B folder does not exist: ${folders.b}` };
      }
      // Folders named like maps or labels are flat-coloured; any other folder is photos.
      const look = (domain: 'A' | 'B', folder: string) => ({
        domain,
        label: folder.split('/').filter(Boolean).pop() ?? folder,
        palette: /map|label|trainB/.test(folder)
          ? {
              colours: [
                [242, 239, 233],
                [170, 211, 223],
                [200, 250, 204],
                [255, 255, 255],
                [233, 169, 165],
              ] as Array<[number, number, number]>,
              coverage: 0.998,
              images: 36,
            }
          : null,
      });
      const b = folders.b ?? `${folders.a}/trainB`;
      const a = folders.b ? folders.a : `${folders.a}/trainA`;
      return { use, generator, domains: model === 'cyclegan' ? [look('B', b), look('A', a)] : [look('B', b)] };
    },
    uploadFiles: (r) => {
      const uploadId = r.uploadId ?? id('up-');
      return { uploadId, folder: `/home/me/Duet/uploads/${uploadId}`, written: r.files.length };
    },
    listPresets: () => PRESETS,
    defaultSettings: (r) => defaultsOf(r?.model ?? 'cyclegan'),
    startRun: (r) => {
      if (!r.projectId) throw new DuetError('not-available', 'The fake trains projects only, not named folders.');
      const p = projectOf(r.projectId);
      const preset = PRESETS.find((x) => x.name === r.preset)?.settings ?? {};
      // Layered as the engine layers them (the run service, then resolveSettings): defaults ← preset ←
      // the project's saved settings ← the request's; a length a higher layer chooses replaces a lower's.
      const chosen = Object.fromEntries(Object.entries(r.settings ?? {}).filter(([, v]) => v !== undefined));
      const user = { ...withoutReplacedLength(p.settings, chosen), model: p.model, ...chosen };
      const lower = { ...MODEL_DEFAULTS[p.model], sampleEvery: 100, checkpointEvery: 500, ...preset };
      const run = newRun(r.projectId, { ...withoutReplacedLength(lower, user), ...user });
      startTimer(run);
      return summary(run);
    },
    pauseRun: (r) => {
      const run = runOf(r.runId);
      run.state = 'paused';
      emit('run', { type: 'state', runId: run.id, state: 'paused' });
      return summary(run);
    },
    resumeRun: (r) => {
      const run = runOf(r.runId);
      run.state = 'running';
      emit('run', { type: 'state', runId: run.id, state: 'running' });
      return summary(run);
    },
    stopRun: (r) => {
      const run = runOf(r.runId);
      run.state = 'stopped';
      clearInterval(timers.get(run.id));
      const c = checkpointNow(run);
      emit('run', { type: 'checkpoint', runId: run.id, iteration: c.iteration, path: c.path });
      emit('run', {
        type: 'state',
        runId: run.id,
        state: 'stopped',
        message: `Stopped at iteration ${run.iteration}; checkpoint saved.`,
      });
      return summary(run);
    },
    listRuns: (r) => [...runs.values()].filter((x) => x.projectId === r.projectId).map(summary),
    getRun: (r) => summary(runOf(r.runId)),
    getRunMetrics: (r) => ({
      rows: (metrics.get(runOf(r.runId).id) ?? []).filter((m) => m.iteration > (r.sinceIteration ?? 0)),
    }),
    listCheckpoints: (r) => [...runOf(r.runId).checkpoints],
    findRun: (r) => {
      const run = [...runs.values()].find((x) => x.id === r.ref || `${x.projectId}/${x.id}` === r.ref);
      if (!run) throw new DuetError('not-found', `No run "${r.ref}"`);
      return summary(run);
    },
    resumeRunFrom: (r) => {
      const old = runOf(r.runId);
      old.state = 'running';
      old.iteration = r.iteration ?? old.iteration;
      old.totalIterations += 20;
      startTimer(old);
      return summary(old);
    },
    startTranslate: (r) => {
      const jobId = id('job-');
      const outDir = r.outDir ?? `/home/me/Duet/translations/${jobId}`;
      const inputs = Array.from({ length: 6 }, (_, i) => `${r.inputs[0]}/${String(i + 1).padStart(4, '0')}.png`);
      let done = 0;
      const t = setInterval(() => {
        const input = inputs[done] as string;
        done++;
        const base =
          input
            .split('/')
            .pop()
            ?.replace(/\.\w+$/, '') ?? 'x';
        const name = r.naming.replace('{name}', base).replace('{index}', String(done));
        emit('job', {
          type: 'item',
          jobId,
          done,
          total: inputs.length,
          input,
          output: `${outDir}/translated-${name}.${r.format === 'jpeg' ? 'jpg' : r.format}`,
          etaSeconds: (inputs.length - done) * 0.1,
        });
        if (done === inputs.length) {
          clearInterval(t);
          emit('job', { type: 'done', jobId, done, total: inputs.length });
        }
      }, 100);
      timers.set(jobId, t);
      return { jobId, outDir };
    },
    cancelTranslate: (r) => {
      clearInterval(timers.get(r.jobId));
      emit('job', { type: 'cancelled', jobId: r.jobId, done: 0, total: 6 });
      return { ok: true };
    },
    listModels: () => [...models],
    getModelLibrary: () => ({ models: [...models], problems: [] }),
    getModel: (r) => ({ card: { ...modelOf(r.modelId) }, directions: ['AtoB', 'BtoA'] }),
    renameModel: (r) => {
      const m = modelOf(r.modelId);
      m.name = r.name;
      return { ...m };
    },
    saveModelFromRun: (r) => {
      const run = runOf(r.runId);
      const c = card(run, projectOf(r.projectId ?? run.projectId));
      if (r.name) c.name = r.name;
      models.push(c);
      return c;
    },
    deleteModel: (r) => {
      models.splice(models.indexOf(modelOf(r.modelId)), 1);
      return { ok: true };
    },
    exportModel: (r) => ({ path: `${r.destination ?? '/home/me/Duet/exports'}/${r.modelId}` }),
    importModel: (r) => {
      throw new DuetError('failed', `${r.source} is not a Duet model folder: card.json is missing.`);
    },
    evalModel: (r) => {
      modelOf(r.modelId);
      const both = r.direction === 'both';
      const metricsOf = (pixelAccuracy: number) => ({ count: 12, rmse: 31.2, pixelAccuracy, psnr: 18.3, l1: 0.11 });
      return {
        modelId: r.modelId,
        directions: {
          ...(both || r.direction === 'AtoB' ? { AtoB: metricsOf(0.41) } : {}),
          ...(both || r.direction === 'BtoA' ? { BtoA: metricsOf(0.12) } : {}),
        },
      };
    },
    ...overrides,
  };

  if (options.seeded) {
    const p = handlers.createSampleProject({});
    const history = options.historyPoints ?? 1200;
    const run = newRun(p.id, {
      model: 'pix2pix',
      size: 32,
      sampleEvery: 500,
      checkpointEvery: 2000,
      generator: 'tiny',
    });
    run.totalIterations = Math.max(history, 1);
    const rows = metrics.get(run.id) as MetricsRow[];
    for (let i = 1; i <= history; i++) {
      rows.push({
        iteration: i,
        epoch: Math.floor(i / 12) + 1,
        losses: lossesAt(i, 'pix2pix'),
        lr: 2e-4,
        itPerSec: 8.3,
      });
      if (i % run.settings.sampleEvery === 0) run.samples.push({ iteration: i, path: `samples/${i}.png` });
      if (i % run.settings.checkpointEvery === 0)
        run.checkpoints.push({ iteration: i, path: `checkpoints/${i}`, createdAt: now() });
    }
    run.iteration = history;
    run.state = 'stopped';
    models.push(card(run, p));
  }

  function answer<K extends DuetOperationName>(name: K, request?: unknown): DuetResponse<K> {
    const handler = handlers[name] as (r: DuetParsedRequest<K>) => DuetResponse<K>;
    return handler(parseRequest(name, request));
  }

  /** One operation as the window sees it: a checked request, a checked answer, a little latency. */
  async function call<K extends DuetOperationName>(name: K, request?: unknown): Promise<DuetResponse<K>> {
    calls.push({ name, request });
    await new Promise((r) => setTimeout(r, 5));
    const raw = answer(name, request);
    try {
      // A fresh copy, as from a transport: zod builds new objects and arrays as it parses.
      return parseResponse(name, raw);
    } catch (err) {
      breaches.push((err as Error).message);
      throw err;
    }
  }

  const ops = {} as Record<DuetOperationName, (request?: unknown) => Promise<unknown>>;
  for (const name of OPERATION_NAMES) ops[name] = (request?: unknown) => call(name, request);

  let drawn: ReturnType<typeof pictures> | undefined;
  const api: DuetApi = {
    ...(ops as unknown as DuetOperationsApi),
    transport: 'serve',
    onRunEvent: (listener, runId): Unsubscribe => {
      const f = (e: DuetEventPayload<'run'>) => {
        if (!runId || e.runId === runId) listener(e);
      };
      listeners.run.add(f);
      return () => listeners.run.delete(f);
    },
    onJobEvent: (listener, jobId): Unsubscribe => {
      const f = (e: DuetEventPayload<'job'>) => {
        if (!jobId || e.jobId === jobId) listener(e);
      };
      listeners.job.add(f);
      return () => listeners.job.delete(f);
    },
    onEngineStatus: (listener): Unsubscribe => {
      listeners.engine.add(listener);
      return () => listeners.engine.delete(listener);
    },
    mediaUrl: (path) => {
      drawn ??= pictures();
      return /samples\//.test(path) ? drawn.sampleGrid(path) : drawn.picture(path);
    },
    downloadUrl: () => null,
    getPathForFile: () => null,
    uploadDroppedFiles: async (files: Array<{ file: FileLike; relativePath: string }>, label: string) => {
      uploads.push({ label, files: files.map((f) => f.relativePath) });
      const answered = await call('uploadFiles', {
        label,
        files: files.map((f) => ({ relativePath: f.relativePath, base64: '' })),
      });
      return answered;
    },
  };

  return {
    api,
    answer,
    calls,
    uploads,
    pushed,
    breaches,
    push: emit,
    dispose: () => {
      for (const t of timers.values()) clearInterval(t);
    },
  };
}

/** What the specs read back from the page. */
export interface FakeDuetWindow {
  duet: DuetApi;
  __duetCalls: FakeDuet['calls'];
  __duetUploads: FakeDuet['uploads'];
  __duetBreaches: string[];
}

/** Installs the fake as `window.duet` (run in the page, before the window's own scripts). */
export function installFakeDuet(options: FakeDuetOptions): void {
  const fake = createFakeDuet(options);
  const w = window as unknown as FakeDuetWindow;
  w.duet = fake.api;
  w.__duetCalls = fake.calls;
  w.__duetUploads = fake.uploads;
  w.__duetBreaches = fake.breaches;
}
