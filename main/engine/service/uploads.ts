/**
 * Files dropped in a browser, uploaded into the workspace: `uploads/<uploadId>/<relative path>`.
 * The relative path comes from the page, so it is checked like any untrusted path: no absolute paths,
 * no `..`, no drive letters, nothing that lands outside the upload's own folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuetError } from '#contract';

const UPLOAD_ID = /^[a-z0-9-]{1,80}$/;

export function uploadsDir(workspace: string): string {
  return path.join(workspace, 'uploads');
}

/** A safe relative path (forward slashes) inside an upload, or a DuetError saying what is wrong. */
export function checkUploadPath(relativePath: string): string {
  if (relativePath.includes('\0')) throw new DuetError('invalid-request', 'An uploaded file name contains a NUL byte.');
  const unified = relativePath.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) {
    throw new DuetError('invalid-request', `Uploaded file paths must be relative: "${relativePath}"`);
  }
  const parts = unified.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) throw new DuetError('invalid-request', 'An uploaded file has an empty path.');
  if (parts.some((p) => p === '..')) {
    throw new DuetError('invalid-request', `Uploaded file paths may not contain "..": "${relativePath}"`);
  }
  return parts.join('/');
}

export interface UploadBatch {
  uploadId?: string;
  label: string;
  files: Array<{ relativePath: string; base64: string }>;
}

export async function writeUploadBatch(
  workspace: string,
  batch: UploadBatch,
): Promise<{ uploadId: string; folder: string; written: number }> {
  let uploadId = batch.uploadId;
  if (uploadId !== undefined && !UPLOAD_ID.test(uploadId)) {
    throw new DuetError('invalid-request', `Invalid upload id "${uploadId}".`);
  }
  if (!uploadId) {
    const slug = batch.label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40);
    uploadId = `${slug || 'upload'}-${randomBytes(4).toString('hex')}`;
  }
  const folder = path.join(uploadsDir(workspace), uploadId);
  // Check every path before writing any, so a bad batch leaves nothing half-written.
  const checked = batch.files.map((f) => ({ rel: checkUploadPath(f.relativePath), base64: f.base64 }));
  await mkdir(folder, { recursive: true });
  for (const f of checked) {
    const target = path.join(folder, ...f.rel.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, Buffer.from(f.base64, 'base64'));
  }
  return { uploadId, folder, written: checked.length };
}
