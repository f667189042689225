/// <reference lib="dom" />
/** Drops files on an element the way a browser does: a DataTransfer in a `drop` event. */
import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Locator, Page } from '@playwright/test';

export interface DropFile {
  /** Path inside the dropped folder. */
  name: string;
  /** File bytes; a few placeholder bytes when absent. */
  bytes?: Buffer;
  type?: string;
}

/**
 * Builds the DataTransfer in the page. Files carry `webkitRelativePath` = `<folder>/<name>` as a
 * browser gives for a folder, since a script cannot build the directory entries of a real OS drag.
 */
export async function dropFolder(page: Page, target: Locator, folder: string, files: DropFile[]): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    type: f.type ?? (f.name.endsWith('.png') ? 'image/png' : f.name.endsWith('.jpg') ? 'image/jpeg' : 'text/plain'),
    base64: (f.bytes ?? Buffer.from([137, 80, 78, 71])).toString('base64'),
  }));
  const dataTransfer = await page.evaluateHandle(
    ({ folder, payload }) => {
      const dt = new DataTransfer();
      for (const f of payload) {
        const bin = atob(f.base64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        const file = new File([bytes], f.name.split('/').pop() as string, { type: f.type });
        Object.defineProperty(file, 'webkitRelativePath', { value: `${folder}/${f.name}` });
        dt.items.add(file);
      }
      return dt;
    },
    { folder, payload },
  );
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

/** Every file of a folder on disk (recursively) with its bytes, ready for dropFolder. */
export function filesOf(dir: string): DropFile[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile())
    .map((d) => {
      const full = join(d.parentPath, d.name);
      return { name: relative(dir, full).split(sep).join('/'), bytes: readFileSync(full) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
