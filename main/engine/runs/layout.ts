/**
 * Where a run's files live in the workspace (DESIGN.md §3). Pure path arithmetic: nothing here touches
 * the disk, so every other module names files the same way.
 *
 * ```
 * projects/<project>/project.json
 * projects/<project>/runs/<run>/config.json          settings + backend + seed + data folders
 * projects/<project>/runs/<run>/metrics.jsonl        one line per iteration
 * projects/<project>/runs/<run>/samples/<iter>.png   sample grids
 * projects/<project>/runs/<run>/checkpoints/<iter>/  trainer state + manifest.json with SHA-256 hashes
 * projects/<project>/runs/<run>/checkpoints/.tmp-*   a checkpoint being written (never loaded)
 * ```
 */
import path from 'node:path';

/** Iterations are zero-padded in file names so a plain sort lists them in order. */
export const ITERATION_DIGITS = 8;

export function padIteration(iteration: number): string {
  if (!Number.isInteger(iteration) || iteration < 0) throw new Error(`Invalid iteration number: ${iteration}`);
  return String(iteration).padStart(ITERATION_DIGITS, '0');
}

/** A file or folder name made from free text: lower-case letters, digits and dashes, never empty. */
export function slugify(text: string, fallback = 'run'): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug || fallback;
}

/** A time for names that sort by it: `20261123-142501` (UTC). */
export function timeStamp(now: Date = new Date()): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .replace(/\.\d+Z$/, '');
}

/** A run id that sorts by start time: `20261123-142501-horses-to-zebras`. */
export function makeRunId(name: string, now: Date = new Date()): string {
  return `${timeStamp(now)}-${slugify(name)}`;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Project and run ids become folder names: refuse anything that could escape the workspace. */
export function assertSafeId(kind: 'project' | 'run', id: string): void {
  if (!SAFE_ID.test(id) || id.includes('..')) {
    throw new Error(
      `Invalid ${kind} id "${id}": use letters, digits, ".", "_" and "-" only (at most 128 characters, not starting with "." or "-")`,
    );
  }
}

export function projectsDir(workspace: string): string {
  return path.join(workspace, 'projects');
}

export function projectDir(workspace: string, projectId: string): string {
  assertSafeId('project', projectId);
  return path.join(projectsDir(workspace), projectId);
}

export function projectFile(workspace: string, projectId: string): string {
  return path.join(projectDir(workspace, projectId), 'project.json');
}

export function runsDir(workspace: string, projectId: string): string {
  return path.join(projectDir(workspace, projectId), 'runs');
}

export function runDir(workspace: string, projectId: string, runId: string): string {
  assertSafeId('run', runId);
  return path.join(runsDir(workspace, projectId), runId);
}

/** Paths inside one run's folder. */
export interface RunPaths {
  root: string;
  config: string;
  metrics: string;
  samples: string;
  checkpoints: string;
  /** Held while a process trains this run. */
  lock: string;
}

export function runPaths(root: string): RunPaths {
  return {
    root,
    config: path.join(root, 'config.json'),
    metrics: path.join(root, 'metrics.jsonl'),
    samples: path.join(root, 'samples'),
    checkpoints: path.join(root, 'checkpoints'),
    lock: path.join(root, 'run.lock'),
  };
}

export function samplePath(root: string, iteration: number): string {
  return path.join(root, 'samples', `${padIteration(iteration)}.png`);
}

export function checkpointDir(root: string, iteration: number): string {
  return path.join(root, 'checkpoints', padIteration(iteration));
}

export const TEMP_CHECKPOINT_PREFIX = '.tmp-';

export function tempCheckpointDir(root: string, iteration: number, nonce: string): string {
  return path.join(root, 'checkpoints', `${TEMP_CHECKPOINT_PREFIX}${padIteration(iteration)}-${nonce}`);
}

/** The iteration a finished checkpoint folder holds, or undefined for anything else (temp folders included). */
export function parseCheckpointName(name: string): number | undefined {
  if (!/^\d+$/.test(name)) return undefined;
  return Number.parseInt(name, 10);
}

export function isTempCheckpointName(name: string): boolean {
  return name.startsWith(TEMP_CHECKPOINT_PREFIX);
}

/** Workspace-relative path with forward slashes, as events and summaries carry them. */
export function workspaceRelative(workspace: string, target: string): string {
  return path.relative(workspace, target).split(path.sep).join('/');
}
