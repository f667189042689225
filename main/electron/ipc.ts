/**
 * The IPC side of DuetApi in the desktop app: one `ipcMain.handle` per operation channel, each checking
 * its sender frame, then handing the payload to the DuetHost (which validates it). Answers travel as
 * `{ ok, result } | { ok: false, error: { code, message } }` because Electron keeps only the message of a
 * thrown error. Electron's objects are injected, so tests run this without Electron.
 */
import { DUET_OPERATIONS, DuetError, type DuetErrorPayload, OPERATION_NAMES } from '#contract';
import type { DuetHost } from '../host.js';
import { answerGuarded } from '../security/guarded.js';
import { isTrustedSender, type SenderFrameLike } from '../security/sender-frame.js';

export type IpcEnvelope = { ok: true; result: unknown } | { ok: false; error: DuetErrorPayload };

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: { senderFrame: SenderFrameLike | null }, payload: unknown) => unknown,
  ): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

export interface IpcOptions {
  ipcMain: IpcMainLike;
  host: DuetHost;
  trustedOrigins: readonly string[];
  /** Where pushed events go: the window's webContents. */
  eventTarget: () => EventTarget | null;
}

/** Registers every operation's handler and the event forwarding; returns a function undoing both. */
export function registerIpc(o: IpcOptions): () => void {
  for (const name of OPERATION_NAMES) {
    const { channel } = DUET_OPERATIONS[name];
    // One guarded entry: whatever the sender or payload, the answer is an envelope, never a throw.
    o.ipcMain.handle(channel, (event, payload) =>
      answerGuarded<IpcEnvelope>(
        `IPC ${name}`,
        async () => {
          if (!isTrustedSender(event?.senderFrame, o.trustedOrigins)) {
            return {
              ok: false,
              error: { code: 'unauthorized', message: `Refused ${name}: the request did not come from Duet's window.` },
            };
          }
          try {
            return { ok: true, result: await o.host.invoke(channel, payload) };
          } catch (err) {
            return { ok: false, error: DuetError.payloadOf(err) };
          }
        },
        () => ({ ok: false, error: { code: 'failed', message: `${name} failed inside Duet.` } }),
      ),
    );
  }
  const unsubscribe = o.host.subscribe((channel, payload) => {
    const target = o.eventTarget();
    if (target && !target.isDestroyed()) target.send(channel, payload);
  });
  return () => {
    unsubscribe();
    for (const name of OPERATION_NAMES) o.ipcMain.removeHandler(DUET_OPERATIONS[name].channel);
  };
}
