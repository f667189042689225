/**
 * Checklist: user folders are never written to by surprise — a model export goes into a folder (or to a
 * `.duetmodel` path, as a save dialog gives) and never replaces a file that is not a `.duetmodel`.
 *
 * A page that sends `destination: "~/notes.txt"` gets a clear refusal, not a text file turned into a
 * model; a symlink or a folder named like an export is refused too.
 */
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';

export const EXPORT_EXTENSION = '.duetmodel';

export class ExportTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportTargetError';
  }
}

/**
 * The file an export should write, given the destination a caller named: inside it when it is a folder,
 * itself when it is a `.duetmodel` path whose folder exists. Checked again by `assertExportTarget`.
 */
export async function resolveExportTarget(destination: string, fileName: string): Promise<string> {
  if (!destination || destination.includes('\0')) throw new ExportTargetError('The export destination is empty.');
  const dest = path.resolve(destination);
  const st = await stat(dest).catch(() => null);
  const target = st?.isDirectory() ? path.join(dest, fileName) : dest;
  await assertExportTarget(target);
  return target;
}

/** Throws ExportTargetError unless `target` is a `.duetmodel` path in an existing folder, new or a plain file. */
export async function assertExportTarget(target: string): Promise<void> {
  if (path.extname(target).toLowerCase() !== EXPORT_EXTENSION) {
    throw new ExportTargetError(
      `Duet exports into a folder, or to a file ending in ${EXPORT_EXTENSION}; it will not write ${target}`,
    );
  }
  const parent = await stat(path.dirname(target)).catch(() => null);
  if (!parent?.isDirectory()) throw new ExportTargetError(`The folder ${path.dirname(target)} does not exist.`);
  const existing = await lstat(target).catch(() => null);
  if (existing && !existing.isFile()) {
    throw new ExportTargetError(`${target} exists and is not a model file (a folder or a link): not replaced.`);
  }
}
