/**
 * Checklist: validate the sender of every IPC message, and only the user widens what media is served
 * (DESIGN.md §6) — a folder dropped on the window becomes a media root.
 *
 * The preload reads the path from the dropped File itself (webUtils.getPathForFile works only on a real
 * drop or file input, never on a File the page made up) and sends it; main accepts it from Duet's own
 * top frame only, and only for an existing folder that may be a root at all.
 */
import { stat } from 'node:fs/promises';
import type { MediaRoots } from './media-path.js';
import { isTrustedSender, type SenderFrameLike } from './sender-frame.js';

export async function grantDroppedFolder(
  frame: SenderFrameLike | null | undefined,
  folder: unknown,
  roots: MediaRoots,
  trustedOrigins: readonly string[],
): Promise<boolean> {
  if (!isTrustedSender(frame, trustedOrigins)) return false;
  if (typeof folder !== 'string' || !folder || folder.includes('\0') || folder.length > 4096) return false;
  const st = await stat(folder).catch(() => null);
  if (!st?.isDirectory()) return false;
  return roots.add(folder);
}
