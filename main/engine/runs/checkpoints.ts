/**
 * Checkpoints on disk: written whole or not at all, verified before they are trusted.
 *
 * A checkpoint is a folder of files plus `manifest.json` listing each file's size and SHA-256. It is
 * written into a temporary folder (`checkpoints/.tmp-…`), every file and the folder are fsynced, then the
 * folder is renamed to its iteration number and the parent is fsynced. A crash at any point leaves either
 * the previous checkpoints alone or a temp folder, which is never loaded and is removed at the next start.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointInfo } from '#contract';
import { syncDir, writeFileDurably } from '../atomic-files.js';
import {
  checkpointDir,
  isTempCheckpointName,
  padIteration,
  parseCheckpointName,
  runPaths,
  tempCheckpointDir,
} from './layout.js';

export const MANIFEST_NAME = 'manifest.json';
export const CHECKPOINT_FORMAT = 'duet-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointFile {
  /** Plain file name inside the checkpoint folder (no folders). */
  name: string;
  data: Uint8Array;
}

export interface ManifestEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  iteration: number;
  createdAt: string;
  files: ManifestEntry[];
  /** Small JSON facts saved with the checkpoint (settings hash, epoch, ...). */
  meta: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  files: Map<string, Buffer>;
}

/** File-system calls a checkpoint write makes; tests swap one to simulate a full or read-only disk. */
export interface CheckpointIo {
  writeFile(file: string, data: Uint8Array): Promise<void>;
}

/** Each file is written and fsynced before the folder is renamed into place. */
export const DEFAULT_CHECKPOINT_IO: CheckpointIo = { writeFile: writeFileDurably };

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const DISK_REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the workspace is on a read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

export class CheckpointWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly iteration: number,
  ) {
    super(message);
    this.name = 'CheckpointWriteError';
  }
}

export class CheckpointCorruptError extends Error {
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
    this.name = 'CheckpointCorruptError';
  }
}

function checkFileName(name: string): void {
  if (name === MANIFEST_NAME || name !== path.basename(name) || name.startsWith('.') || name.length === 0) {
    throw new Error(`Invalid checkpoint file name "${name}"`);
  }
}

/**
 * Write one checkpoint atomically and keep only the newest `keep`. On a disk error the temp folder is
 * removed, older checkpoints are left as they were, and the error says what happened and what survives.
 */
export async function writeCheckpoint(
  root: string,
  iteration: number,
  files: CheckpointFile[],
  options: { meta?: Record<string, unknown>; keep?: number; io?: CheckpointIo; now?: Date } = {},
): Promise<CheckpointInfo> {
  const io = options.io ?? DEFAULT_CHECKPOINT_IO;
  const { checkpoints } = runPaths(root);
  const finalDir = checkpointDir(root, iteration);
  const tempDir = tempCheckpointDir(root, iteration, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const createdAt = (options.now ?? new Date()).toISOString();
  try {
    for (const f of files) checkFileName(f.name);
    await fs.mkdir(checkpoints, { recursive: true });
    await fs.mkdir(tempDir);
    const entries: ManifestEntry[] = [];
    for (const f of files) {
      await io.writeFile(path.join(tempDir, f.name), f.data);
      entries.push({ name: f.name, bytes: f.data.byteLength, sha256: sha256(f.data) });
    }
    const manifest: CheckpointManifest = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      iteration,
      createdAt,
      files: entries,
      meta: options.meta ?? {},
    };
    // The manifest goes last: a folder with a manifest has all its files.
    await io.writeFile(path.join(tempDir, MANIFEST_NAME), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await syncDir(tempDir);
    if (await exists(finalDir)) {
      // Same iteration written twice (a stop right after a resume): keep the one already there if it is
      // sound, so there is never a moment without it.
      const sound = await verifyCheckpoint(finalDir).then(
        () => true,
        () => false,
      );
      if (sound) {
        await fs.rm(tempDir, { recursive: true, force: true });
        return { iteration, createdAt, path: finalDir };
      }
      await fs.rm(finalDir, { recursive: true, force: true });
    }
    await fs.rename(tempDir, finalDir);
    await syncDir(checkpoints);
  } catch (err) {
    await fs.rm(tempDir, { recursive: true, force: true }).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    const reason = (code && DISK_REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
    const previous = await listCheckpoints(root).catch(() => []);
    const survivor = previous.at(-1);
    throw new CheckpointWriteError(
      `Could not write the checkpoint for iteration ${iteration} in ${checkpoints}: ${reason}${code ? ` (${code})` : ''}. ` +
        (survivor
          ? `The previous checkpoint (iteration ${survivor.iteration}) is intact.`
          : 'No earlier checkpoint exists for this run.') +
        (code === 'ENOSPC' || code === 'EDQUOT' ? ' Free some space or move the workspace, then resume.' : ''),
      code,
      iteration,
    );
  }
  if (options.keep !== undefined) await pruneCheckpoints(root, options.keep);
  return { iteration, createdAt, path: finalDir };
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function readManifest(dir: string): Promise<CheckpointManifest> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST_NAME), 'utf8');
  } catch (err) {
    throw new CheckpointCorruptError(`Checkpoint ${dir} has no readable manifest: ${(err as Error).message}`, dir);
  }
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(text) as CheckpointManifest;
  } catch {
    throw new CheckpointCorruptError(`Checkpoint ${dir} has a damaged manifest (not valid JSON)`, dir);
  }
  if (manifest?.format !== CHECKPOINT_FORMAT || !Array.isArray(manifest.files)) {
    throw new CheckpointCorruptError(`Checkpoint ${dir} has a manifest Duet does not recognise`, dir);
  }
  if (manifest.version > CHECKPOINT_VERSION) {
    throw new CheckpointCorruptError(
      `Checkpoint ${dir} was written by a newer Duet (format ${manifest.version}, this one reads ${CHECKPOINT_VERSION})`,
      dir,
    );
  }
  return manifest;
}

/** Read a checkpoint and check every file against its manifest. Throws CheckpointCorruptError. */
export async function verifyCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifest = await readManifest(dir);
  const files = new Map<string, Buffer>();
  for (const entry of manifest.files) {
    checkFileName(entry.name);
    let data: Buffer;
    try {
      data = await fs.readFile(path.join(dir, entry.name));
    } catch {
      throw new CheckpointCorruptError(`Checkpoint ${dir} is missing ${entry.name}`, dir);
    }
    if (data.byteLength !== entry.bytes) {
      throw new CheckpointCorruptError(
        `Checkpoint ${dir}: ${entry.name} has ${data.byteLength} bytes, the manifest says ${entry.bytes}`,
        dir,
      );
    }
    if (sha256(data) !== entry.sha256) {
      throw new CheckpointCorruptError(`Checkpoint ${dir}: ${entry.name} does not match its SHA-256 hash`, dir);
    }
    files.set(entry.name, data);
  }
  return { dir, manifest, files };
}

/** Finished checkpoints of a run, oldest first (temp folders and stray files are not listed). */
export async function listCheckpoints(root: string): Promise<CheckpointInfo[]> {
  const { checkpoints } = runPaths(root);
  let names: string[];
  try {
    names = await fs.readdir(checkpoints);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const infos: CheckpointInfo[] = [];
  for (const name of names) {
    const iteration = parseCheckpointName(name);
    if (iteration === undefined) continue;
    const dir = path.join(checkpoints, name);
    let createdAt: string;
    try {
      createdAt = (await readManifest(dir)).createdAt;
    } catch {
      createdAt = '';
    }
    infos.push({ iteration, createdAt, path: dir });
  }
  return infos.sort((a, b) => a.iteration - b.iteration);
}

/** Remove temp folders left by an interrupted write. Returns what was removed. */
export async function cleanupTempCheckpoints(root: string): Promise<string[]> {
  const { checkpoints } = runPaths(root);
  let names: string[];
  try {
    names = await fs.readdir(checkpoints);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!isTempCheckpointName(name)) continue;
    await fs.rm(path.join(checkpoints, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Keep the newest `keep` checkpoints, remove the rest. */
export async function pruneCheckpoints(root: string, keep: number): Promise<number[]> {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`keepCheckpoints must be at least 1 (got ${keep})`);
  const all = await listCheckpoints(root);
  const doomed = all.slice(0, Math.max(0, all.length - keep));
  for (const c of doomed) await fs.rm(c.path, { recursive: true, force: true });
  if (doomed.length > 0) await syncDir(runPaths(root).checkpoints);
  return doomed.map((c) => c.iteration);
}

export interface FoundCheckpoint extends LoadedCheckpoint {
  /** Newer checkpoints that failed verification, with why (only when the latest was asked for). */
  skipped: { iteration: number; reason: string }[];
}

/**
 * Load a verified checkpoint: the one at `iteration`, or else the newest that passes verification
 * (damaged newer ones are skipped and reported). Throws when none is usable.
 */
export async function loadCheckpoint(root: string, options: { iteration?: number } = {}): Promise<FoundCheckpoint> {
  if (options.iteration !== undefined) {
    const dir = checkpointDir(root, options.iteration);
    if (!(await exists(dir))) {
      const available = (await listCheckpoints(root)).map((c) => c.iteration);
      throw new Error(
        `This run has no checkpoint at iteration ${options.iteration} (${padIteration(options.iteration)}). ` +
          (available.length ? `Available: ${available.join(', ')}.` : 'It has no checkpoints yet.'),
      );
    }
    return { ...(await verifyCheckpoint(dir)), skipped: [] };
  }
  const all = await listCheckpoints(root);
  const skipped: FoundCheckpoint['skipped'] = [];
  for (const c of [...all].reverse()) {
    try {
      return { ...(await verifyCheckpoint(c.path)), skipped };
    } catch (err) {
      skipped.push({ iteration: c.iteration, reason: (err as Error).message });
    }
  }
  throw new Error(
    all.length === 0
      ? `No checkpoint to resume from in ${runPaths(root).checkpoints}`
      : `No usable checkpoint in ${runPaths(root).checkpoints}: ${skipped.map((s) => s.reason).join('; ')}`,
  );
}
