import { describe, expect, it } from 'vitest';
import {
  bytesToBase64,
  connectDuetApi,
  createDuetClient,
  DUET_EVENTS,
  DUET_OPERATIONS,
  type DuetApi,
  DuetError,
  ENGINE_OPERATIONS,
  mediaUrlFor,
  OPERATION_NAMES,
  operationForChannel,
  parseRequest,
  parseResponse,
  planUploadBatches,
  tokenFromUrl,
} from '#contract';

describe('operation table', () => {
  it('gives every operation its own channel', () => {
    const channels = OPERATION_NAMES.map((n) => DUET_OPERATIONS[n].channel);
    expect(new Set(channels).size).toBe(channels.length);
    const events = Object.values(DUET_EVENTS).map((e) => e.channel);
    for (const e of events) expect(channels).not.toContain(e);
    for (const n of OPERATION_NAMES) expect(operationForChannel(DUET_OPERATIONS[n].channel)).toBe(n);
    expect(operationForChannel('duet:nope')).toBeUndefined();
  });

  it('runs settings and dialogs in the host, the rest in the engine', () => {
    expect(ENGINE_OPERATIONS).toContain('startRun');
    expect(ENGINE_OPERATIONS).not.toContain('getSettings');
    expect(ENGINE_OPERATIONS).not.toContain('chooseFolder');
  });

  it('accepts no input for operations without one, and fills defaults', () => {
    expect(parseRequest('listProjects', undefined)).toEqual({});
    expect(parseRequest('listProjects', {})).toEqual({});
    const t = parseRequest('startTranslate', { modelId: 'm1', inputs: ['/x.png'] });
    expect(t.direction).toBe('AtoB');
    expect(t.format).toBe('png');
    expect(t.outDir).toBeUndefined();
  });

  it('rejects bad payloads naming the operation and the field', () => {
    expect(() => parseRequest('createProject', { name: '' })).toThrow(/createProject: name: A project needs a name/);
    expect(() => parseRequest('startRun', { projectId: 'p', settings: { size: 3 } })).toThrow(/settings\.size/);
    expect(() => parseRequest('listProjects', { extra: 1 })).toThrow(DuetError);
    try {
      parseRequest('deleteProject', {});
    } catch (err) {
      expect((err as DuetError).code).toBe('invalid-request');
      expect((err as DuetError).message).toMatch(/projectId/);
    }
  });

  it('refuses a response that breaks the contract', () => {
    expect(() => parseResponse('deleteProject', { ok: false })).toThrow(/invalid deleteProject response/);
    expect(parseResponse('deleteProject', { ok: true })).toEqual({ ok: true });
  });
});

describe('client helpers', () => {
  it('encodes base64 like Buffer does', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 10_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + 11) & 255);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('batches uploads by size, a big file alone', () => {
    const f = (size: number) => ({ file: { name: 'x', size, arrayBuffer: async () => new ArrayBuffer(0) } });
    const batches = planUploadBatches([f(3), f(3), f(3), f(20), f(1)], 7);
    expect(batches.map((b) => b.map((x) => x.file.size))).toEqual([[3, 3], [3], [20], [1]]);
  });

  it('maps each method to its channel and filters events by run', async () => {
    const calls: Array<[string, unknown]> = [];
    const listeners = new Map<string, (p: unknown) => void>();
    const api: DuetApi = createDuetClient({
      kind: 'serve',
      invoke: async (channel, payload) => {
        calls.push([channel, payload]);
        return { ok: true };
      },
      subscribe: (channel, l) => {
        listeners.set(channel, l);
        return () => listeners.delete(channel);
      },
      mediaUrl: (p) => `m:${p}`,
      downloadUrl: () => null,
      getPathForFile: () => null,
    });
    await api.deleteProject({ projectId: 'p1' });
    expect(calls).toEqual([['duet:projects:delete', { projectId: 'p1' }]]);
    const seen: number[] = [];
    const off = api.onRunEvent((e) => seen.push(e.type === 'sample' ? e.iteration : -1), 'r1');
    const emit = listeners.get(DUET_EVENTS.run.channel);
    emit?.({ type: 'sample', runId: 'r1', iteration: 5, path: 's.png' });
    emit?.({ type: 'sample', runId: 'r2', iteration: 6, path: 's.png' });
    emit?.({ type: 'bogus' });
    expect(seen).toEqual([5]);
    off();
    expect(listeners.has(DUET_EVENTS.run.channel)).toBe(false);
    expect(api.transport).toBe('serve');
  });

  it('builds media URLs carrying the token and reads the token from a page URL', () => {
    const url = mediaUrlFor('http://127.0.0.1:9/', 'tok', 'projects/p/a b.png', { width: 128 });
    expect(url).toBe('http://127.0.0.1:9/media?path=projects%2Fp%2Fa+b.png&w=128&token=tok');
    expect(tokenFromUrl('http://127.0.0.1:9/?token=abc#x')).toBe('abc');
    expect(tokenFromUrl('not a url')).toBeNull();
  });

  it('connectDuetApi prefers the bridge and explains a missing token', () => {
    const bridge = { getSystemInfo: () => undefined } as unknown as DuetApi;
    expect(connectDuetApi({ duet: bridge })).toBe(bridge);
    expect(() => connectDuetApi({ location: { href: 'http://127.0.0.1:1/', origin: 'http://127.0.0.1:1' } })).toThrow(
      /no access token/,
    );
  });
});
