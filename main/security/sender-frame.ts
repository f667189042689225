/**
 * Checklist: validate the sender of every IPC message (DESIGN.md §6).
 *
 * Only Duet's own page, in the top-level frame, may call the API: a frame from any other origin (an
 * iframe, a page navigated to by mistake) is refused before its payload is even read.
 */

/** The bits of Electron's WebFrameMain the check reads. */
export interface SenderFrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** Origins Duet's page is served from: the app protocol, or the dev server while developing. */
export function trustedOrigins(devServerUrl?: string): string[] {
  const origins = ['duet-app://app'];
  const dev = devServerUrl ? originOf(devServerUrl) : null;
  if (dev) origins.push(dev);
  return origins;
}

/** scheme://host[:port]; URL.origin is "null" for custom schemes outside the browser, so build it. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.host ? `${u.protocol}//${u.host}` : null;
  } catch {
    return null;
  }
}

export function isTrustedSender(frame: SenderFrameLike | null | undefined, origins: readonly string[]): boolean {
  if (!frame || frame.parent) return false;
  const origin = originOf(frame.url);
  return origin !== null && origins.includes(origin);
}
