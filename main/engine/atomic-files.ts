/**
 * Writing files so a reader never sees half of one: the one place Duet writes a file atomically.
 *
 * Whole files go through `write-file-atomic` (a temporary file beside the target, fsynced, then renamed
 * over it). Where a write must survive a power cut as well as a crash — run files, checkpoints — the
 * parent folder is fsynced after the rename too, so the new directory entry is on disk. Checkpoints,
 * which are folders, build on the two lower steps here (`writeFileDurably` into a temporary folder,
 * `syncDir`) and rename the folder themselves (runs/checkpoints.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

export interface AtomicWriteOptions {
  /** Also fsync the parent folder after the rename, so the new entry survives a power cut. */
  durable?: boolean;
}

/** Write `data` to `file` whole or not at all (temp → fsync → rename; `durable` adds the parent's fsync). */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomicLib(
    file,
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    {
      fsync: true,
    },
  );
  if (options.durable) await syncDir(path.dirname(file));
}

/** The synchronous form, for start-up paths that cannot wait (settings, the wasm worker script). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  writeFileAtomicLib.sync(
    file,
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    {
      fsync: true,
    },
  );
}

/** A JSON document, pretty-printed with a final newline, written atomically. */
export async function writeJsonAtomic(file: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

/** Create `file` (it must not exist), write all of `data` and fsync it, so its bytes are on disk. */
export async function writeFileDurably(file: string, data: Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    let offset = 0;
    while (offset < data.byteLength) {
      const { bytesWritten } = await handle.write(data, offset, data.byteLength - offset);
      offset += bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync a folder so a rename or new entry inside it survives a power cut. */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some file systems (and Windows) cannot fsync a directory; the data files are synced regardless.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}
