/**
 * Checklist: serve local files through a path-checked handler (DESIGN.md §6) — downloads.
 *
 * Under `duet serve` a browser user downloads what Duet exported into the workspace's `exports/`
 * folder (model files). Nothing else: no other folder, no `..`, no symlink out, only Duet's own
 * export file types.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MediaAccessError } from './media-path.js';

export const DOWNLOAD_TYPES: Record<string, string> = { '.duetmodel': 'application/octet-stream' };

export async function resolveDownloadPath(requested: string, workspace: string): Promise<string> {
  if (!requested || requested.includes('\0')) throw new MediaAccessError('Empty or malformed download path.', 400);
  if (requested.replace(/\\/g, '/').split('/').includes('..')) {
    throw new MediaAccessError(`Download paths may not contain "..": ${requested}`, 403);
  }
  const exportsDir = path.resolve(workspace, 'exports');
  const absolute = path.resolve(workspace, requested);
  if (path.dirname(absolute) !== exportsDir)
    throw new MediaAccessError('Only files in the workspace’s exports/ download.', 403);
  if (!DOWNLOAD_TYPES[path.extname(absolute).toLowerCase()]) {
    throw new MediaAccessError(`Not a file Duet offers for download: ${path.basename(absolute)}`, 403);
  }
  const real = await realpath(absolute).catch(() => null);
  if (!real) throw new MediaAccessError(`No such file: ${requested}`, 404);
  const realExports = await realpath(exportsDir).catch(() => exportsDir);
  if (path.dirname(real) !== realExports) throw new MediaAccessError('That file links outside exports/.', 403);
  if (!(await stat(real)).isFile()) throw new MediaAccessError(`Not a file: ${requested}`, 404);
  return real;
}
