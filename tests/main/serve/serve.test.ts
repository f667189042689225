import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServeClient, DUET_OPERATIONS, type DuetApi } from '#contract';
import { runServe, type ServeSession } from '../../../main/serve/index.js';
import { RecordingEngine } from '../../support/recording-engine.js';
import { expectEveryEngineOperationRoundTrips, expectHostOperations } from '../../support/roundtrip.js';
import { waitFor } from '../../support/wait.js';

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let tmp: string;
let workspace: string;
let outside: string;
let rendererDir: string;
let engine: RecordingEngine;
let session: ServeSession;
let api: DuetApi & { close(): void };

const origin = () => `http://127.0.0.1:${session.port}`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-serve-'));
  workspace = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  rendererDir = path.join(tmp, 'renderer');
  mkdirSync(path.join(workspace, 'projects', 'p', 'runs', 'r', 'samples'), { recursive: true });
  writeFileSync(path.join(workspace, 'projects', 'p', 'runs', 'r', 'samples', '00000010.png'), PNG);
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.png'), PNG);
  symlinkSync(path.join(outside, 'secret.png'), path.join(workspace, 'link.png'));
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>Duet</title><script src="/assets/app.js"></script>',
  );
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("duet")');
  engine = new RecordingEngine(workspace);
  session = await runServe({ workspace, engine, rendererDir, port: 0 });
  api = createServeClient({
    origin: origin(),
    token: session.token,
    webSocket: (url) => new WebSocket(url) as never,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  api?.close();
  await session?.stop('test done');
  rmSync(tmp, { recursive: true, force: true });
});

describe('duet serve: the token', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(session.url).toBe(`http://127.0.0.1:${session.port}/?token=${session.token}`);
    expect(session.token.length).toBeGreaterThanOrEqual(32);
    expect(session.bind).toBe('127.0.0.1');
  });

  it('refuses requests without the token or with a wrong one', async () => {
    for (const p of ['/', '/api/health', '/media?path=link.png', '/assets/app.js']) {
      const res = await fetch(`${origin()}${p}`);
      expect(res.status, p).toBe(401);
      expect(await res.text()).toMatch(/access token/);
    }
    expect((await fetch(`${origin()}/api/health?token=${session.token.slice(1)}x`)).status).toBe(401);
    const post = await fetch(`${origin()}/api/invoke`, {
      method: 'POST',
      body: JSON.stringify({ channel: DUET_OPERATIONS.listProjects.channel }),
    });
    expect(post.status).toBe(401);
    expect(engine.received).toEqual([]);
  });

  it('refuses a WebSocket without the token', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${session.port}/api/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(401);
    const bad = createServeClient({ origin: origin(), token: 'wrong', webSocket: (u) => new WebSocket(u) as never });
    await expect(bad.listProjects()).rejects.toMatchObject({ code: 'unauthorized' });
    bad.close();
  });

  it('refuses a WebSocket from another origin even with the token', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${session.port}/api/ws?token=${session.token}`, {
        headers: { Origin: 'https://evil.example' },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
  });

  it('refuses a rebinding Host header while bound to loopback', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: session.port,
          path: `/api/health?token=${session.token}`,
          headers: { Host: 'evil.example' },
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe('duet serve: the app and media', () => {
  it('serves the built renderer with a CSP header and sets the token cookie for its assets', async () => {
    const page = await fetch(session.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Duet</title>');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await fetch(`${origin()}/assets/app.js`, { headers: { Cookie: cookie.split(';')[0] ?? '' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const escaped = await fetch(`${origin()}/assets/..%2f..%2fouter.txt?token=${session.token}`);
    expect(escaped.status).toBe(404);
  });

  it('serves workspace images by relative path, and refuses escapes and symlinks out', async () => {
    const ok = await fetch(api.mediaUrl('projects/p/runs/r/samples/00000010.png'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await ok.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await fetch(api.mediaUrl('../outside/secret.png'))).status).toBe(403);
    expect((await fetch(api.mediaUrl(path.join(outside, 'secret.png')))).status).toBe(403);
    expect((await fetch(api.mediaUrl('link.png'))).status).toBe(403);
    expect((await fetch(api.mediaUrl('/etc/passwd'))).status).toBe(403);
    expect((await fetch(api.mediaUrl('missing.png'))).status).toBe(404);
  });

  it('downloads exported model files from exports/ only', async () => {
    mkdirSync(path.join(workspace, 'exports'), { recursive: true });
    writeFileSync(path.join(workspace, 'exports', 'maps.duetmodel'), 'DUETMODL');
    writeFileSync(path.join(workspace, 'exports', 'notes.txt'), 'x');
    symlinkSync(path.join(outside, 'secret.png'), path.join(workspace, 'exports', 'link.duetmodel'));
    const url = api.downloadUrl('exports/maps.duetmodel') ?? '';
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="maps.duetmodel"');
    expect(await ok.text()).toBe('DUETMODL');
    expect((await fetch(`${origin()}/download?path=exports/maps.duetmodel`)).status).toBe(401);
    for (const bad of [
      'exports/notes.txt',
      'exports/../link.png',
      'projects/p/runs/r/samples/00000010.png',
      'exports/link.duetmodel',
    ]) {
      expect((await fetch(api.downloadUrl(bad) ?? '')).status, bad).toBe(403);
    }
    expect((await fetch(api.downloadUrl('exports/none.duetmodel') ?? '')).status).toBe(404);
  });

  it('makes thumbnails on request', async () => {
    const res = await fetch(api.mediaUrl('projects/p/runs/r/samples/00000010.png', { width: 64 }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
  });
});

describe('duet serve: the API over WebSocket', () => {
  it('round-trips every engine operation', async () => {
    const n = await expectEveryEngineOperationRoundTrips(api, engine);
    expect(n).toBeGreaterThan(25);
  });

  it('handles host operations (system info, settings) in the server', async () => {
    await expectHostOperations(api, 'serve', workspace);
    expect(await api.chooseFolder({ title: 'x' })).toEqual({ path: null });
    // The browser opens links itself (a new tab), never through the server.
    const opened: string[] = [];
    (globalThis as { open?: unknown }).open = (u: string) => opened.push(u);
    expect(await api.openExternal({ url: 'https://github.com/x' })).toEqual({ ok: true });
    await expect(api.openExternal({ url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'invalid-request' });
    delete (globalThis as { open?: unknown }).open;
    expect(opened).toEqual(['https://github.com/x']);
    // The server's own handler has no browser to open: it says so, and still refuses off-list links first.
    const post = (url: string) =>
      fetch(`${origin()}/api/invoke`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: DUET_OPERATIONS.openExternal.channel, payload: { url } }),
      }).then((r) => r.json() as Promise<{ error?: { code: string } }>);
    expect((await post('https://github.com/x')).error?.code).toBe('not-available');
    expect((await post('https://evil.example/')).error?.code).toBe('invalid-request');
  });

  it('rejects invalid payloads with a clear error before the engine sees them', async () => {
    engine.received.length = 0;
    await expect(api.startRun({ projectId: '' } as never)).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/Invalid request for startRun: projectId/),
    });
    await expect(api.scanFolders({ a: 'x', extra: true } as never)).rejects.toMatchObject({ code: 'invalid-request' });
    expect(engine.received).toEqual([]);
  });

  it('answers over plain HTTP too, and names unknown channels', async () => {
    const res = await fetch(`${origin()}/api/invoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'duet:nope', payload: {} }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      ok: false,
      error: { code: 'invalid-request', message: 'Unknown channel "duet:nope".' },
    });
    const ok = await fetch(`${origin()}/api/invoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: DUET_OPERATIONS.listModels.channel }),
    });
    expect(((await ok.json()) as { result: Array<{ id: string }> }).result[0]?.id).toBe('model-1');
  });

  it('pushes run, job and engine events to subscribers, filtered by run, until unsubscribed', async () => {
    const runEvents: number[] = [];
    const states: string[] = [];
    const offRun = api.onRunEvent((e) => runEvents.push(e.type === 'progress' ? e.iteration : -1), 'r1');
    const offEngine = api.onEngineStatus((s) => states.push(s.state));
    await api.listProjects(); // the socket is open once a request has been answered
    const progress = (runId: string, iteration: number) => ({
      type: 'progress',
      runId,
      iteration,
      totalIterations: 10,
      epoch: 0,
      losses: { G_A: 1 },
      lr: 2e-4,
      itPerSec: 2,
      etaSeconds: 4,
    });
    engine.emit('run', progress('r1', 1));
    engine.emit('run', progress('r2', 2));
    engine.emit('run', { type: 'progress', runId: 'r1' }); // malformed: dropped by the host
    engine.emitStatus({ state: 'exited', code: 3, signal: null, message: 'x' });
    // Events arrive in order on the one socket: once the last one is here, the ones before it were
    // delivered or dropped.
    engine.emit('run', progress('r1', 4));
    await waitFor(() => runEvents.includes(4), 30_000);
    expect(runEvents).toEqual([1, 4]);
    expect(states).toEqual(['exited']);
    offRun();
    const probe: number[] = [];
    const offProbe = api.onRunEvent((e) => probe.push(e.type === 'progress' ? e.iteration : -1), 'r1');
    engine.emit('run', progress('r1', 5));
    await waitFor(() => probe.includes(5), 30_000);
    expect(runEvents).toEqual([1, 4]); // unsubscribed: nothing more
    offProbe();
    offEngine();
  });
});
