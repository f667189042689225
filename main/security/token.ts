/**
 * Checklist: `duet serve` requires a random token, printed at start, on every request and socket
 * (DESIGN.md §6).
 *
 * The token arrives as `?token=` (the printed URL, media URLs, the WebSocket URL), as a Bearer header
 * (scripts), or as the cookie set on the first page load (so the page's scripts and styles load).
 * The cookie opens the page and media only, never the API: a browser attaches it by itself, so an API
 * call needs the token said explicitly (the WebSocket URL's `?token=`, or `Authorization: Bearer`).
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
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined; // a malformed %-escape is no token, never an exception
    }
  }
  return undefined;
}

/** The token a request says explicitly: `?token=` or an Authorization header. What API calls need. */
export function explicitToken(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  return bearerToken(req);
}

/** The token of an `Authorization: Bearer …` header only. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

/** The token a page or media request carries: explicit, or the cookie the page was given. */
export function presentedToken(req: IncomingMessage, url: URL): string | undefined {
  return explicitToken(req, url) ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

/** Constant-time comparison, so the token can't be guessed byte by byte from response times. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
