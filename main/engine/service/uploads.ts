/**
 * Files dropped in a browser, uploaded into the workspace: `uploads/<uploadId>/<relative path>`.
 * The relative path comes from the page, so it is checked like any untrusted path: no absolute paths,
 * no `..`, no drive letters, nothing that lands outside the upload's own folder — and no control
 * characters, newlines or bidi marks, no name longer than a file system takes. The whole batch (every
 * path and every file's base64, strictly) is checked before the first file is written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuetError } from '#contract';
import { hasUnsafeCharacters } from '../../security/display-name.js';

const UPLOAD_ID = /^[a-z0-9-]{1,80}$/;
/** Longest name of one path segment most file systems take (ext4, APFS, NTFS: 255). */
const MAX_NAME_BYTES = 255;
const MAX_PATH_CHARS = 1024;
const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
  if (hasUnsafeCharacters(unified)) {
    throw new DuetError(
      'invalid-request',
      `An uploaded file name holds a control character, a line break or a bidi mark: ${JSON.stringify(relativePath)}`,
    );
  }
  const long = parts.find((p) => Buffer.byteLength(p, 'utf8') > MAX_NAME_BYTES);
  if (long) {
    throw new DuetError(
      'invalid-request',
      `An uploaded file name is longer than ${MAX_NAME_BYTES} bytes: "${long.slice(0, 40)}…"`,
    );
  }
  if (unified.length > MAX_PATH_CHARS) {
    throw new DuetError('invalid-request', `An uploaded file path is longer than ${MAX_PATH_CHARS} characters.`);
  }
  return parts.join('/');
}

/** The bytes of strict base64 (standard alphabet, padded), or a DuetError naming the file. */
export function decodeUploadBase64(base64: string, name: string): Buffer {
  if (base64.length % 4 !== 0 || !STRICT_BASE64.test(base64)) {
    throw new DuetError('invalid-request', `The uploaded file "${name}" is not valid base64.`);
  }
  return Buffer.from(base64, 'base64');
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
  // Check every path and decode every file before writing any, so a bad batch leaves nothing half-written.
  const checked = batch.files.map((f) => {
    const rel = checkUploadPath(f.relativePath);
    return { rel, data: decodeUploadBase64(f.base64, rel) };
  });
  await mkdir(folder, { recursive: true });
  for (const f of checked) {
    const target = path.join(folder, ...f.rel.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.data);
  }
  return { uploadId, folder, written: checked.length };
}
