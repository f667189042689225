/**
 * How much tensor memory a training step needs at a given crop size, measured rather than guessed: one
 * trainer is built and stepped at two small probe sizes under tf.profile; what grows with H×W (the
 * activations) is scaled to the target size, the rest (weights, moments, gradients) is kept. Used to
 * refuse at once a run that cannot fit, e.g. WebAssembly's 4 GB, instead of failing minutes later.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrainingSettings } from '#contract';
import { generatorMultiple } from './networks.js';
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

/**
 * Whether a step at this crop size should recompute its generator passes (TrainerOptions.recompute) on
 * this backend: on WebAssembly above 128 px, where keeping every activation outgrows its 4 GB (a
 * reference CycleGAN step at 256 px keeps about 5 GB). Native backends have the memory to keep them.
 */
export function needsRecompute(backend: string, size: number): boolean {
  return backend === 'wasm' && size > 128;
}

export async function estimateStepMemory(
  settings: Partial<TrainingSettings>,
  options: TrainerOptions = {},
  probeSize = 32,
): Promise<StepMemoryEstimate> {
  const generator = settings.generator ?? 'resnet_9blocks';
  const multiple =
    options.unetDownsamplings !== undefined && generator.startsWith('unet')
      ? 2 ** options.unetDownsamplings
      : generatorMultiple(generator);
  if (probeSize % multiple !== 0) {
    throw new Error(
      `Cannot measure ${generator} at a ${probeSize} px probe: it takes sides that are multiples of ${multiple} px. Use a probe size that is one.`,
    );
  }
  const start = tf.memory().numBytes;
  const trainer = createTrainer(settings, options);
  const fixedBytes = tf.memory().numBytes - start;
  const batch = trainer.settings.batchSize;
  // Peak bytes of one step above what was alive before it (the inputs excluded).
  const peakAt = async (size: number): Promise<number> => {
    const a = tf.randomUniform([batch, size, size, options.channelsA ?? 3], -1, 1, 'float32', 1) as tf.Tensor4D;
    const b = tf.randomUniform([batch, size, size, options.channelsB ?? 3], -1, 1, 'float32', 2) as tf.Tensor4D;
    try {
      const atStart = tf.memory().numBytes;
      // Read asynchronously: webgpu has no synchronous read in Node.
      const info = await tf.profile(async () => {
        await trainer.stepAsync(a, b);
      });
      return Math.max(0, info.peakBytes - atStart);
    } finally {
      tf.dispose([a, b]);
    }
  };
  try {
    // Two probes separate what grows with H×W (activations) from what does not (gradients, Adam temporaries).
    const small = await peakAt(probeSize);
    const large = await peakAt(2 * probeSize);
    const bytesPerPixel = Math.max(0, large - small) / (3 * probeSize * probeSize);
    const stepFixed = Math.max(0, small - bytesPerPixel * probeSize * probeSize);
    // Image pools keep up to poolSize fakes per direction (CycleGAN).
    const poolBytesPerPixel = trainer.kind === 'cyclegan' ? 2 * trainer.settings.poolSize * 3 * 4 * batch : 0;
    return {
      probeSize,
      fixedBytes: fixedBytes + stepFixed,
      bytesPerPixel,
      estimate: (size: number) => fixedBytes + stepFixed + (bytesPerPixel + poolBytesPerPixel) * size * size,
    };
  } finally {
    trainer.dispose();
  }
}
