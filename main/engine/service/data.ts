/**
 * Folder scans for the window: the dataset module's scan, reported as the contract's ScanReport plus the
 * plain-sentence notes the dataset module writes.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScanReport } from '#contract';
import { DuetError } from '#contract';
import { scanDataset } from '../dataset/scan.js';

/** A folder the user chose, as an absolute path; a clear error when it is missing or a file. */
export async function checkFolder(label: string, folder: string): Promise<string> {
  const abs = path.resolve(folder);
  const st = await stat(abs).catch(() => null);
  if (!st) throw new DuetError('not-found', `${label} folder does not exist: ${abs}`);
  if (!st.isDirectory()) throw new DuetError('invalid-request', `${label} must be a folder, not a file: ${abs}`);
  return abs;
}

export async function scanFolders(a: string, b?: string | null): Promise<ScanReport & { notes: string[] }> {
  const dirA = await checkFolder(b ? 'Domain A' : 'The', a);
  const dirB = b ? await checkFolder('Domain B', b) : null;
  return scanDataset(dirA, dirB);
}
