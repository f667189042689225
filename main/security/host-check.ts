/**
 * Checklist: `duet serve` binds loopback by default (DESIGN.md §6) — and, bound to loopback, answers
 * only requests addressed to a loopback name, so a web page can't reach it through DNS rebinding.
 * WebSocket handshakes from another origin are refused (a page elsewhere can't drive the API).
 */
import type { IncomingMessage } from 'node:http';

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopbackBind(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}

/** Bound to loopback: the Host header must name loopback too. Bound elsewhere: the token is the gate. */
export function hostHeaderAllowed(bindHost: string, req: IncomingMessage): boolean {
  if (!isLoopbackBind(bindHost)) return true;
  const h = req.headers.host;
  if (!h) return false;
  const name = hostName(h.toLowerCase());
  return LOOPBACK_HOSTS.has(name) || name.startsWith('127.');
}

/** A browser's WebSocket handshake carries Origin: it must be the server's own. */
export function originAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (scripts, tests): the token still applies
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
