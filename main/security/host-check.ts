/**
 * Checklist: `duet serve` binds loopback by default (DESIGN.md §6) — and answers only requests addressed
 * by an exact loopback name or an IP literal, so a web page can't reach it through DNS rebinding (a
 * rebinding name like `127.0.0.1.nip.io` or `127.evil.example` is a DNS name, not an address).
 * WebSocket handshakes from another origin are refused (a page elsewhere can't drive the API).
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** The one loopback name Duet accepts besides address literals. */
export const LOOPBACK_NAMES = new Set(['localhost']);

/** An IP literal (no brackets) that is a loopback address: 127.0.0.0/8 or ::1. */
export function isLoopbackAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) return address.split('.')[0] === '127';
  if (kind !== 6) return false;
  // The URL parser writes an IPv6 address in one canonical form (`::1`, `::ffff:7f00:1`).
  const canonical = new URL(`http://[${address}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

/** Whether binding `host` keeps Duet on this machine: `localhost` or a loopback address literal. */
export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || isLoopbackAddress(unbracket(host));
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The host part of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), or null when malformed. */
export function hostHeaderName(header: string): string | null {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest && !/^:\d{1,5}$/.test(rest)) return null;
    return h.slice(1, end);
  }
  const parts = h.split(':');
  if (parts.length > 2 || (parts.length === 2 && !/^\d{1,5}$/.test(parts[1] ?? ''))) return null;
  return parts[0] ?? null;
}

/**
 * Bound to loopback: the Host header must be a loopback name or loopback address literal. Bound
 * elsewhere (--allow-remote): it must still be an address literal or `localhost` — never a DNS name.
 */
export function hostHeaderAllowed(bindHost: string, req: IncomingMessage): boolean {
  const h = req.headers.host;
  if (typeof h !== 'string' || !h) return false;
  const name = hostHeaderName(h);
  if (!name) return false;
  if (LOOPBACK_NAMES.has(name) || isLoopbackAddress(name)) return true;
  return !isLoopbackBind(bindHost) && isIP(name) !== 0;
}

/** A browser's WebSocket handshake carries Origin: it must be the server's own. */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (scripts, tests): the token still applies
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
