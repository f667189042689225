/**
 * The small files of a run — config.json, status.json, metrics.jsonl, run.lock — and the summaries the
 * window lists, read back from them. The training loop lives in run.ts; this is its disk.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  BackendReportSchema,
  type CheckpointInfo,
  isRunLive,
  type RunState,
  RunStateSchema,
  type RunSummary,
  TrainingSettingsSchema,
} from '#contract';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-files.js';
import { listCheckpoints } from './checkpoints.js';
import { parseCheckpointName, projectsDir, runPaths, runsDir, slugify } from './layout.js';

// ---------------------------------------------------------------------------------------------------
// config.json: written once when a run starts; everything needed to resume it.

export const RunConfigSchema = z.object({
  format: z.literal('duet-run'),
  version: z.literal(1),
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  createdAt: z.string(),
  settings: TrainingSettingsSchema,
  seed: z.number().int(),
  backend: BackendReportSchema,
  data: z.object({ a: z.string(), b: z.string().nullable() }),
  /** Facts about the data when the run started (an epoch's length decides the schedule). */
  dataset: z.object({
    sampling: z.enum(['paired', 'unpaired']),
    samplesPerEpoch: z.number().int(),
    batchesPerEpoch: z.number().int(),
  }),
  totalIterations: z.number().int().positive(),
  duet: z.string().optional(),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

export async function readRunConfig(root: string): Promise<RunConfig> {
  const file = runPaths(root).config;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${root} is not a Duet run: it has no config.json`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`The run's config.json is damaged (not valid JSON): ${file}`);
  }
  const parsed = RunConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `The run's config.json is not valid (${issue?.path.join('.') || 'root'}: ${issue?.message}): ${file}`,
    );
  }
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------
// status.json: the last known state, rewritten atomically at each state change and checkpoint.

export const RunStatusSchema = z.object({
  state: RunStateSchema,
  iteration: z.number().int(),
  totalIterations: z.number().int(),
  trainingSeconds: z.number().optional(),
  pid: z.number().int(),
  updatedAt: z.string(),
  message: z.string().optional(),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;

export async function writeRunStatus(root: string, status: Omit<RunStatus, 'pid' | 'updatedAt'>): Promise<void> {
  await writeJsonAtomic(
    path.join(root, 'status.json'),
    {
      ...status,
      pid: process.pid,
      updatedAt: new Date().toISOString(),
    },
    { durable: true },
  );
}

export async function readRunStatus(root: string): Promise<RunStatus | undefined> {
  try {
    const parsed = RunStatusSchema.safeParse(JSON.parse(await fs.readFile(path.join(root, 'status.json'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------
// run.lock: one process trains a run at a time.

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs this process trains now (a lock file alone cannot tell two runs of one process apart). */
const heldHere = new Set<string>();

export class RunBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunBusyError';
  }
}

/** Take the run's lock, or say who holds it. A lock left by a dead process is taken over. */
export async function acquireRunLock(root: string): Promise<() => Promise<void>> {
  const file = runPaths(root).lock;
  const key = path.resolve(root);
  if (heldHere.has(key)) throw new RunBusyError(`This run is already training in this process (${root})`);
  const body = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, body, { flag: 'wx' });
      heldHere.add(key);
      return async () => {
        heldHere.delete(key);
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readLock(file);
      if (holder && holder.host === os.hostname() && holder.pid !== process.pid && processAlive(holder.pid)) {
        throw new RunBusyError(`This run is already training in process ${holder.pid} (lock: ${file})`);
      }
      // Stale: the process that held it has gone (a crash). Take it over.
      await fs.rm(file, { force: true });
    }
  }
  throw new RunBusyError(`Could not take the run's lock ${file}`);
}

async function readLock(file: string): Promise<{ pid: number; host: string } | undefined> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as { pid?: unknown; host?: unknown };
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a live process holds the run's lock. */
export async function isRunLocked(root: string): Promise<boolean> {
  if (heldHere.has(path.resolve(root))) return true;
  const holder = await readLock(runPaths(root).lock);
  return !!holder && holder.host === os.hostname() && processAlive(holder.pid);
}

// ---------------------------------------------------------------------------------------------------
// metrics.jsonl: one line per iteration, the same numbers as the progress events.

export interface MetricsLine {
  iteration: number;
  epoch: number;
  losses: Record<string, number>;
  lr: number;
  itPerSec: number;
  etaSeconds: number | null;
  dataWaitShare?: number;
  /** Seconds spent training up to this iteration (paused time not counted). */
  trainingSeconds?: number;
  time: string;
}

/** Parse metrics.jsonl, skipping a line cut short by a crash. */
export function parseMetrics(text: string): MetricsLine[] {
  const rows: MetricsLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const row = JSON.parse(line) as MetricsLine;
      if (typeof row.iteration === 'number' && row.losses && typeof row.losses === 'object') rows.push(row);
    } catch {
      // A torn last line from a crash: the run resumes before it anyway.
    }
  }
  return rows;
}

export async function readMetrics(root: string, sinceIteration = 0): Promise<MetricsLine[]> {
  let text: string;
  try {
    text = await fs.readFile(runPaths(root).metrics, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseMetrics(text).filter((r) => r.iteration > sinceIteration);
}

/**
 * Keep only lines up to `iteration` (a resume from that checkpoint retrains what came after, and would
 * otherwise log those iterations twice). Rewritten atomically.
 */
export async function truncateMetrics(root: string, iteration: number): Promise<void> {
  const file = runPaths(root).metrics;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const kept = parseMetrics(text).filter((r) => r.iteration <= iteration);
  await writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''), { durable: true });
}

/** Appends metrics lines in batches, so a fast run does not write once per iteration. */
export class MetricsWriter {
  private pending: string[] = [];
  private lastFlush = 0;
  private handle: fs.FileHandle | undefined;

  constructor(
    private readonly file: string,
    private readonly intervalMs = 1000,
  ) {}

  async open(): Promise<void> {
    this.handle = await fs.open(this.file, 'a');
  }

  async add(line: MetricsLine, now = Date.now()): Promise<void> {
    this.pending.push(`${JSON.stringify(line)}\n`);
    if (now - this.lastFlush >= this.intervalMs) await this.flush(now);
  }

  async flush(now = Date.now()): Promise<void> {
    this.lastFlush = now;
    if (!this.handle || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await this.handle.appendFile(text);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
      await this.handle?.sync();
    } finally {
      await this.handle?.close();
      this.handle = undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Projects and summaries

/** A project id from the data folders: `/data/maps/trainA` + `/data/maps/trainB` → "maps". */
export function defaultProjectId(dataA: string, dataB?: string | null): string {
  const generic = /^(train|val|test|testA|testB|trainA|trainB|a|b|images?|data)$/i;
  let base = path.resolve(dataA);
  if (dataB) {
    const other = path.resolve(dataB);
    const common = path.dirname(base) === path.dirname(other) ? path.dirname(base) : base;
    base = common;
  } else if (generic.test(path.basename(base))) {
    base = path.dirname(base);
  }
  return slugify(path.basename(base), 'project');
}

/**
 * The state a run is in as seen from outside: what status.json says, except that a run that says it is
 * training but whose process has gone was interrupted (reported as 'failed', resumable).
 */
export async function effectiveState(root: string, status: RunStatus | undefined): Promise<RunState> {
  if (!status) return 'stopped';
  const active = isRunLive(status.state);
  if (active && !(await isRunLocked(root))) return 'failed';
  return status.state;
}

export async function listSamples(root: string): Promise<{ iteration: number; path: string }[]> {
  let names: string[];
  try {
    names = await fs.readdir(runPaths(root).samples);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ n, it: parseCheckpointName(n.replace(/\.png$/, '')) }))
    .filter((x) => x.n.endsWith('.png') && x.it !== undefined)
    .map((x) => ({ iteration: x.it!, path: path.join(runPaths(root).samples, x.n) }))
    .sort((a, b) => a.iteration - b.iteration);
}

/** A run's summary from its files. Paths are absolute unless `workspace` is given (then relative to it). */
export async function readRunSummary(root: string, workspace?: string): Promise<RunSummary> {
  const config = await readRunConfig(root);
  const status = await readRunStatus(root);
  const rel = (p: string) => (workspace ? path.relative(workspace, p).split(path.sep).join('/') : p);
  const checkpoints: CheckpointInfo[] = (await listCheckpoints(root)).map((c) => ({ ...c, path: rel(c.path) }));
  const samples = (await listSamples(root)).map((s) => ({ ...s, path: rel(s.path) }));
  const lastCheckpoint = checkpoints.at(-1)?.iteration ?? 0;
  return {
    id: config.id,
    projectId: config.projectId,
    name: config.name,
    state: await effectiveState(root, status),
    iteration: Math.max(status?.iteration ?? 0, lastCheckpoint),
    totalIterations: config.totalIterations,
    ...(status?.trainingSeconds !== undefined ? { trainingSeconds: status.trainingSeconds } : {}),
    settings: config.settings,
    backend: config.backend.candidate,
    createdAt: config.createdAt,
    checkpoints,
    samples,
  };
}

/** Every run of a project, newest first; a damaged run folder is skipped. */
export async function listRuns(workspace: string, projectId: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await fs.readdir(runsDir(workspace, projectId));
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const name of names.sort().reverse()) {
    try {
      out.push(await readRunSummary(path.join(runsDir(workspace, projectId), name), workspace));
    } catch {
      // Not a run (or its config is damaged): left out of the list.
    }
  }
  return out;
}

/**
 * Find a run's folder from what a user typed: a path to the folder, a run id, or `project/run`.
 * Throws with the candidates when the id is ambiguous.
 */
export async function findRunDir(workspace: string, ref: string): Promise<string> {
  const asPath = path.resolve(ref);
  try {
    await fs.access(runPaths(asPath).config);
    return asPath;
  } catch {
    // not a folder path
  }
  const [maybeProject, maybeRun] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  let projects: string[];
  try {
    projects = maybeProject ? [maybeProject] : await fs.readdir(projectsDir(workspace));
  } catch {
    projects = [];
  }
  const matches: string[] = [];
  for (const p of projects) {
    let runs: string[];
    try {
      runs = await fs.readdir(runsDir(workspace, p));
    } catch {
      continue;
    }
    for (const r of runs)
      if (r === maybeRun || (maybeRun && r.endsWith(`-${maybeRun}`))) matches.push(path.join(runsDir(workspace, p), r));
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new Error(`"${ref}" matches several runs: ${matches.map((m) => path.relative(workspace, m)).join(', ')}`);
  }
  throw new Error(`No run "${ref}" in ${projectsDir(workspace)} (give the run's folder, its id, or project/run)`);
}
