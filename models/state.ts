/**
 * A trainer's state, the one serialised form of everything needed to continue a run exactly: JSON-able
 * fields (described and validated by TrainerStateMetaSchema) plus one ArrayBuffer (`data`) holding every
 * tensor listed in `tensors` — all networks' weights (batch-norm statistics included), the optimizers'
 * moments, the image pools' contents — packed here. main/engine/runs/state-codec.ts lays it out as
 * checkpoint files; this module never touches disk.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ModelTypeSchema, TrainingSettingsSchema } from '#contract';

export const TensorEntrySchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32']),
});
export type TensorEntry = z.infer<typeof TensorEntrySchema>;

const count = z.number().int().nonnegative();

/** Everything in a trainer state but its tensor bytes. */
export const TrainerStateMetaSchema = z.object({
  format: z.literal('duet-trainer-state'),
  version: z.literal(1),
  kind: ModelTypeSchema,
  settings: TrainingSettingsSchema,
  channels: z.object({ A: z.number().int().positive(), B: z.number().int().positive() }),
  /** Completed iterations. */
  iteration: count,
  learningRate: z.number().nonnegative(),
  rng: z.number().int().min(0).max(0xffffffff),
  optimizers: z.record(z.string(), z.object({ step: count })),
  pools: z.record(z.string(), z.object({ size: count, count })),
  tensors: z.array(TensorEntrySchema),
});

export type TrainerState = z.infer<typeof TrainerStateMetaSchema> & { data: ArrayBuffer };

export interface PackedTensors {
  /** Index of `data`, in byte order: each entry occupies product(shape) × 4 bytes. */
  tensors: TensorEntry[];
  data: ArrayBuffer;
}

/** Every tensor's values in one buffer, read asynchronously (every backend; webgpu has no synchronous read in Node). */
export async function packTensors(named: Array<{ name: string; tensor: tf.Tensor }>): Promise<PackedTensors> {
  const tensors: TensorEntry[] = [];
  let bytes = 0;
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new Error(`Cannot pack tensor "${name}" of dtype ${tensor.dtype}`);
    }
    tensors.push({ name, shape: [...tensor.shape], dtype: tensor.dtype });
    bytes += tensor.size * 4;
  }
  const data = new ArrayBuffer(bytes);
  let offset = 0;
  for (const { tensor } of named) {
    const values = await tensor.data();
    const view =
      tensor.dtype === 'int32'
        ? new Int32Array(data, offset, tensor.size)
        : new Float32Array(data, offset, tensor.size);
    view.set(values as Float32Array | Int32Array);
    offset += tensor.size * 4;
  }
  return { tensors, data };
}

/** Tensors by name (the caller owns and disposes them). Throws on a truncated or malformed buffer. */
export function unpackTensors(packed: PackedTensors): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  let offset = 0;
  try {
    for (const e of packed.tensors) {
      const size = e.shape.reduce((a, b) => a * b, 1);
      if (offset + size * 4 > packed.data.byteLength) {
        throw new Error(
          `Training state data is truncated: "${e.name}" needs bytes ${offset}–${offset + size * 4}, the buffer has ${packed.data.byteLength}`,
        );
      }
      const values =
        e.dtype === 'int32'
          ? new Int32Array(packed.data.slice(offset, offset + size * 4))
          : new Float32Array(packed.data.slice(offset, offset + size * 4));
      out.set(e.name, tf.tensor(values, e.shape, e.dtype));
      offset += size * 4;
    }
  } catch (err) {
    for (const t of out.values()) t.dispose();
    throw err;
  }
  if (offset !== packed.data.byteLength) {
    for (const t of out.values()) t.dispose();
    throw new Error(`Training state data has ${packed.data.byteLength} bytes, its index describes ${offset}`);
  }
  return out;
}
