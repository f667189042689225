/**
 * Duet's ML core: pure TensorFlow.js (no file system, no Electron, no sharp); runs on any tfjs backend.
 */
export { Adam, type AdamOptions } from './adam.js';
export { listNetworks, type NetworkEntry } from './catalog.js';
export { registerFastCpuKernels } from './cpu-kernels.js';
export { CUT_VARIANT_DEFAULTS, resnetBlocks, resnetLayerCount } from './cut-settings.js';
export { loadModel, saveModelArtifacts, weightBytes } from './io.js';
export {
  BlurDownsample,
  BlurUpsample,
  blurDownsample,
  blurUpsample,
  CropTopLeft,
  INSTANCE_NORM_EPSILON,
  InstanceNorm,
  instanceNorm,
  ReflectionPad2d,
  reflectPad,
  registerDuetLayers,
  SeededDropout,
  samplePatches,
} from './layers.js';
export {
  bceWithLogits,
  cycleLoss,
  GAN_MODES,
  type GanMode,
  ganLoss,
  identityLoss,
  l1Loss,
  l2NormalizeRows,
  patchNceLoss,
} from './losses.js';
export {
  estimateStepMemory,
  needsRecompute,
  type StepMemoryEstimate,
  WASM_MEMORY_LIMIT_BYTES,
} from './memory.js';
export {
  applyPatchHead,
  buildDiscriminator,
  buildGenerator,
  buildGeneratorWithLayers,
  countParameters,
  DISCRIMINATOR_NAMES,
  type DiscriminatorName,
  type DiscriminatorOptions,
  GENERATOR_NAMES,
  type GeneratorName,
  type GeneratorOptions,
  generatorFeatures,
  generatorMultiple,
  initXavier,
  type NormKind,
  type PatchDiscriminatorOptions,
  type PixelDiscriminatorOptions,
  patchDiscriminator,
  patchMlpHead,
  pixelDiscriminator,
  type ResnetGeneratorOptions,
  type ResnetGeneratorWithLayers,
  resnetGenerator,
  resnetGeneratorWithLayers,
  TINY_DISCRIMINATOR_LAYERS,
  TINY_GENERATOR_BLOCKS,
  TINY_MAX_FILTERS,
  type UnetGeneratorOptions,
  unetGenerator,
} from './networks.js';
export { DEFAULT_POOL_SIZE, ImagePool } from './pool.js';
export { Rng, type RngState } from './rng.js';
export {
  type LrScheduleSettings,
  learningRateAtEpoch,
  learningRateAtIteration,
  lrFactor,
  totalIterations,
} from './schedule.js';
export { type PackedTensors, packTensors, type TensorEntry, unpackTensors } from './state.js';
// Tiled, seamless inference for images larger than the training size.
export * from './tiling.js';
export {
  CUT_LOSS_NAMES,
  CYCLEGAN_LOSS_NAMES,
  createTrainer,
  FASTCUT_LOSS_NAMES,
  PIX2PIX_LOSS_NAMES,
  type Trainer,
  type TrainerKind,
  type TrainerOptions,
  type TrainerState,
  type TranslationDirection,
} from './trainer.js';
