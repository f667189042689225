/**
 * Duet's two URL schemes in the desktop app:
 * - `duet-app://app/…` serves the built renderer with the CSP header (a header, not a meta tag, so it
 *   also covers what the page can't change), instead of file://.
 * - `duet-media://media/?path=…&w=…` serves images through the media path check (main/security/media-path.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { protocol, type Session } from 'electron';
import { readMedia } from '../media.js';
import type { MediaRoots } from '../security/media-path.js';
import { STATIC_TYPES, staticFile } from '../static-files.js';

export const APP_SCHEME = 'duet-app';
export const MEDIA_SCHEME = 'duet-media';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Must run before the app is ready. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

export function handleAppProtocol(session: Session, rendererDir: string, csp: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return text(404, 'Not found.');
    const file =
      url.pathname === '/' ? path.join(rendererDir, 'index.html') : await staticFile(rendererDir, url.pathname);
    if (!file) return text(404, 'Not found.');
    const type = STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(new Uint8Array(await readFile(file)), {
      headers: { 'content-type': type, 'content-security-policy': csp, 'x-content-type-options': 'nosniff' },
    });
  });
}

export function handleMediaProtocol(session: Session, roots: MediaRoots): void {
  session.protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url);
    const w = url.searchParams.get('w');
    const media = await readMedia(roots, url.searchParams.get('path') ?? '', w ? Number(w) : undefined);
    return new Response(new Uint8Array(media.body), {
      status: media.status,
      headers: { 'content-type': media.contentType, 'x-content-type-options': 'nosniff' },
    });
  });
}

/** The media URL the preload hands the page (kept here so both sides agree). */
export function mediaProtocolUrl(p: string, options?: { width?: number }): string {
  const u = new URL(`${MEDIA_SCHEME}://media/`);
  u.searchParams.set('path', p);
  if (options?.width) u.searchParams.set('w', String(Math.round(options.width)));
  return u.toString();
}
