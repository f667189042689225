/**
 * The audit's reproductions against a running server (findings 1 and 5): single requests that used to
 * end the process or slip past a gate. Each is sent, then the server must still answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { DUET_OPERATIONS } from '#contract';
import { RemoteBindRefused } from '../../../main/security/remote-bind.js';
import { TOKEN_COOKIE } from '../../../main/security/token.js';
import { runServe, type ServeSession } from '../../../main/serve/index.js';
import { rawRequest, statusOf, upgradeRequest } from '../../support/raw-http.js';
import { RecordingEngine } from '../../support/recording-engine.js';

let tmp: string;
let engine: RecordingEngine;
let session: ServeSession;
const origin = () => `http://127.0.0.1:${session.port}`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-hostile-'));
  engine = new RecordingEngine(tmp);
  session = await runServe({ workspace: tmp, engine, port: 0, rendererDir: path.join(tmp, 'none') });
});
afterAll(async () => {
  await session?.stop('test done');
  rmSync(tmp, { recursive: true, force: true });
});

async function stillAnswers(): Promise<void> {
  const res = await fetch(`${origin()}/api/health?token=${session.token}`);
  expect(res.status).toBe(200);
}

describe('finding 1: no single request ends duet serve', () => {
  it('survives a WebSocket upgrade whose cookie is a malformed percent-escape', async () => {
    const answer = await rawRequest(session.port, upgradeRequest('/api/ws', { Cookie: `${TOKEN_COOKIE}=%E0%A4%A` }));
    expect(statusOf(answer)).toBe(401);
    await stillAnswers();
  });

  it('survives upgrades whose target is not a URL, before any Host or token check', async () => {
    for (const target of ['//', 'http://[', '//a:b@', 'http://x:99999/']) {
      const answer = await rawRequest(session.port, upgradeRequest(target, { Host: 'evil.example' }));
      expect([400, 403, null], target).toContain(statusOf(answer));
      const withHost = await rawRequest(session.port, upgradeRequest(target));
      expect(statusOf(withHost), target).toBe(400);
    }
    await stillAnswers();
  });

  it('answers 401, not 500, to the same malformed cookie over plain HTTP', async () => {
    const res = await fetch(`${origin()}/`, { headers: { Cookie: `${TOKEN_COOKIE}=%zz` } });
    expect(res.status).toBe(401);
    const bad = await rawRequest(session.port, 'GET // HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(statusOf(bad)).toBe(400);
    await stillAnswers();
  });

  it('survives a client that resets the socket in the middle of an upgrade', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: session.port }, () => {
        s.write(upgradeRequest('/api/ws'));
        s.resetAndDestroy();
        resolve();
      });
      s.on('error', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
    await stillAnswers();
  });
});

describe('finding 5: the gates', () => {
  it('refuses Host names that only look like loopback (DNS rebinding)', async () => {
    for (const host of ['127.evil.example', '127.0.0.1.nip.io']) {
      const answer = await rawRequest(
        session.port,
        `GET /api/health?token=${session.token} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      expect(statusOf(answer), host).toBe(421);
    }
  });

  it('runs no API call on the cookie, on text/plain, or from a foreign page', async () => {
    engine.received.length = 0;
    const body = JSON.stringify({ channel: DUET_OPERATIONS.listProjects.channel });
    const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(session.token)}`;
    const attempts: Array<[Record<string, string>, number]> = [
      [{ Cookie: cookie, 'Content-Type': 'text/plain', Origin: 'https://evil.example' }, 401],
      [{ Cookie: cookie, 'Content-Type': 'application/json' }, 401],
      [{ Authorization: `Bearer ${session.token}`, 'Content-Type': 'text/plain' }, 415],
      [{ Authorization: `Bearer ${session.token}` }, 415],
    ];
    for (const [headers, status] of attempts) {
      const res = await fetch(`${origin()}/api/invoke`, { method: 'POST', headers, body });
      expect(res.status, JSON.stringify(headers)).toBe(status);
    }
    const query = await fetch(`${origin()}/api/invoke?token=${session.token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(query.status).toBe(401);
    expect(engine.received).toEqual([]);
    const ok = await fetch(`${origin()}/api/invoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'application/json; charset=utf-8' },
      body,
    });
    expect(ok.status).toBe(200);
    expect(engine.received.map((r) => r.op)).toEqual(['listProjects']);
  });

  it('opens no WebSocket on the cookie alone; the page’s ?token= still opens it', async () => {
    const status = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(0));
      });
    const base = `ws://127.0.0.1:${session.port}/api/ws`;
    expect(await status(base, { Cookie: `${TOKEN_COOKIE}=${encodeURIComponent(session.token)}` })).toBe(401);
    expect(await status(`${base}?token=${session.token}`)).toBe(101);
  });

  it('the health check takes the explicit token only; the page and its assets still take the cookie', async () => {
    const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(session.token)}`;
    expect((await fetch(`${origin()}/api/health`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${origin()}/`, { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('binds beyond loopback only with allowRemote, and then warns on stderr', async () => {
    await expect(runServe({ workspace: tmp, engine, port: 0, host: '0.0.0.0' })).rejects.toThrow(RemoteBindRefused);
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const remote = await runServe({ workspace: tmp, engine, port: 0, host: '0.0.0.0', allowRemote: true });
      await remote.stop('test done');
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('')).toMatch(/warning: listening on 0\.0\.0\.0/);
  });
});
