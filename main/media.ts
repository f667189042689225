/**
 * Reading a media file for the page, shared by the `duet-media://` protocol and `duet serve`'s
 * `/media`: the path check first (main/security/media-path.ts), then the bytes — or a thumbnail
 * scaled down with sharp when the page asks for a width, and a PNG for formats browsers don't show.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MEDIA_TYPES, MediaAccessError, type MediaRoots, resolveMediaPath } from './security/media-path.js';

export interface MediaResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const BROWSER_NATIVE = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.bmp']);
export const MAX_THUMB_WIDTH = 2048;

export async function readMedia(roots: MediaRoots, requested: string, width?: number): Promise<MediaResponse> {
  try {
    const file = await resolveMediaPath(requested, roots);
    const ext = path.extname(file).toLowerCase();
    const w = width && Number.isFinite(width) ? Math.max(1, Math.min(MAX_THUMB_WIDTH, Math.round(width))) : undefined;
    if (!w && BROWSER_NATIVE.has(ext)) {
      return { status: 200, contentType: MEDIA_TYPES[ext] ?? 'application/octet-stream', body: await readFile(file) };
    }
    const sharp = (await import('sharp')).default;
    let img = sharp(file, { limitInputPixels: 268_402_689 }).rotate();
    if (w) img = img.resize({ width: w, withoutEnlargement: true });
    const body = w ? await img.webp({ quality: 82 }).toBuffer() : await img.png().toBuffer();
    return { status: 200, contentType: w ? 'image/webp' : 'image/png', body };
  } catch (err) {
    if (err instanceof MediaAccessError) {
      return { status: err.status, contentType: 'text/plain; charset=utf-8', body: Buffer.from(err.message) };
    }
    return {
      status: 500,
      contentType: 'text/plain; charset=utf-8',
      body: Buffer.from(`Could not read the image: ${(err as Error).message}`),
    };
  }
}
