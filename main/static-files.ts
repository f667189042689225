/**
 * Files of the built renderer (out/renderer), for `duet serve` and the desktop app's `duet-app://`.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** A file of the built renderer, never outside its folder (also the desktop app's `duet-app://`). */
export async function staticFile(rendererDir: string, urlPath: string): Promise<string | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.split('/').includes('..')) return null;
  const root = await realpath(rendererDir).catch(() => null);
  if (!root) return null;
  const target = path.join(root, rel);
  const real = await realpath(target).catch(() => null);
  if (!real || (real !== root && !real.startsWith(root + path.sep))) return null;
  const st = await stat(real).catch(() => null);
  return st?.isFile() ? real : null;
}
