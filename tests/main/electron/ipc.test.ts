import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDuetClient,
  DUET_EVENTS,
  DUET_OPERATIONS,
  type DuetApi,
  OPERATION_NAMES,
  unwrapIpcAnswer,
} from '#contract';
import { type IpcMainLike, registerIpc } from '../../../main/electron/ipc.js';
import { DuetHost } from '../../../main/host.js';
import { MediaRoots } from '../../../main/security/media-path.js';
import type { SenderFrameLike } from '../../../main/security/sender-frame.js';
import { trustedOrigins } from '../../../main/security/sender-frame.js';
import { JsonSettingsStore } from '../../../main/settings.js';
import { RecordingEngine } from '../../support/recording-engine.js';
import { expectEveryEngineOperationRoundTrips, expectHostOperations } from '../../support/roundtrip.js';

type Handler = (event: { senderFrame: SenderFrameLike | null }, payload: unknown) => unknown;

/** ipcMain as the IPC layer sees it: a map of channel handlers. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

const appFrame: SenderFrameLike = { url: 'duet-app://app/index.html', parent: null };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-ipc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let ipcMain: FakeIpcMain;
let engine: RecordingEngine;
let api: DuetApi;
let sent: Array<[string, unknown]>;
let opened: string[];
let unregister: () => void;

/** What the preload does, with the sender frame made explicit. */
function clientFrom(frame: SenderFrameLike | null): DuetApi {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  return createDuetClient({
    kind: 'electron',
    invoke: async (channel, payload) => {
      const handler = ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron copies payloads with structured clone in both directions.
      return unwrapIpcAnswer(channel, structuredClone(await handler({ senderFrame: frame }, structuredClone(payload))));
    },
    subscribe: (channel, l) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(l);
      return () => set.delete(l);
    },
    mediaUrl: (p) => `duet-media://media/?path=${encodeURIComponent(p)}`,
    downloadUrl: () => null,
    getPathForFile: () => null,
  });
}

beforeEach(() => {
  unregister?.();
  ipcMain = new FakeIpcMain();
  const workspace = mkdtempSync(path.join(tmp, 'ws-'));
  engine = new RecordingEngine(workspace);
  sent = [];
  opened = [];
  const host = new DuetHost({
    engine,
    settings: new JsonSettingsStore(path.join(workspace, 'settings.json')),
    mediaRoots: new MediaRoots(workspace),
    transport: 'electron',
    version: '0.1.0',
    electronVersion: '41.7.1',
    chooseFolder: async () => '/picked/folder',
    openExternal: async (url) => {
      opened.push(url);
    },
  });
  unregister = registerIpc({
    ipcMain,
    host,
    trustedOrigins: trustedOrigins(),
    eventTarget: () => ({ isDestroyed: () => false, send: (c, p) => sent.push([c, p]) }),
  });
  api = clientFrom(appFrame);
});

describe('IPC handler layer', () => {
  it('registers exactly one handler per operation channel', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(OPERATION_NAMES.map((n) => DUET_OPERATIONS[n].channel).sort());
  });

  it('round-trips every engine operation', async () => {
    expect(await expectEveryEngineOperationRoundTrips(api, engine)).toBeGreaterThan(25);
  });

  it('handles host operations: system info, settings, native dialog, allow-listed links', async () => {
    await expectHostOperations(api, 'electron', engine.workspace);
    expect((await api.getSystemInfo()).electron).toBe('41.7.1');
    expect(await api.chooseFolder({ purpose: 'domain' })).toEqual({ path: '/picked/folder' });
    expect(await api.openExternal({ url: 'https://github.com/junyanz' })).toEqual({ ok: true });
    await expect(api.openExternal({ url: 'https://evil.example/x' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    expect(opened).toEqual(['https://github.com/junyanz']);
  });

  it('rejects invalid payloads with the operation and field named; the engine never sees them', async () => {
    await expect(api.createProject({ name: '   ' })).rejects.toMatchObject({
      code: 'invalid-request',
      message: 'Invalid request for createProject: name: A project needs a name',
    });
    await expect(api.getRunMetrics({ projectId: 'p', runId: 'r', sinceIteration: -1 })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/sinceIteration/),
    });
    await expect(api.startTranslate({ modelId: 'm', inputs: [] })).rejects.toMatchObject({
      message: expect.stringMatching(/inputs/),
    });
    expect(engine.received).toEqual([]);
  });

  it('refuses senders that are not the app’s top frame', async () => {
    const frames: Array<SenderFrameLike | null> = [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: 'duet-app://app/index.html', parent: {} },
      { url: 'file:///tmp/index.html', parent: null },
      { url: 'not a url', parent: null },
    ];
    for (const frame of frames) {
      await expect(clientFrom(frame).listProjects()).rejects.toMatchObject({
        code: 'unauthorized',
        message: expect.stringMatching(/did not come from Duet's window/),
      });
    }
    // The dev server's origin is trusted only when it is the dev server in use.
    expect(trustedOrigins('http://localhost:5173/')).toContain('http://localhost:5173');
    expect(engine.received).toEqual([]);
  });

  it('answers an envelope, never a throw, whatever the event object holds (one guarded entry)', async () => {
    const handler = ipcMain.handlers.get(DUET_OPERATIONS.listProjects.channel)!;
    const hostile = {
      get senderFrame(): SenderFrameLike {
        throw new Error('frame gone');
      },
    };
    for (const event of [hostile, null, undefined]) {
      const answer = await (handler as (e: unknown, p: unknown) => unknown)(event, undefined);
      expect(answer).toMatchObject({ ok: false });
    }
    expect(engine.received).toEqual([]);
  });

  it('forwards engine events to the window on their channels', () => {
    const ev = { type: 'state', runId: 'r1', state: 'paused' };
    engine.emit('run', ev);
    engine.emit('job', { type: 'done', jobId: 'j', done: 2, total: 2 });
    engine.emit('job', { type: 'nonsense' });
    engine.emitStatus({ state: 'exited', code: null, signal: 'SIGKILL' });
    expect(sent).toEqual([
      [DUET_EVENTS.run.channel, ev],
      [DUET_EVENTS.job.channel, { type: 'done', jobId: 'j', done: 2, total: 2 }],
      [DUET_EVENTS.engine.channel, { state: 'exited', code: null, signal: 'SIGKILL' }],
    ]);
  });

  it('removes every handler and the event forwarding when unregistered', () => {
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    engine.emit('run', { type: 'state', runId: 'r1', state: 'paused' });
    expect(sent).toEqual([]);
  });
});
