/**
 * How much tensor memory a training step needs at a given crop size, measured rather than guessed: one
 * trainer is built and stepped at a small probe size under tf.profile, and the activations are scaled by
 * pixel count (they grow with H×W; weights and optimizer moments do not). Used to refuse at once a run
 * that cannot fit, e.g. WebAssembly's 4 GB, instead of failing minutes later.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingSettings } from '../main/contract/index.js';
import { createTrainer, type TrainerOptions } from './trainer.js';

export interface StepMemoryEstimate {
  probeSize: number;
  /** Weights, optimizer moments and other size-independent tensors (bytes). */
  fixedBytes: number;
  /** Peak activation bytes per pixel of the crop during one step. */
  bytesPerPixel: number;
  /** Estimated peak tensor bytes of one step at `size` px (square crops, the given batch). */
  estimate(size: number): number;
}

/** WebAssembly's address space: tensors, the heap and the module share 4 GiB. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

export async function estimateStepMemory(
  settings: Partial<TrainingSettings>,
  options: TrainerOptions = {},
  probeSize = 32,
): Promise<StepMemoryEstimate> {
  const start = tf.memory().numBytes;
  const trainer = createTrainer(settings, options);
  const batch = trainer.settings.batchSize;
  const a = tf.randomUniform([batch, probeSize, probeSize, options.channelsA ?? 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const b = tf.randomUniform([batch, probeSize, probeSize, options.channelsB ?? 3], -1, 1, 'float32', 2) as tf.Tensor4D;
  try {
    const fixedBytes = tf.memory().numBytes - start - a.size * 8;
    const atStart = tf.memory().numBytes;
    const info = await tf.profile(() => {
      trainer.step(a, b);
    });
    const bytesPerPixel = Math.max(0, info.peakBytes - atStart) / (probeSize * probeSize);
    // Image pools keep up to poolSize fakes per direction (CycleGAN).
    const poolBytesPerPixel = trainer.kind === 'cyclegan' ? 2 * trainer.settings.poolSize * 3 * 4 : 0;
    return {
      probeSize,
      fixedBytes,
      bytesPerPixel,
      estimate: (size: number) => fixedBytes + (bytesPerPixel + poolBytesPerPixel) * size * size,
    };
  } finally {
    trainer.dispose();
    tf.dispose([a, b]);
  }
}
