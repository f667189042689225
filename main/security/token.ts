/**
 * Checklist: `duet serve` requires a random token, printed at start, on every request and socket
 * (DESIGN.md §6).
 *
 * The token arrives as `?token=` (the printed URL, media URLs, the WebSocket URL), as a Bearer header
 * (scripts), or as the cookie set on the first page load (so the page's scripts and styles load).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'duet_token';

export function makeToken(): string {
  return randomBytes(24).toString('base64url');
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** The token a request carries, from the query, an Authorization header or the cookie. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

/** Constant-time comparison, so the token can't be guessed byte by byte from response times. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
