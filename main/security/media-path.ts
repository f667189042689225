/**
 * Checklist: serve local images through a path-checked handler, never file:// (DESIGN.md §6).
 *
 * Resolves a path the page asked to see to a real file under an allowed root — the workspace or a
 * folder the user chose (picked in a dialog, dropped, the domain of a project they opened) — or refuses it. Refused:
 * `..` segments, absolute paths outside every root, symlinks whose target leaves the roots, anything
 * that is not a regular image file.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { forbiddenRootReason } from './media-roots.js';

export class MediaAccessError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404,
  ) {
    super(message);
    this.name = 'MediaAccessError';
  }
}

export const MEDIA_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** The folders media may come from. The workspace is always one; user-chosen folders are added. */
export class MediaRoots {
  private readonly roots = new Set<string>();
  private current: string;

  constructor(workspace: string) {
    this.current = path.resolve(workspace);
    this.roots.add(this.current);
  }
  /** Relative media paths resolve against the workspace. */
  get workspace(): string {
    return this.current;
  }
  /** The user moved the workspace: the old one stops being served. */
  setWorkspace(workspace: string): void {
    this.roots.delete(this.current);
    this.current = path.resolve(workspace);
    this.roots.add(this.current);
  }
  /**
   * Serve a folder the user chose (dialog, drop, an opened project). Refused, with a line on stderr,
   * for folders that may never be roots (main/security/media-roots.ts). Returns whether it was added.
   */
  add(folder: string | null | undefined): boolean {
    if (!folder) return false;
    const why = forbiddenRootReason(folder);
    if (why) {
      process.stderr.write(`duet: not showing images from ${folder}: ${why}\n`);
      return false;
    }
    this.roots.add(path.resolve(folder));
    return true;
  }
  list(): string[] {
    return [...this.roots];
  }
}

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The real path of the requested file, or MediaAccessError. Relative requests are workspace-relative
 * (samples, translations: what events carry).
 */
export async function resolveMediaPath(requested: string, roots: MediaRoots): Promise<string> {
  if (!requested || requested.includes('\0')) throw new MediaAccessError('Empty or malformed media path.', 400);
  const unified = requested.replace(/\\/g, '/');
  if (unified.split('/').includes('..'))
    throw new MediaAccessError(`Media paths may not contain "..": ${requested}`, 403);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(requested))
    throw new MediaAccessError('Media paths are file paths, not URLs.', 400);

  const absolute = path.isAbsolute(requested) ? path.resolve(requested) : path.resolve(roots.workspace, requested);
  const allowed = roots.list();
  if (!allowed.some((r) => inside(r, absolute))) {
    throw new MediaAccessError('That file is outside the workspace and the folders you chose.', 403);
  }
  const ext = path.extname(absolute).toLowerCase();
  if (!MEDIA_TYPES[ext]) throw new MediaAccessError(`Not an image Duet shows: ${path.basename(absolute)}`, 403);

  let real: string;
  try {
    real = await realpath(absolute);
  } catch {
    throw new MediaAccessError(`No such file: ${requested}`, 404);
  }
  // Compare real paths on both sides: a root may itself sit behind a symlink (macOS /tmp → /private/tmp).
  const realRoots = await Promise.all(allowed.map((r) => realpath(r).catch(() => r)));
  if (!realRoots.some((r) => inside(r, real))) {
    throw new MediaAccessError('That file links outside the workspace and the folders you chose.', 403);
  }
  const st = await stat(real);
  if (!st.isFile()) throw new MediaAccessError(`Not a file: ${requested}`, 404);
  return real;
}
