/**
 * CUT's settings facts that need no TensorFlow: the reference's defaults for its two modes and how many
 * modules its ResNet generator has (what NCE layer numbers may name). Pure, so settings validation can use it.
 */
import type { TrainingSettings } from '#contract';

/** Residual blocks of the 'tiny' generator (tests and the quick preset). */
export const TINY_GENERATOR_BLOCKS = 2;

/**
 * The reference's settings for its two CUT modes (taesungp/contrastive-unpaired-translation, cut_model.py):
 * no image pool, anti-aliased networks, PatchNCE on layers 0,4,8,12,16 with 256 patches, τ 0.07 and a
 * 256-unit head. CUT adds identity NCE on B; FastCUT weighs NCE 10× and asks for flip equivariance instead.
 */
/** What both modes share. */
const CUT_COMMON: Partial<TrainingSettings> = {
  generator: 'resnet_9blocks',
  discriminator: 'basic',
  norm: 'instance',
  ganMode: 'lsgan',
  dropout: false,
  poolSize: 0,
  antialias: true,
  lambdaGAN: 1,
  nceLayers: [0, 4, 8, 12, 16],
  ncePatches: 256,
  nceTemperature: 0.07,
  nceMlpUnits: 256,
};

export const CUT_VARIANT_DEFAULTS: Record<'cut' | 'fastcut', Partial<TrainingSettings>> = {
  cut: { ...CUT_COMMON, lambdaNCE: 1, nceIdt: true, flipEquivariance: false, epochs: 200, epochsDecay: 200 },
  fastcut: { ...CUT_COMMON, lambdaNCE: 10, nceIdt: false, flipEquivariance: true, epochs: 150, epochsDecay: 50 },
};

/** Residual blocks of a named ResNet generator (undefined for the U-Nets). */
export function resnetBlocks(which: TrainingSettings['generator']): number | undefined {
  if (which === 'resnet_9blocks') return 9;
  if (which === 'resnet_6blocks') return 6;
  if (which === 'tiny') return TINY_GENERATOR_BLOCKS;
  return undefined;
}

/**
 * How many modules the reference's ResNet generator has (what CUT's NCE layers index): 4 in the stem,
 * 3 per resampling step (4 anti-aliased), one per residual block, 3 at the end.
 */
export function resnetLayerCount(blocks: number, antialias: boolean): number {
  const resample = antialias ? 4 : 3;
  return 4 + 2 * resample + blocks + 2 * resample + 3;
}
