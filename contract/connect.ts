/**
 * The renderer's one way in: `const api = connectDuetApi()`. In the desktop app the preload bridge has
 * put a DuetApi on `window.duet`; in a browser opened from `duet serve` the page talks WebSocket to the
 * server that served it, with the token from its own URL. Pure TypeScript (reads globals, no DOM types).
 */
import type { DuetApi } from './api.js';
import { createServeClient, tokenFromUrl } from './ws-client.js';

/** The global the preload exposes the bridge under: `window.duet`. */
export const BRIDGE_GLOBAL = 'duet';

/**
 * The one message the desktop preload sends by itself: the real path of a folder the user dropped on
 * the window (read from the dropped File with webUtils), so main may show its images.
 */
export const DROPPED_FOLDER_CHANNEL = 'duet:media:dropped-folder';

export function connectDuetApi(
  scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>,
): DuetApi {
  const bridged = scope[BRIDGE_GLOBAL] as DuetApi | undefined;
  if (bridged && typeof bridged.getSystemInfo === 'function') return bridged;
  const location = scope.location as { href: string; origin: string } | undefined;
  if (!location) throw new Error('No Duet bridge and no page location: open Duet from the app or from duet serve.');
  const token = tokenFromUrl(location.href) ?? readStoredToken(scope);
  if (!token) {
    throw new Error(
      'This page has no access token: open the full URL that `duet serve` printed (it ends in ?token=…).',
    );
  }
  storeToken(scope, token);
  return createServeClient({ origin: location.origin, token });
}

// The token survives in sessionStorage so a reload after navigating within the app still works.
function readStoredToken(scope: Record<string, unknown>): string | null {
  const s = scope.sessionStorage as { getItem(k: string): string | null } | undefined;
  try {
    return s?.getItem('duet-token') ?? null;
  } catch {
    return null;
  }
}
function storeToken(scope: Record<string, unknown>, token: string): void {
  const s = scope.sessionStorage as { setItem(k: string, v: string): void } | undefined;
  try {
    s?.setItem('duet-token', token);
  } catch {
    // storage can be disabled; the URL still carries the token
  }
}
