/// <reference lib="dom.iterable" />
/// <reference lib="dom" />
/**
 * A scripted, in-page DuetApi installed as `window.duet` (where the preload bridge would be), so the
 * window's own behaviour — layout, themes, validation, drop handling, a 100,000-point chart — can be
 * tested and photographed without the engine. Runs inside the page: it must be self-contained.
 */
export interface FakeDuetOptions {
  theme?: 'light' | 'dark' | 'system';
  /** Logged iterations the first run already has (for the chart's load test). */
  historyPoints?: number;
  /** Start with the sample project, a finished run and one model. */
  seeded?: boolean;
  /** Milliseconds between simulated training iterations. */
  tickMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: a loose fake of the typed API, checked by the specs
type Any = any;

export function installFakeDuet(options: FakeDuetOptions): void {
  const w = window as Any;
  const now = () => new Date().toISOString();
  const listeners: Record<string, Set<(e: Any) => void>> = { run: new Set(), job: new Set(), engine: new Set() };
  const emit = (kind: string, e: Any) => {
    for (const l of listeners[kind] ?? []) l(e);
  };
  const log: Any[] = [];
  w.__duetCalls = log;
  w.__duetUploads = [];

  const settings: Any = {
    backend: 'auto',
    theme: options.theme ?? 'system',
    recentProjects: [],
    workspace: '/home/me/Duet',
  };
  const projects: Any[] = [];
  const runs = new Map<string, Any>();
  const metrics = new Map<string, Any[]>();
  const timers = new Map<string, number>();
  const models: Any[] = [];
  let seq = 1;
  const id = (p: string) => `${p}${seq++}`;

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

  function scanDomain(root: string): Any {
    if (/missing/.test(root)) throw Object.assign(new Error(`Folder not found: ${root}`), { code: 'not-found' });
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

  const PRESETS = [
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

  function summary(run: Any): Any {
    return { ...run, checkpoints: [...run.checkpoints], samples: [...run.samples] };
  }

  function tick(run: Any): void {
    if (run.state !== 'running') return;
    run.iteration++;
    const losses = lossesAt(run.iteration, run.settings.model);
    metrics
      .get(run.id)
      ?.push({ iteration: run.iteration, epoch: Math.floor(run.iteration / 12) + 1, losses, lr: 2e-4, itPerSec: 8.3 });
    emit('run', {
      type: 'progress',
      runId: run.id,
      iteration: run.iteration,
      totalIterations: run.totalIterations,
      epoch: Math.floor(run.iteration / 12) + 1,
      losses,
      lr: 2e-4,
      itPerSec: 8.3,
      etaSeconds: (run.totalIterations - run.iteration) / 8.3,
    });
    if (run.iteration % run.settings.sampleEvery === 0) {
      const s = {
        iteration: run.iteration,
        path: `projects/${run.projectId}/runs/${run.id}/samples/${run.iteration}.png`,
      };
      run.samples.push(s);
      emit('run', { type: 'sample', runId: run.id, ...s });
    }
    if (run.iteration % run.settings.checkpointEvery === 0 || run.iteration >= run.totalIterations) {
      const c = { iteration: run.iteration, path: `checkpoints/${run.iteration}`, createdAt: now() };
      run.checkpoints.push(c);
      emit('run', { type: 'checkpoint', runId: run.id, iteration: c.iteration, path: c.path });
    }
    if (run.iteration >= run.totalIterations) {
      run.state = 'finished';
      clearInterval(timers.get(run.id));
      emit('run', { type: 'state', runId: run.id, state: 'finished', message: 'Finished.' });
    }
  }

  function startTimer(run: Any): void {
    clearInterval(timers.get(run.id));
    timers.set(
      run.id,
      window.setInterval(() => tick(run), options.tickMs ?? 120),
    );
  }

  function newRun(projectId: string, settings: Any, iteration = 0): Any {
    const run = {
      id: id('run-'),
      projectId,
      name: `Run ${runs.size + 1}`,
      state: 'running',
      iteration,
      totalIterations: settings.iterations ?? 40,
      settings,
      backend: 'wasm',
      createdAt: now(),
      checkpoints: [] as Any[],
      samples: [] as Any[],
    };
    runs.set(run.id, run);
    metrics.set(run.id, []);
    return run;
  }

  function card(run: Any, project: Any): Any {
    return {
      id: id('model-'),
      name: `${project.name} · ${run.iteration} it`,
      model: run.settings.model,
      architecture: { generator: run.settings.generator ?? 'tiny', discriminator: 'tiny', norm: 'instance' },
      directions: { A: 'aerial', B: 'map' },
      data: { countA: 36, countB: 36, pairing: 'paired-names' },
      iterations: run.iteration,
      settings: { size: 32, ...run.settings },
      backend: 'wasm',
      createdAt: now(),
      metrics: {
        AtoB: { rmse: 31.2, pixelAccuracy: 0.41, psnr: 18.3 },
        BtoA: { rmse: 44.9, pixelAccuracy: 0.12, psnr: 15.1 },
      },
      source: { projectId: project.id, runId: run.id },
    };
  }

  const ops: Record<string, (r: Any) => Any> = {
    getSystemInfo: () => ({
      duet: '0.1.0',
      node: '20.19.0',
      electron: null,
      platform: 'linux',
      workspace: settings.workspace,
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
    setSettings: (p) => Object.assign(settings, p) && { ...settings },
    chooseFolder: () => ({ path: null }),
    listProjects: () => projects.map((p) => ({ ...p })),
    createProject: (r) => {
      const p = {
        id: id('p-'),
        name: r.name,
        createdAt: now(),
        domainA: r.domainA ?? null,
        domainB: r.domainB ?? null,
        model: r.model ?? 'cyclegan',
        settings: {},
        sample: false,
      };
      projects.push(p);
      return { ...p };
    },
    createSampleProject: () => {
      const p = {
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
      const p = projects.find((x) => x.id === r.projectId);
      if (!p) throw Object.assign(new Error(`No project ${r.projectId}`), { code: 'not-found' });
      return { project: { ...p }, runs: [...runs.values()].filter((x) => x.projectId === p.id).map(summary) };
    },
    updateProject: (r) => {
      const p = projects.find((x) => x.id === r.projectId);
      const { projectId: _, ...patch } = r;
      Object.assign(p, patch);
      return { ...p };
    },
    deleteProject: (r) => {
      projects.splice(
        projects.findIndex((x) => x.id === r.projectId),
        1,
      );
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
    uploadFiles: (r) => ({
      uploadId: r.uploadId ?? id('up-'),
      folder: `/home/me/Duet/uploads/${r.uploadId ?? 'u'}`,
      written: r.files.length,
    }),
    listPresets: () => PRESETS,
    startRun: (r) => {
      const p = projects.find((x) => x.id === r.projectId);
      const preset = PRESETS.find((x) => x.name === r.preset)?.settings ?? {};
      const run = newRun(r.projectId, {
        sampleEvery: 100,
        checkpointEvery: 500,
        model: p.model,
        ...preset,
        ...r.settings,
      });
      startTimer(run);
      return summary(run);
    },
    pauseRun: (r) => {
      const run = runs.get(r.runId);
      run.state = 'paused';
      emit('run', { type: 'state', runId: run.id, state: 'paused' });
      return summary(run);
    },
    resumeRun: (r) => {
      const run = runs.get(r.runId);
      run.state = 'running';
      emit('run', { type: 'state', runId: run.id, state: 'running' });
      return summary(run);
    },
    stopRun: (r) => {
      const run = runs.get(r.runId);
      run.state = 'stopped';
      clearInterval(timers.get(run.id));
      const c = { iteration: run.iteration, path: `checkpoints/${run.iteration}`, createdAt: now() };
      if (!run.checkpoints.some((x: Any) => x.iteration === c.iteration)) run.checkpoints.push(c);
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
    getRun: (r) => summary(runs.get(r.runId)),
    getRunMetrics: (r) => ({ rows: metrics.get(r.runId) ?? [] }),
    listCheckpoints: (r) => runs.get(r.runId).checkpoints,
    resumeRunFrom: (r) => {
      const old = runs.get(r.runId);
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
      const t = window.setInterval(() => {
        const input = inputs[done] as string;
        done++;
        const name = r.naming
          .replace(
            '{name}',
            input
              .split('/')
              .pop()
              ?.replace(/\.\w+$/, '') ?? 'x',
          )
          .replace('{index}', String(done));
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
    listModels: () => models,
    saveModelFromRun: (r) => {
      const c = card(
        runs.get(r.runId),
        projects.find((x) => x.id === r.projectId),
      );
      models.push(c);
      return c;
    },
    deleteModel: (r) => {
      models.splice(
        models.findIndex((m) => m.id === r.modelId),
        1,
      );
      return { ok: true };
    },
    exportModel: (r) => ({ path: `${r.destination ?? '/home/me/Duet/exports'}/${r.modelId}` }),
    importModel: (r) => {
      throw Object.assign(new Error(`${r.source} is not a Duet model folder: card.json is missing.`), {
        code: 'failed',
      });
    },
  };

  if (options.seeded) {
    const p = ops.createSampleProject?.({});
    const run = newRun(
      p.id,
      { model: 'pix2pix', size: 32, sampleEvery: 500, checkpointEvery: 2000, generator: 'tiny' },
      0,
    );
    run.totalIterations = Math.max(options.historyPoints ?? 1200, 1);
    const rows = metrics.get(run.id) as Any[];
    for (let i = 1; i <= (options.historyPoints ?? 1200); i++) {
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
    run.iteration = options.historyPoints ?? 1200;
    run.state = 'stopped';
    models.push(card(run, p));
  }

  const api: Any = {
    transport: 'serve',
    onRunEvent: (l: Any, runId?: string) => {
      const f = (e: Any) => (!runId || e.runId === runId) && l(e);
      listeners.run?.add(f);
      return () => listeners.run?.delete(f);
    },
    onJobEvent: (l: Any, jobId?: string) => {
      const f = (e: Any) => (!jobId || e.jobId === jobId) && l(e);
      listeners.job?.add(f);
      return () => listeners.job?.delete(f);
    },
    onEngineStatus: (l: Any) => {
      listeners.engine?.add(l);
      return () => listeners.engine?.delete(l);
    },
    mediaUrl: (path: string) => (/samples\//.test(path) ? sampleGrid(path) : picture(path)),
    getPathForFile: () => null,
    uploadDroppedFiles: async (files: Any[], label: string) => {
      w.__duetUploads.push({ label, files: files.map((f: Any) => f.relativePath) });
      return { uploadId: 'up', folder: '/home/me/Duet/uploads/up', written: files.length };
    },
  };
  for (const [name, fn] of Object.entries(ops)) {
    api[name] = async (request: Any) => {
      log.push({ name, request });
      await new Promise((r) => setTimeout(r, 5));
      return structuredClone(fn(request ?? {}));
    };
  }
  w.duet = api;
}
