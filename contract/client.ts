/**
 * Builds a DuetApi from a transport's two primitives (invoke a channel, listen to an event channel).
 * The preload bridge and the browser's WebSocket client both use it, so the two transports expose
 * exactly the same methods. Pure TypeScript: no Node, no Electron, no DOM.
 */
import {
  DUET_EVENTS,
  DUET_OPERATIONS,
  type DuetApi,
  DuetError,
  DuetErrorPayloadSchema,
  type DuetEventName,
  type DuetEventPayload,
  type DuetOperationName,
  type DuetOperationsApi,
  type FileLike,
  OPERATION_NAMES,
  type Unsubscribe,
  type UploadFilesResponse,
} from './api.js';

export interface DuetTransport {
  readonly kind: 'electron' | 'serve' | 'cli';
  /** Send one request on an operation's channel; resolves with the response or rejects with a DuetError. */
  invoke(channel: string, payload: unknown): Promise<unknown>;
  /** Listen to an event channel; returns the unsubscribe. */
  subscribe(channel: string, listener: (payload: unknown) => void): Unsubscribe;
  mediaUrl(path: string, options?: { width?: number }): string;
  downloadUrl(path: string): string | null;
  getPathForFile(file: FileLike): string | null;
}

/**
 * Main answers IPC requests as `{ ok: true, result } | { ok: false, error: { code, message } }` (Electron
 * keeps only the message of a thrown error); this turns the envelope back into a value or a DuetError.
 */
export function unwrapIpcAnswer(channel: string, answer: unknown): unknown {
  const a = answer as { ok?: unknown; result?: unknown; error?: unknown } | null;
  if (a?.ok === true) return a.result;
  const e = DuetErrorPayloadSchema.safeParse(a?.error);
  throw e.success ? DuetError.fromPayload(e.data) : new DuetError('failed', `${channel} failed without a reason`);
}

/** Bytes per upload request: large enough to be quick, small enough for one WebSocket message. */
export const UPLOAD_BATCH_BYTES = 4 * 1024 * 1024;

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without Buffer or btoa, so it runs in the page, the preload and Node alike. */
export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    chunk += B64[(n >> 18) & 63];
    chunk += B64[(n >> 12) & 63];
    chunk += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    chunk += i + 2 < bytes.length ? B64[n & 63] : '=';
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

/** Group dropped files into upload batches of at most `limit` bytes (a bigger file goes alone). */
export function planUploadBatches<T extends { file: FileLike }>(files: T[], limit = UPLOAD_BATCH_BYTES): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (bytes + f.file.size > limit || current.length >= 500)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.file.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export function createDuetClient(transport: DuetTransport): DuetApi {
  const ops = {} as Record<DuetOperationName, (request?: unknown) => Promise<unknown>>;
  for (const name of OPERATION_NAMES) {
    const { channel } = DUET_OPERATIONS[name];
    ops[name] = (request?: unknown) => transport.invoke(channel, request);
  }
  const api = ops as unknown as DuetOperationsApi;

  function on<E extends DuetEventName>(
    event: E,
    listener: (payload: DuetEventPayload<E>) => void,
    filter?: (payload: DuetEventPayload<E>) => boolean,
  ): Unsubscribe {
    return transport.subscribe(DUET_EVENTS[event].channel, (raw) => {
      const parsed = DUET_EVENTS[event].schema.safeParse(raw);
      if (!parsed.success) return; // a malformed event is dropped, never half-shown
      const payload = parsed.data as DuetEventPayload<E>;
      if (!filter || filter(payload)) listener(payload);
    });
  }

  async function uploadDroppedFiles(
    files: Array<{ file: FileLike; relativePath: string }>,
    label: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<UploadFilesResponse> {
    if (files.length === 0) throw new Error('Nothing to upload: the drop held no files.');
    let uploadId: string | undefined;
    let last: UploadFilesResponse | undefined;
    let done = 0;
    for (const batch of planUploadBatches(files)) {
      const encoded = await Promise.all(
        batch.map(async (f) => ({
          relativePath: f.relativePath,
          base64: bytesToBase64(new Uint8Array(await f.file.arrayBuffer())),
        })),
      );
      last = await api.uploadFiles({ uploadId, label, files: encoded });
      uploadId = last.uploadId;
      done += batch.length;
      onProgress?.(done, files.length);
    }
    return last as UploadFilesResponse;
  }

  return {
    ...api,
    onRunEvent: (listener, runId) => on('run', listener, runId ? (e) => e.runId === runId : undefined),
    onJobEvent: (listener, jobId) => on('job', listener, jobId ? (e) => e.jobId === jobId : undefined),
    onEngineStatus: (listener) => on('engine', listener),
    mediaUrl: (path, options) => transport.mediaUrl(path, options),
    downloadUrl: (path) => transport.downloadUrl(path),
    getPathForFile: (file) => transport.getPathForFile(file),
    uploadDroppedFiles,
    transport: transport.kind,
  };
}
