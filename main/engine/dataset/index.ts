/**
 * Datasets: scanning the folders a user drops, and turning them into training batches.
 * The names exported here are what the rest of Duet calls; keep them stable.
 */

export {
  type AugmentPlan,
  type AugmentSettings,
  epochOrder,
  planAugmentation,
  proportionalLoadSize,
  type Region,
  resizeTarget,
  sampleRng,
  toTrainingFloats,
} from './augment.js';
export { decodeCrop, FLATTEN_BACKGROUND, TRAINING_CHANNELS } from './decode.js';
export { type ReadableFormat, type Sniffed, sniffFormat } from './formats.js';
export {
  alignedHalves,
  isPairedByNames,
  looksAligned,
  type NamePairing,
  pairByName,
} from './pairing.js';
export {
  type Batch,
  createPipeline,
  type DataPipeline,
  type DataWaitStats,
  MAX_CONSECUTIVE_FAILURES,
  type PipelineOptions,
  type PipelinePosition,
  type PipelineSettings,
  type SampleFailure,
  type Sampling,
  sourcesFromScan,
} from './pipeline.js';
export {
  DEFAULT_MIN_SIDE,
  DEFAULT_PIXEL_LIMIT,
  type ImageFacts,
  type ProbeOptions,
  type ProbeResult,
  probeImage,
} from './probe.js';
export {
  type DatasetScan,
  type DomainScanDetail,
  detectLayout,
  type ImageEntryDetail,
  type LayoutPlan,
  type ScanOptions,
  type Split,
  scanDataset,
  scanDomain,
  sizeStatistics,
  unusableReason,
} from './scan.js';
export { folderFingerprint, isHiddenOrSystem, type WalkResult, walkFolder } from './walk.js';
