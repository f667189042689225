/**
 * Preload: the narrow, typed bridge between the page and main. One named function per DuetApi
 * operation (each bound to its one channel), subscriptions that return an unsubscribe, and the real
 * path of a dropped file via webUtils (also told to main, which may then show that folder's images).
 * No ipcRenderer, no Node or Electron object reaches the page.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { FileLike } from '#contract';
import {
  BRIDGE_GLOBAL,
  createDuetClient,
  DROPPED_FOLDER_CHANNEL,
  type DuetTransport,
  unwrapIpcAnswer,
} from '#contract';

const MEDIA_SCHEME = 'duet-media';

export async function invokeChannel(channel: string, payload: unknown): Promise<unknown> {
  return unwrapIpcAnswer(channel, await ipcRenderer.invoke(channel, payload));
}

const transport: DuetTransport = {
  kind: 'electron',
  invoke: invokeChannel,
  subscribe: (channel, listener) => {
    // The page's listener sees the payload only, never Electron's event object (it holds `sender`).
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
  mediaUrl: (path, options) => {
    const u = new URL(`${MEDIA_SCHEME}://media/`);
    u.searchParams.set('path', path);
    if (options?.width) u.searchParams.set('w', String(Math.round(options.width)));
    return u.toString();
  },
  downloadUrl: () => null,
  getPathForFile: (file: FileLike) => {
    let path: string | null;
    try {
      path = webUtils.getPathForFile(file as unknown as File) || null;
    } catch {
      return null;
    }
    // Only a real dropped File has a path, so only a real drop can make a folder viewable; main checks it.
    if (path) ipcRenderer.send(DROPPED_FOLDER_CHANNEL, path);
    return path;
  },
};

// contextBridge copies the object: the page receives plain functions, each invoking one fixed channel.
contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, { ...createDuetClient(transport) });
