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
 *                             (Content-Type: application/json and Authorization: Bearer <token> only)
 *   WS   /api/ws?token=…      requests and pushed events (contract/ws-client.ts has the format)
 *
 * The cookie set with the page opens the page's assets and media, never the API (health, invoke, the
 * WebSocket): those need the token said explicitly. Every entry (request, upgrade, socket message) runs
 * guarded, so nothing a client sends can end the process.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { DuetError, SERVE_PATHS } from '#contract';
import type { DuetHost } from '../host.js';
import { readMedia } from '../media.js';
import { apiRequestRefusal } from '../security/api-request.js';
import { contentSecurityPolicy } from '../security/csp.js';
import { DOWNLOAD_TYPES, resolveDownloadPath } from '../security/download-path.js';
import { guarded } from '../security/guarded.js';
import { hostHeaderAllowed, originAllowed } from '../security/host-check.js';
import { MediaAccessError, type MediaRoots } from '../security/media-path.js';
import { explicitToken, makeToken, presentedToken, TOKEN_COOKIE, tokenMatches } from '../security/token.js';
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

/** The request target as a URL, or null when it is not one (`//`, `http://[`, …). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://duet.invalid');
  } catch {
    return null;
  }
}

const NEEDS_TOKEN =
  'This Duet server needs its access token: open the full URL that `duet serve` printed (…/?token=…).';

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
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

  const server = createServer(
    guarded('HTTP request', handle, (err, _req, res) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `Internal error: ${(err as Error).message}`);
      else res.destroy();
    }),
  );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostHeaderAllowed(bind, req)) {
      send(res, 421, 'text/plain; charset=utf-8', 'Duet answers only on a loopback address or IP address here.');
      return;
    }
    const url = requestUrl(req);
    if (!url) {
      send(res, 400, 'text/plain; charset=utf-8', 'Malformed request target.');
      return;
    }
    if (url.pathname === '/api/invoke') {
      await invoke(req, res);
      return;
    }
    // The API answers only an explicit token; the page and media also take the cookie.
    const isApi = url.pathname === SERVE_PATHS.health || url.pathname.startsWith('/api/');
    const presented = isApi ? explicitToken(req, url) : presentedToken(req, url);
    if (!tokenMatches(token, presented)) {
      send(res, 401, 'text/plain; charset=utf-8', NEEDS_TOKEN);
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
    if (isApi) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found.');
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

  /** POST /api/invoke: JSON with the bearer token only (main/security/api-request.ts). */
  async function invoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      send(res, 405, 'text/plain; charset=utf-8', 'POST { channel, payload } here.', { Allow: 'POST' });
      return;
    }
    const refusal = apiRequestRefusal(req, token);
    if (refusal) {
      send(res, refusal.status, 'text/plain; charset=utf-8', refusal.message);
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
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessage });
  const sockets = new Set<WebSocket>();

  wss.on('error', (err) => process.stderr.write(`duet: WebSocket server error: ${err.message}\n`));

  const refuseUpgrade = (socket: Duplex, status: string): void => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  };

  /** Why an upgrade is refused (a status line), or null to accept it. */
  function upgradeRefusal(req: IncomingMessage): string | null {
    if (!hostHeaderAllowed(bind, req) || !originAllowed(req)) return '403 Forbidden';
    const url = requestUrl(req);
    if (!url) return '400 Bad Request';
    if (url.pathname !== SERVE_PATHS.api) return '404 Not Found';
    if (!tokenMatches(token, explicitToken(req, url))) return '401 Unauthorized';
    return null;
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node hands the socket over without its error listener: a reset here must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(req);
    if (refusal) {
      refuseUpgrade(socket, refusal);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('error', (err) => process.stderr.write(`duet: a WebSocket client sent bad data: ${err.message}\n`));
      ws.on('close', () => sockets.delete(ws));
      ws.on(
        'message',
        guarded(
          'WebSocket message',
          (data: RawData) => onSocketMessage(ws, rawText(data)),
          () => ws.close(1011, 'internal error'),
        ),
      );
    });
  }

  server.on(
    'upgrade',
    guarded('WebSocket upgrade', upgrade, (_err, _req, socket) => refuseUpgrade(socket, '500 Internal Server Error')),
  );

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
