/**
 * Recursive listing of a user's folder: follows symlinks but never twice into the same folder (loops),
 * never lists the same file twice (links), leaves out hidden and system files, never throws.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SkippedFile } from '#contract';

export interface WalkedFile {
  path: string;
  /** Relative to the walked root, with '/' separators. */
  relative: string;
  size: number;
  /** When its contents were last written, and when the file itself last changed (renamed, replaced, chmod). */
  mtimeMs: number;
  ctimeMs: number;
}

export interface WalkResult {
  files: WalkedFile[];
  skipped: SkippedFile[];
  /** Hidden and system entries left out without a word (dotfiles, Thumbs.db, __MACOSX, ...). */
  ignored: number;
}

/** Deeper than this is a pathological tree, not a dataset. */
export const MAX_DEPTH = 64;

const SYSTEM_NAMES = new Set([
  'thumbs.db',
  'ehthumbs.db',
  'ehthumbs_vista.db',
  'desktop.ini',
  '__macosx',
  '$recycle.bin',
  'system volume information',
  'icon\r',
]);

/** Dotfiles (including macOS `._name` resource forks) and the files operating systems leave behind. */
export function isHiddenOrSystem(name: string): boolean {
  return name.startsWith('.') || SYSTEM_NAMES.has(name.toLowerCase());
}

/** A file-system error in words a user understands. */
export function errnoReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'disappeared while scanning';
  if (code === 'ELOOP') return 'symlink loop';
  return (err as Error)?.message ?? String(err);
}

/** Code-point order: the same on every machine and locale, so scans and seeded runs repeat exactly. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function walkFolder(root: string): Promise<WalkResult> {
  const result: WalkResult = { files: [], skipped: [], ignored: 0 };
  const seenDirs = new Map<string, string>(); // dev:ino → relative path first seen at
  const seenFiles = new Map<string, string>();
  const rel = (p: string) => relative(root, p).split('\\').join('/') || '.';

  const rootStat = await stat(root).catch((err) => err as Error);
  if (rootStat instanceof Error) {
    const missing = (rootStat as NodeJS.ErrnoException).code === 'ENOENT';
    result.skipped.push({
      path: root,
      reason: missing ? 'folder not found' : `cannot read folder: ${errnoReason(rootStat)}`,
    });
    return result;
  }
  if (!rootStat.isDirectory()) {
    result.skipped.push({ path: root, reason: 'not a folder' });
    return result;
  }
  seenDirs.set(`${rootStat.dev}:${rootStat.ino}`, '.');

  async function visit(dir: string, depth: number): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort(compareNames);
    } catch (err) {
      result.skipped.push({ path: dir, reason: `cannot read folder: ${errnoReason(err)}` });
      return;
    }
    for (const name of names) {
      if (isHiddenOrSystem(name)) {
        result.ignored++;
        continue;
      }
      const path = join(dir, name);
      let info: Awaited<ReturnType<typeof stat>>;
      try {
        const link = await lstat(path);
        info = link.isSymbolicLink() ? await stat(path) : link;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException)?.code;
        const reason = code === 'ENOENT' ? 'broken symlink' : `cannot read: ${errnoReason(err)}`;
        result.skipped.push({ path, reason });
        continue;
      }
      const id = `${info.dev}:${info.ino}`;
      if (info.isDirectory()) {
        const first = seenDirs.get(id);
        if (first !== undefined) {
          result.skipped.push({ path, reason: `symlink loop: folder already scanned as ${first}` });
          continue;
        }
        if (depth >= MAX_DEPTH) {
          result.skipped.push({ path, reason: `folder nested deeper than ${MAX_DEPTH} levels` });
          continue;
        }
        seenDirs.set(id, rel(path));
        await visit(path, depth + 1);
      } else if (info.isFile()) {
        const first = seenFiles.get(id);
        if (first !== undefined) {
          result.skipped.push({ path, reason: `same file as ${first} (linked)` });
          continue;
        }
        seenFiles.set(id, rel(path));
        result.files.push({ path, relative: rel(path), size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs });
      } else {
        result.skipped.push({ path, reason: 'not a regular file' });
      }
    }
  }

  await visit(root, 0);
  return result;
}

/**
 * What a folder holds, as a short string that changes when its contents do: a file added, removed,
 * renamed, replaced or written to, or an entry added to or removed from the folder itself (a new
 * sub-folder can change the layout a scan finds). Opens no file: names and stat only, so a repeated look
 * at an unchanged folder costs a listing, not a read of its images.
 */
export async function folderFingerprint(root: string): Promise<string> {
  const [walked, top] = await Promise.all([walkFolder(root), stat(root).catch(() => null)]);
  const hash = createHash('sha256').update(`${top?.mtimeMs}:${top?.ctimeMs}\n`);
  for (const f of walked.files) hash.update(`${f.relative}\0${f.size}:${f.mtimeMs}:${f.ctimeMs}\n`);
  for (const s of walked.skipped) hash.update(`!${s.path}\0${s.reason}\n`);
  return hash.digest('hex');
}
