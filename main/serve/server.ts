/**
 * `duet serve`: the built renderer and the DuetApi over HTTP + WebSocket, for GPU servers without a
 * display and for browser testing. Loopback by default; every request and socket needs the token.
 *
 *   GET  /?token=…            the app (sets the token cookie so its scripts and styles load)
 *   GET  /assets/…            the built renderer (out/renderer)
 *   GET  /media?path=…&w=…    images, through the same path check as the desktop app's protocol
 *   GET  /download?path=…     model files exported into the workspace's exports/ folder
 *   GET  /api/health          { ok, transport }
 *   POST /api/invoke          { channel, payload } → { ok, result } | { ok: false, error }
 *   WS   /api/ws?token=…      requests and pushed events (contract/ws-client.ts has the format)
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { DuetError, SERVE_PATHS } from '#contract';
import type { DuetHost } from '../host.js';
import { readMedia } from '../media.js';
import { contentSecurityPolicy } from '../security/csp.js';
import { DOWNLOAD_TYPES, resolveDownloadPath } from '../security/download-path.js';
import { hostHeaderAllowed, originAllowed } from '../security/host-check.js';
import { MediaAccessError, type MediaRoots } from '../security/media-path.js';
import { makeToken, presentedToken, TOKEN_COOKIE, tokenMatches } from '../security/token.js';
import { STATIC_TYPES, staticFile } from '../static-files.js';

export interface ServeOptions {
  host: DuetHost;
  mediaRoots: MediaRoots;
  /** Interface to bind: 127.0.0.1 unless the user says otherwise. */
  bind?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer (out/renderer); a short help page is served where it is missing. */
  rendererDir?: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  /** Largest WebSocket message (uploads come in ~4 MB batches, base64). */
  maxMessageBytes?: number;
}

export interface RunningServe {
  url: string;
  token: string;
  port: number;
  bind: string;
  server: Server;
  close(): Promise<void>;
}

const MISSING_RENDERER_PAGE = `<!doctype html><meta charset="utf-8"><title>Duet</title>
<body style="font-family:system-ui;margin:3rem;max-width:40rem">
<h1>Duet is running, but its window is not built</h1>
<p>Run <code>npx electron-vite build</code> in Duet's folder, then reload this page. The API is already up.</p>`;

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': type,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new DuetError('invalid-request', `Request body larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const bind = options.bind ?? '127.0.0.1';
  const token = options.token ?? makeToken();
  const rendererDir = options.rendererDir;
  const maxMessage = options.maxMessageBytes ?? 64 * 1024 * 1024;
  const csp = contentSecurityPolicy();
  const { host, mediaRoots } = options;

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `Internal error: ${(err as Error).message}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostHeaderAllowed(bind, req)) {
      send(res, 421, 'text/plain; charset=utf-8', 'Duet answers only on a loopback address here.');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://duet.invalid');
    const presented = presentedToken(req, url);
    if (!tokenMatches(token, presented)) {
      send(
        res,
        401,
        'text/plain; charset=utf-8',
        'This Duet server needs its access token: open the full URL that `duet serve` printed (…/?token=…).',
      );
      return;
    }
    // The page's own scripts and styles arrive without ?token=: the cookie carries it (same site only).
    const cookie = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;

    if (url.pathname === SERVE_PATHS.health) {
      sendJson(res, 200, { ok: true, transport: 'serve' });
      return;
    }
    if (url.pathname === SERVE_PATHS.media) {
      const w = url.searchParams.get('w');
      const media = await readMedia(mediaRoots, url.searchParams.get('path') ?? '', w ? Number(w) : undefined);
      send(res, media.status, media.contentType, media.body);
      return;
    }
    if (url.pathname === SERVE_PATHS.download) {
      try {
        const file = await resolveDownloadPath(url.searchParams.get('path') ?? '', mediaRoots.workspace);
        send(
          res,
          200,
          DOWNLOAD_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          await readFile(file),
          {
            'Content-Disposition': `attachment; filename="${path.basename(file).replace(/[^\w.-]/g, '_')}"`,
          },
        );
      } catch (err) {
        const status = err instanceof MediaAccessError ? err.status : 500;
        send(res, status, 'text/plain; charset=utf-8', (err as Error).message);
      }
      return;
    }
    if (url.pathname === '/api/invoke') {
      if (req.method !== 'POST') {
        send(res, 405, 'text/plain; charset=utf-8', 'POST { channel, payload } here.', { Allow: 'POST' });
        return;
      }
      try {
        const body = JSON.parse(await readBody(req, maxMessage)) as { channel?: unknown; payload?: unknown };
        if (typeof body.channel !== 'string')
          throw new DuetError('invalid-request', 'The body needs a "channel" string.');
        const result = await host.invoke(body.channel, body.payload);
        sendJson(res, 200, { ok: true, result });
      } catch (err) {
        const error =
          err instanceof SyntaxError
            ? { code: 'invalid-request', message: 'The body is not JSON.' }
            : DuetError.payloadOf(err);
        sendJson(res, error.code === 'invalid-request' ? 400 : 200, { ok: false, error });
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed.');
      return;
    }
    const headers = { 'Content-Security-Policy': csp, 'X-Frame-Options': 'DENY', 'Set-Cookie': cookie };
    if (!rendererDir || !existsSync(path.join(rendererDir, 'index.html'))) {
      send(res, 200, 'text/html; charset=utf-8', MISSING_RENDERER_PAGE, headers);
      return;
    }
    const file = url.pathname === '/' ? null : await staticFile(rendererDir, url.pathname);
    // Unknown paths get the app (client-side routes); assets that do not exist get a 404.
    if (!file && url.pathname.startsWith('/assets/')) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found.');
      return;
    }
    const target = file ?? path.join(rendererDir, 'index.html');
    const type = STATIC_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
    send(res, 200, type, await readFile(target), headers);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessage });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://duet.invalid');
    const refuse = (status: string) => {
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== SERVE_PATHS.api) return refuse('404 Not Found');
    if (!hostHeaderAllowed(bind, req) || !originAllowed(req)) return refuse('403 Forbidden');
    if (!tokenMatches(token, presentedToken(req, url))) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => void onSocketMessage(ws, data.toString()));
    });
  });

  async function onSocketMessage(ws: WebSocket, text: string): Promise<void> {
    let msg: { id?: unknown; channel?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      ws.send(
        JSON.stringify({ id: null, ok: false, error: { code: 'invalid-request', message: 'Messages must be JSON.' } }),
      );
      return;
    }
    const id = typeof msg.id === 'number' ? msg.id : null;
    try {
      if (id === null) throw new DuetError('invalid-request', 'Every request needs a numeric "id".');
      if (typeof msg.channel !== 'string') throw new DuetError('invalid-request', 'Every request needs a "channel".');
      const result = await host.invoke(msg.channel, msg.payload);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ok: true, result }));
    } catch (err) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, ok: false, error: DuetError.payloadOf(err) }));
    }
  }

  const unsubscribe = host.subscribe((channel, payload) => {
    const frame = JSON.stringify({ event: channel, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = bind === '0.0.0.0' || bind === '::' ? '127.0.0.1' : bind.includes(':') ? `[${bind}]` : bind;
  const url = `http://${shownHost}:${port}/?token=${token}`;

  return {
    url,
    token,
    port,
    bind,
    server,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
