/**
 * Checklist: block navigation and new windows (DESIGN.md §6).
 *
 * The window never leaves Duet's page: navigations elsewhere are cancelled, and window.open / target=_blank
 * is denied — an allow-listed documentation link opens in the user's browser instead.
 */
import { isAllowedExternalUrl } from './external-urls.js';
import { originOf } from './sender-frame.js';

/** The bits of Electron's WebContents the guard uses. */
export interface GuardedContents {
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void; url: string }, url?: string) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export function blockNavigation(
  contents: GuardedContents,
  allowedOrigins: readonly string[],
  openExternal: (url: string) => void,
): void {
  const guard = (event: { preventDefault(): void; url: string }, url?: string) => {
    const target = url ?? event.url;
    const origin = originOf(target);
    if (!origin || !allowedOrigins.includes(origin)) event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}
