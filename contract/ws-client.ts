/**
 * DuetApi over WebSocket, for the renderer opened in a browser from `duet serve`. Pure TypeScript:
 * the page's own WebSocket (or an injected one in tests), no Node.
 *
 * Wire format (JSON, one message per frame):
 *   client → server  { id, channel, payload }
 *   server → client  { id, ok: true, result } | { id, ok: false, error: { code, message } }
 *                    { event: channel, payload }      (pushed run / job / engine events)
 */
import { type DuetApi, DuetError, DuetErrorPayloadSchema, type FileLike, type Unsubscribe } from './api.js';
import { createDuetClient, type DuetTransport } from './client.js';

/** The few WebSocket members used here; the DOM's WebSocket and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (ev: { data?: unknown }) => void): void;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface ServeClientOptions {
  /** Server origin, `http://127.0.0.1:4173`; in the page: `location.origin`. */
  origin: string;
  /** The token `duet serve` printed (the page reads it from its own URL: `?token=`). */
  token: string;
  /** Defaults to the global WebSocket. */
  webSocket?: WebSocketFactory;
  /** Milliseconds before a request with no answer fails (0: never). */
  timeoutMs?: number;
}

/** The WebSocket API path and the media path `duet serve` answers on. */
export const SERVE_PATHS = { api: '/api/ws', media: '/media', download: '/download', health: '/api/health' } as const;

/** Reads the token from a page URL (`http://127.0.0.1:4173/?token=abc`), or null. */
export function tokenFromUrl(href: string): string | null {
  try {
    return new URL(href).searchParams.get('token');
  } catch {
    return null;
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

export class ServeConnection {
  private socket: WebSocketLike | null = null;
  private opening: Promise<WebSocketLike> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(private readonly options: ServeClientOptions) {}

  private factory(): WebSocketFactory {
    if (this.options.webSocket) return this.options.webSocket;
    const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
    if (!Ctor) throw new Error('No WebSocket implementation in this environment.');
    return (url) => new Ctor(url);
  }

  private url(): string {
    const u = new URL(SERVE_PATHS.api, this.options.origin);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('token', this.options.token);
    return u.toString();
  }

  private connect(): Promise<WebSocketLike> {
    if (this.socket && this.socket.readyState === OPEN) return Promise.resolve(this.socket);
    if (this.opening) return this.opening;
    this.opening = new Promise<WebSocketLike>((resolve, reject) => {
      const ws = this.factory()(this.url());
      let opened = false;
      ws.addEventListener('open', () => {
        opened = true;
        this.socket = ws;
        this.opening = null;
        resolve(ws);
      });
      ws.addEventListener('message', (ev) => this.onMessage(ev.data));
      ws.addEventListener('error', () => undefined); // 'close' follows and reports; an unheard error would throw in Node
      // A refused handshake (bad token) and an unreachable server look the same here; closing tells
      // them apart by asking the health endpoint, which answers 401 to a wrong token.
      ws.addEventListener('close', () => {
        if (this.socket === ws) this.socket = null;
        if (!opened) {
          this.opening = null;
          void this.diagnose().then(reject);
        }
        this.failPending('The connection to duet serve closed before it answered.');
      });
    });
    return this.opening;
  }

  private async diagnose(): Promise<DuetError> {
    const f = (globalThis as { fetch?: (url: string) => Promise<{ status: number }> }).fetch;
    try {
      const u = new URL(SERVE_PATHS.health, this.options.origin);
      u.searchParams.set('token', this.options.token);
      const res = f ? await f(u.toString()) : null;
      if (res?.status === 401) {
        return new DuetError('unauthorized', 'duet serve refused the access token: open the URL it printed again.');
      }
    } catch {
      // unreachable: fall through
    }
    return new DuetError('failed', 'Could not connect to duet serve: is it still running?');
  }

  private failPending(message: string): void {
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new DuetError('failed', message));
      this.pending.delete(id);
    }
  }

  private onMessage(data: unknown): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      for (const l of this.listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    const id = typeof msg.id === 'number' ? msg.id : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return;
    this.pending.delete(id);
    if (p.timer) clearTimeout(p.timer);
    if (msg.ok === true) p.resolve(msg.result);
    else {
      const e = DuetErrorPayloadSchema.safeParse(msg.error);
      p.reject(
        e.success ? DuetError.fromPayload(e.data) : new DuetError('failed', 'duet serve sent a malformed error'),
      );
    }
  }

  async invoke(channel: string, payload: unknown): Promise<unknown> {
    const ws = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      const timeout = this.options.timeoutMs ?? 0;
      if (timeout > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new DuetError('failed', `${channel} had no answer after ${timeout} ms`));
        }, timeout);
      }
      this.pending.set(id, p);
      ws.send(JSON.stringify({ id, channel, payload }));
    });
  }

  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    // Events only flow on an open socket: open it now rather than at the first request.
    void this.connect().catch(() => undefined);
    return () => {
      set?.delete(listener);
    };
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }
}

export function mediaUrlFor(origin: string, token: string, path: string, options?: { width?: number }): string {
  const u = new URL(SERVE_PATHS.media, origin);
  u.searchParams.set('path', path);
  if (options?.width) u.searchParams.set('w', String(Math.round(options.width)));
  u.searchParams.set('token', token);
  return u.toString();
}

export function downloadUrlFor(origin: string, token: string, path: string): string {
  const u = new URL(SERVE_PATHS.download, origin);
  u.searchParams.set('path', path);
  u.searchParams.set('token', token);
  return u.toString();
}

/** A DuetApi talking to `duet serve`; `close()` ends its socket. */
export function createServeClient(options: ServeClientOptions): DuetApi & { close(): void } {
  const connection = new ServeConnection(options);
  const transport: DuetTransport = {
    kind: 'serve',
    invoke: (channel, payload) => connection.invoke(channel, payload),
    subscribe: (channel, listener) => connection.subscribe(channel, listener),
    mediaUrl: (path, o) => mediaUrlFor(options.origin, options.token, path, o),
    downloadUrl: (path) => downloadUrlFor(options.origin, options.token, path),
    getPathForFile: (_file: FileLike) => null,
  };
  const api = createDuetClient(transport);
  // In a browser a link opens in a new tab of that browser: no OS handler is involved, so the page does it.
  const openExternal: DuetApi['openExternal'] = async (request) => {
    const url = request?.url ?? '';
    if (!/^https?:\/\//i.test(url)) throw new DuetError('invalid-request', `Only web links open from Duet, not ${url}`);
    const open = (globalThis as { open?: (u: string, t: string, f: string) => unknown }).open;
    if (!open) throw new DuetError('not-available', 'No browser window to open the link in.');
    open(url, '_blank', 'noopener,noreferrer');
    return { ok: true };
  };
  return Object.assign(api, { openExternal, close: () => connection.close() });
}
