/**
 * Trainer state ⇄ checkpoint files. The state is any tree of plain values, typed arrays, ArrayBuffers and
 * tensors; its
 * numbers go into one binary file per top-level key (`G_A.bin`, `optimizer.bin`, ...), little-endian
 * and bit-exact, and its shape into `state.json`. Bit-exact matters: resume must continue the very same
 * computation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CheckpointFile } from './checkpoints.js';

export const STATE_FILE = 'state.json';

type TypedArray = Float32Array | Int32Array | Uint8Array | Float64Array | Uint32Array | Int16Array | Uint16Array;
const ARRAY_TYPES = {
  float32: Float32Array,
  int32: Int32Array,
  uint8: Uint8Array,
  float64: Float64Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
} as const;
type ArrayKind = keyof typeof ARRAY_TYPES;

/** A reference to numbers stored in a binary file, left in place of a tensor or typed array. */
interface BlobRef {
  $blob: string;
  offset: number;
  length: number;
  array: ArrayKind;
  /** Present when the value was a tensor: it is revived as one. */
  tensor?: { shape: number[]; dtype: tf.DataType };
  /** The value was a bare ArrayBuffer (revived as one). */
  buffer?: true;
}

function arrayKind(a: TypedArray): ArrayKind {
  for (const [kind, ctor] of Object.entries(ARRAY_TYPES)) {
    if (a instanceof ctor) return kind as ArrayKind;
  }
  throw new Error(`Unsupported typed array in trainer state: ${a.constructor.name}`);
}

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function safeFileStem(key: string): string {
  const stem = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64);
  return stem || 'state';
}

/**
 * Serialise a trainer state. Tensors are read with `data()` (not disposed: the caller owns them).
 * Non-finite numbers and anything JSON cannot hold outside arrays are refused with the path named.
 */
export async function encodeState(state: Record<string, unknown>): Promise<CheckpointFile[]> {
  const blobs = new Map<string, { parts: Uint8Array[]; bytes: number }>();
  const usedStems = new Set<string>();

  async function walk(value: unknown, where: string, blobName: string): Promise<unknown> {
    if (value instanceof tf.Tensor) {
      if (value.isDisposed) throw new Error(`Trainer state ${where} is a disposed tensor`);
      const data = (await value.data()) as TypedArray;
      const ref = store(data, blobName);
      ref.tensor = { shape: [...value.shape], dtype: value.dtype };
      return ref;
    }
    if (isTypedArray(value)) return store(value, blobName);
    if (value instanceof ArrayBuffer) {
      const ref = store(new Uint8Array(value), blobName);
      ref.buffer = true;
      return ref;
    }
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++) out.push(await walk(value[i], `${where}[${i}]`, blobName));
      return out;
    }
    if (value !== null && typeof value === 'object') {
      if (value instanceof Map || value instanceof Set)
        throw new Error(`Trainer state ${where}: Map/Set not supported`);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        out[k] = await walk(v, `${where}.${k}`, blobName);
      }
      return out;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new Error(`Trainer state ${where} is ${value}: a checkpoint cannot hold it`);
    }
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new Error(`Trainer state ${where} is a ${typeof value}`);
    }
    return value;
  }

  function store(data: TypedArray, blobName: string): BlobRef {
    let blob = blobs.get(blobName);
    if (!blob) {
      blob = { parts: [], bytes: 0 };
      blobs.set(blobName, blob);
    }
    // Keep every array aligned to 8 bytes so it can be viewed in place when read back.
    const pad = (8 - (blob.bytes % 8)) % 8;
    if (pad) {
      blob.parts.push(new Uint8Array(pad));
      blob.bytes += pad;
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const ref: BlobRef = { $blob: blobName, offset: blob.bytes, length: data.length, array: arrayKind(data) };
    blob.parts.push(bytes);
    blob.bytes += bytes.byteLength;
    return ref;
  }

  const tree: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    let stem = safeFileStem(key);
    for (let n = 2; usedStems.has(stem); n++) stem = `${safeFileStem(key)}_${n}`;
    usedStems.add(stem);
    tree[key] = await walk(value, key, `${stem}.bin`);
  }
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('Checkpoints are little-endian; this machine is big-endian');
  }
  const files: CheckpointFile[] = [];
  for (const [name, blob] of blobs) files.push({ name, data: Buffer.concat(blob.parts, blob.bytes) });
  files.push({ name: STATE_FILE, data: Buffer.from(JSON.stringify({ version: 1, state: tree })) });
  return files;
}

export interface DecodeOptions {
  /** Turn stored tensors back into tensors (the caller owns them). Default true. */
  tensors?: boolean;
}

/** Rebuild a trainer state from checkpoint files. Typed arrays are fresh copies. */
export function decodeState(files: Map<string, Uint8Array>, options: DecodeOptions = {}): Record<string, unknown> {
  const wantTensors = options.tensors ?? true;
  const json = files.get(STATE_FILE);
  if (!json) throw new Error(`Checkpoint has no ${STATE_FILE}`);
  const parsed = JSON.parse(Buffer.from(json).toString('utf8')) as { version: number; state: Record<string, unknown> };
  const created: tf.Tensor[] = [];

  function revive(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((v, i) => revive(v, `${where}[${i}]`));
    if (value !== null && typeof value === 'object') {
      const ref = value as Partial<BlobRef>;
      if (typeof ref.$blob === 'string') return readBlob(ref as BlobRef, where);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = revive(v, `${where}.${k}`);
      return out;
    }
    return value;
  }

  function readBlob(ref: BlobRef, where: string): unknown {
    const blob = files.get(ref.$blob);
    const Ctor = ARRAY_TYPES[ref.array];
    if (!blob || !Ctor) throw new Error(`Checkpoint state ${where} points at a missing file ${ref.$blob}`);
    const bytes = ref.length * Ctor.BYTES_PER_ELEMENT;
    if (ref.offset < 0 || ref.offset + bytes > blob.byteLength) {
      throw new Error(`Checkpoint state ${where} lies outside ${ref.$blob}`);
    }
    const copy = new Uint8Array(bytes);
    copy.set(blob.subarray(ref.offset, ref.offset + bytes));
    if (ref.buffer) return copy.buffer;
    const array = new Ctor(copy.buffer);
    if (ref.tensor && wantTensors) {
      const t = tf.tensor(array as Float32Array | Int32Array | Uint8Array, ref.tensor.shape, ref.tensor.dtype);
      created.push(t);
      return t;
    }
    return array;
  }

  try {
    return revive(parsed.state, 'state') as Record<string, unknown>;
  } catch (err) {
    for (const t of created) t.dispose();
    throw err;
  }
}

/** Every tensor inside a decoded state, so the caller can dispose them after importing. */
export function tensorsIn(value: unknown, out: tf.Tensor[] = []): tf.Tensor[] {
  if (value instanceof tf.Tensor) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (value !== null && typeof value === 'object' && !isTypedArray(value)) {
    for (const v of Object.values(value)) tensorsIn(v, out);
  }
  return out;
}
