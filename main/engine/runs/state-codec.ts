/**
 * A checkpoint's state ⇄ its files. The trainer packs every tensor it owns (weights, batch-norm
 * statistics, Adam moments, image pools) into one buffer with an index (models/state.ts); this module
 * lays that state out on disk and nothing more: the buffer as `trainer.bin`, the run's sample inputs as
 * `run.bin`, and every other field in `state.json`, which points into the binary files by offset.
 * Numbers are little-endian and bit-exact — resume must continue the very same computation.
 *
 * Decoding validates `state.json` against a schema before anything is read from it, so a corrupted or
 * foreign file gives an error naming the field, never a half-built state.
 */
import { z } from 'zod';
import { type TrainerState, TrainerStateMetaSchema } from '../../../models/state.js';
import type { PipelinePosition } from '../dataset/pipeline.js';
import type { CheckpointFile } from './checkpoints.js';

export const STATE_FILE = 'state.json';
const TRAINER_FILE = 'trainer.bin';
const RUN_FILE = 'run.bin';

/** What a checkpoint holds: the trainer's state and where the run stood. */
export interface CheckpointState {
  trainer: TrainerState;
  run: {
    iteration: number;
    epoch: number;
    position: PipelinePosition;
    /** Seconds spent training (paused time not counted): a run on a time budget keeps what is left of it. */
    trainingSeconds?: number;
    /** The fixed images sample grids are drawn from (NHWC floats in [−1, 1]). */
    sampleInputs: { a: Float32Array; b: Float32Array; height: number; width: number; channels: number } | null;
  };
}

/** Numbers stored in a binary file, in place of a buffer or a Float32Array. */
const BlobRefSchema = z.object({
  $blob: z.enum([TRAINER_FILE, RUN_FILE]),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  array: z.enum(['uint8', 'float32']),
  buffer: z.literal(true).optional(),
});
type BlobRef = z.infer<typeof BlobRefSchema>;

const count = z.number().int().nonnegative();

const StateFileSchema = z.object({
  version: z.literal(1),
  state: z.object({
    trainer: TrainerStateMetaSchema.extend({ data: BlobRefSchema }),
    run: z.object({
      iteration: count,
      epoch: count,
      position: z.object({ seed: z.number().int(), epoch: count, index: count }),
      // Absent in checkpoints written before time budgets.
      trainingSeconds: z.number().nonnegative().optional(),
      sampleInputs: z
        .object({
          a: BlobRefSchema,
          b: BlobRefSchema,
          height: z.number().int().positive(),
          width: z.number().int().positive(),
          channels: z.number().int().positive(),
        })
        .nullable(),
    }),
  }),
});

function littleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('Checkpoints are little-endian; this machine is big-endian');
  }
}

/** One binary file built from parts, each aligned to 8 bytes so it can be viewed in place when read. */
class BlobWriter {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  constructor(private readonly name: typeof TRAINER_FILE | typeof RUN_FILE) {}

  add(data: Uint8Array | Float32Array, extra: Partial<BlobRef> = {}): BlobRef {
    const pad = (8 - (this.bytes % 8)) % 8;
    if (pad) {
      this.parts.push(new Uint8Array(pad));
      this.bytes += pad;
    }
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    const ref: BlobRef = {
      $blob: this.name,
      offset: this.bytes,
      length: data.length,
      array: data instanceof Float32Array ? 'float32' : 'uint8',
      ...extra,
    };
    this.parts.push(bytes);
    this.bytes += bytes.byteLength;
    return ref;
  }

  file(): CheckpointFile | undefined {
    return this.parts.length ? { name: this.name, data: Buffer.concat(this.parts, this.bytes) } : undefined;
  }
}

/** The files of a checkpoint's state. */
export function encodeState(state: CheckpointState): CheckpointFile[] {
  littleEndian();
  const trainerBlob = new BlobWriter(TRAINER_FILE);
  const runBlob = new BlobWriter(RUN_FILE);
  const { data, ...trainerMeta } = state.trainer;
  const inputs = state.run.sampleInputs;
  const tree = {
    version: 1,
    state: {
      trainer: { ...trainerMeta, data: trainerBlob.add(new Uint8Array(data), { buffer: true }) },
      run: {
        ...state.run,
        sampleInputs: inputs && { ...inputs, a: runBlob.add(inputs.a), b: runBlob.add(inputs.b) },
      },
    },
  };
  // Refuse what JSON would silently turn into null (NaN, Infinity), naming the field.
  const checked = StateFileSchema.safeParse(tree);
  if (!checked.success) throw new Error(`Cannot write this checkpoint state: ${z.prettifyError(checked.error)}`);
  const files = [trainerBlob.file(), runBlob.file()].filter((f): f is CheckpointFile => f !== undefined);
  files.push({ name: STATE_FILE, data: Buffer.from(JSON.stringify(tree)) });
  return files;
}

/** Rebuild a checkpoint's state from its files, validated; buffers and arrays are fresh copies. */
export function decodeState(files: ReadonlyMap<string, Uint8Array>): CheckpointState {
  littleEndian();
  const json = files.get(STATE_FILE);
  if (!json) throw new Error(`Checkpoint has no ${STATE_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(json).toString('utf8'));
  } catch (err) {
    throw new Error(`Checkpoint ${STATE_FILE} is not JSON: ${(err as Error).message}`);
  }
  const parsed = StateFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`Checkpoint ${STATE_FILE} is not a Duet checkpoint state: ${z.prettifyError(parsed.error)}`);
  }
  const { trainer, run } = parsed.data.state;

  function bytesOf(ref: BlobRef, where: string): ArrayBuffer {
    const blob = files.get(ref.$blob);
    if (!blob) throw new Error(`Checkpoint state ${where} points at a missing file ${ref.$blob}`);
    const size = ref.length * (ref.array === 'float32' ? 4 : 1);
    if (ref.offset + size > blob.byteLength) throw new Error(`Checkpoint state ${where} lies outside ${ref.$blob}`);
    const copy = new Uint8Array(size);
    copy.set(blob.subarray(ref.offset, ref.offset + size));
    return copy.buffer;
  }
  function floats(ref: BlobRef, where: string): Float32Array {
    if (ref.array !== 'float32') throw new Error(`Checkpoint state ${where} holds ${ref.array}, not float32`);
    return new Float32Array(bytesOf(ref, where));
  }

  const inputs = run.sampleInputs;
  return {
    trainer: { ...trainer, data: bytesOf(trainer.data, 'trainer.data') },
    run: {
      ...run,
      sampleInputs: inputs && {
        ...inputs,
        a: floats(inputs.a, 'run.sampleInputs.a'),
        b: floats(inputs.b, 'run.sampleInputs.b'),
      },
    },
  };
}
