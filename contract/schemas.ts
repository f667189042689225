/**
 * The one contract between the window and the engine: every request, response and event, as zod
 * schemas (runtime validation in main and in `duet serve`) and the TypeScript types inferred from them.
 *
 * Pure: no Node, no Electron. The renderer imports it too.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------
// System

export const BackendCandidateSchema = z.enum(['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu']);

export const BackendAttemptSchema = z.object({
  candidate: BackendCandidateSchema,
  ok: z.boolean(),
  reason: z.string().optional(),
});

/** The WebGPU adapter a webgpu backend runs on, and the limits that bound the largest tensor. */
export const WebGpuAdapterSchema = z.object({
  vendor: z.string(),
  architecture: z.string(),
  description: z.string(),
  /** A CPU implementation of the API (lavapipe, SwiftShader): correct, not fast. */
  software: z.boolean(),
  maxBufferSize: z.number(),
  maxStorageBufferBindingSize: z.number(),
});
export type WebGpuAdapterDto = z.infer<typeof WebGpuAdapterSchema>;

export const BackendReportSchema = z.object({
  candidate: BackendCandidateSchema,
  backend: z.string(),
  gpu: z.boolean(),
  tfjsVersion: z.string(),
  tensorflowVersion: z.string().optional(),
  wasmFeatures: z.object({ simd: z.boolean(), threads: z.boolean(), threadCount: z.number() }).optional(),
  adapter: WebGpuAdapterSchema.optional(),
  forcedBy: z.enum(['DUET_BACKEND', 'setting']).optional(),
  attempts: z.array(BackendAttemptSchema),
});
export type BackendReportDto = z.infer<typeof BackendReportSchema>;

export const SystemInfoSchema = z.object({
  duet: z.string(),
  node: z.string(),
  electron: z.string().nullable(),
  platform: z.string(),
  workspace: z.string(),
  backend: BackendReportSchema.nullable(),
  /** 'electron' in the desktop app, 'serve' in a browser against `duet serve`. */
  transport: z.enum(['electron', 'serve']),
});
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

// ---------------------------------------------------------------------------------------------------
// Training settings: one schema with defaults and validation, saved into every run and model card.

/**
 * cyclegan: unpaired, both directions. pix2pix: paired. cut / fastcut: unpaired, one direction (A → B),
 * Contrastive Unpaired Translation and its lighter variant.
 */
export const ModelTypeSchema = z.enum(['cyclegan', 'pix2pix', 'cut', 'fastcut']);
export type ModelType = z.infer<typeof ModelTypeSchema>;

export const GeneratorNameSchema = z.enum([
  'resnet_9blocks',
  'resnet_6blocks',
  'unet_256',
  'unet_128',
  'unet_64',
  'unet_32',
  'tiny',
]);
export const DiscriminatorNameSchema = z.enum(['basic', 'n_layers', 'pixel', 'tiny']);
export const GanModeSchema = z.enum(['lsgan', 'vanilla', 'hinge']);
export const NormSchema = z.enum(['instance', 'batch', 'none']);
export const PreprocessSchema = z.enum(['resize_and_crop', 'scale_width', 'none']);
export const PresetNameSchema = z.enum(['quick', 'balanced', 'reference']);
export type PresetName = z.infer<typeof PresetNameSchema>;

/** Every field optional, defaults dropped: for patches, where an absent field means "unchanged". */
export function partialWithoutDefaults(schema: z.ZodObject): z.ZodObject {
  return z
    .object(
      Object.fromEntries(
        Object.entries(schema.shape).map(([key, field]) => [
          key,
          (field instanceof z.ZodDefault ? (field.unwrap() as z.ZodType) : (field as z.ZodType)).optional(),
        ]),
      ),
    )
    .strict();
}

const positiveInt = z.number().int().positive();

export const TrainingSettingsSchema = z
  .object({
    model: ModelTypeSchema.default('cyclegan'),
    preset: PresetNameSchema.optional(),
    /** Crop size the networks train on (px). */
    size: z.number().int().min(16).max(1024).default(256),
    /** Size images are loaded at before the random crop (reference: 286 for 256). */
    loadSize: z.number().int().min(16).max(2048).default(286),
    preprocess: PreprocessSchema.default('resize_and_crop'),
    flip: z.boolean().default(true),
    generator: GeneratorNameSchema.default('resnet_9blocks'),
    discriminator: DiscriminatorNameSchema.default('basic'),
    ngf: positiveInt.max(512).default(64),
    ndf: positiveInt.max(512).default(64),
    nLayersD: z.number().int().min(1).max(6).default(3),
    norm: NormSchema.default('instance'),
    dropout: z.boolean().default(false),
    ganMode: GanModeSchema.default('lsgan'),
    lambdaA: z.number().min(0).max(1000).default(10),
    lambdaB: z.number().min(0).max(1000).default(10),
    lambdaIdentity: z.number().min(0).max(10).default(0.5),
    lambdaL1: z.number().min(0).max(10000).default(100),
    /** CUT / FastCUT: weight of the adversarial term. */
    lambdaGAN: z.number().min(0).max(1000).default(1),
    /** CUT / FastCUT: weight of PatchNCE (reference: 1 for CUT, 10 for FastCUT). */
    lambdaNCE: z.number().min(0).max(1000).default(1),
    /** CUT: PatchNCE also between each B image and G(B) (identity NCE); FastCUT: off. */
    nceIdt: z.boolean().default(true),
    /** Generator layers PatchNCE compares, numbered as the reference's ResNet generator numbers its modules. */
    nceLayers: z
      .array(z.number().int().min(0).max(64))
      .min(1)
      .max(16)
      .refine((l) => l.every((v, i) => i === 0 || v > l[i - 1]!), {
        message: 'NCE layers must be distinct and in increasing order, e.g. [0, 4, 8, 12, 16]',
      })
      .default([0, 4, 8, 12, 16]),
    /** Patch locations sampled per layer and image. */
    ncePatches: z.number().int().min(2).max(4096).default(256),
    /** Temperature τ of the PatchNCE softmax. */
    nceTemperature: z.number().positive().max(10).default(0.07),
    /** Units of the projection head's two layers (reference netF_nc). */
    nceMlpUnits: positiveInt.max(4096).default(256),
    /** FastCUT: a flipped input must give flipped features (flip equivariance). */
    flipEquivariance: z.boolean().default(false),
    /** Blur before stride-2 downsampling and after upsampling (CUT reference default; no parameters). */
    antialias: z.boolean().default(false),
    /**
     * Flat-colour outputs found in the data. 'auto': when a run starts, each output domain's training
     * images are looked at and, where a few flat colours cover almost every pixel (maps, label images),
     * the generator into that domain draws in exactly those colours (recorded in `palettes`; ResNet
     * generators only). 'off': never; the generator draws any colour.
     */
    outputPalette: z.enum(['auto', 'off']).default('auto'),
    /**
     * Flat-colour outputs: the colours (0–255 per channel) the generator into each domain draws in, for
     * domains drawn in a few flat colours (maps, label images). ResNet generators only.
     */
    palettes: z
      .object({
        A: z
          .array(z.array(z.number().int().min(0).max(255)).min(1).max(4))
          .min(2)
          .max(64)
          .optional(),
        B: z
          .array(z.array(z.number().int().min(0).max(255)).min(1).max(4))
          .min(2)
          .max(64)
          .optional(),
      })
      .strict()
      .optional(),
    /**
     * CycleGAN: cycles whose loss trains only the generator that translates back. 'B': in the B → A → B
     * cycle, G_B's translation is a constant, so that cycle trains G_A on pairs (G_B(b), b) — G_B cannot
     * hide b in its output for G_A to read back, and G_A learns from images made to pass for A. 'A' the
     * same for the A → B → A cycle and G_B; 'none' (the reference): each cycle trains both generators.
     */
    cycleDetach: z.enum(['none', 'A', 'B', 'both']).default('none'),
    poolSize: z.number().int().min(0).max(1000).default(50),
    lr: z.number().positive().max(1).default(2e-4),
    beta1: z.number().min(0).max(0.999).default(0.5),
    beta2: z.number().min(0).max(0.9999).default(0.999),
    batchSize: positiveInt.max(64).default(1),
    /** Epochs at the initial learning rate, then epochs of linear decay to zero. */
    epochs: z.number().int().min(0).max(10000).default(100),
    epochsDecay: z.number().int().min(0).max(10000).default(100),
    /** When set, the run stops after this many iterations (and the schedule is laid over them). */
    iterations: positiveInt.max(10_000_000).optional(),
    /**
     * When set, the run trains for this many minutes of training time (paused time does not count), the
     * learning rate laid over the budget as over epochs; with `iterations` given alongside it, whichever
     * comes first. A length chosen at the start (minutes, iterations or epochs) replaces the preset's and
     * the project's saved one rather than joining it (withoutReplacedLength in main/engine/runs/settings.ts).
     */
    minutes: z.number().positive().max(1440).optional(),
    checkpointEvery: positiveInt.default(500),
    sampleEvery: positiveInt.default(100),
    keepCheckpoints: positiveInt.max(100).default(3),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  })
  .strict();
export type TrainingSettings = z.infer<typeof TrainingSettingsSchema>;
export type TrainingSettingsInput = z.input<typeof TrainingSettingsSchema>;

/**
 * Some training settings, as a project or a preset stores them: every field optional and, unlike
 * `TrainingSettingsSchema.partial()` (zod fills defaults even in optional fields), no defaults filled in,
 * so a project keeps only what the user chose.
 */
export const TrainingSettingsPatchSchema: z.ZodType<
  Partial<TrainingSettings>,
  Partial<TrainingSettingsInput>
> = partialWithoutDefaults(TrainingSettingsSchema) as never;
export type TrainingSettingsPatch = Partial<TrainingSettings>;

// ---------------------------------------------------------------------------------------------------
// Projects and data

export const SkippedFileSchema = z.object({ path: z.string(), reason: z.string() });
export type SkippedFile = z.infer<typeof SkippedFileSchema>;

export const ImageEntrySchema = z.object({
  path: z.string(),
  /** Path relative to the scanned folder. */
  relative: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  format: z.string(),
});
export type ImageEntry = z.infer<typeof ImageEntrySchema>;

export const DomainScanSchema = z.object({
  root: z.string(),
  name: z.string(),
  images: z.array(ImageEntrySchema),
  skipped: z.array(SkippedFileSchema),
});
export type DomainScan = z.infer<typeof DomainScanSchema>;

export const PairingSchema = z.object({
  kind: z.enum(['paired-names', 'aligned', 'unpaired']),
  /** Suggested model type for this data. */
  suggestedModel: ModelTypeSchema,
  pairs: z.number().int(),
  unmatchedA: z.array(z.string()),
  unmatchedB: z.array(z.string()),
});

/** A split of a dataset folder: trainA/ trainB/ (or train/ of A|B images) is 'train', and so on. */
export const SplitSchema = z.enum(['train', 'val', 'test']);
export type Split = z.infer<typeof SplitSchema>;

/**
 * What a scan found, for the window and the CLI alike. Layouts, from one folder DIR: DIR/trainA, DIR/trainB
 * (+ testA, testB) is 'train-test-folders'; DIR/A, DIR/B is 'two-folders'; DIR/train (+ val, test) of A|B
 * images, or DIR of A|B images, is 'aligned' (b is null: every image holds both domains, A on the left);
 * DIR of other images is 'two-folders' with domain B missing. Two folders are 'two-folders'.
 */
export const ScanReportSchema = z.object({
  layout: z.enum(['two-folders', 'train-test-folders', 'aligned']),
  /** The folders the scan was given (absolute): one folder (b null), or domain A's and domain B's. */
  folders: z.object({ a: z.string(), b: z.string().nullable() }),
  /** True when the one folder given holds both domains (trainA/ trainB/, A/ B/, or A|B images). */
  bothInOneFolder: z.boolean(),
  a: DomainScanSchema,
  b: DomainScanSchema.nullable(),
  /** The split scanned, for layouts with splits (null: the layout has none). */
  split: SplitSchema.nullable(),
  /** Every split the folder holds. */
  splits: z.array(SplitSchema),
  /** Sub-folders (relative to the folder given) of the splits not trained on: ['testA', 'testB'], ['val', 'test']. */
  heldOut: z.array(z.string()),
  /** Whether training can start on this data; whyNot says why not in a plain sentence. */
  canTrain: z.boolean(),
  whyNot: z.string().nullable(),
  pairing: PairingSchema,
  sizeStats: z.object({
    minWidth: z.number(),
    maxWidth: z.number(),
    minHeight: z.number(),
    maxHeight: z.number(),
    medianWidth: z.number(),
    medianHeight: z.number(),
  }),
  /** Things the user should know about this data, in plain sentences. */
  notes: z.array(z.string()).optional(),
});
export type ScanReport = z.infer<typeof ScanReportSchema>;

export const ProjectSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  domainA: z.string().nullable(),
  domainB: z.string().nullable(),
  model: ModelTypeSchema,
  settings: TrainingSettingsPatchSchema,
  sample: z.boolean().default(false),
});
export type Project = z.infer<typeof ProjectSchema>;

// ---------------------------------------------------------------------------------------------------
// Runs and their live events

export const RunStateSchema = z.enum(['starting', 'running', 'paused', 'stopping', 'stopped', 'finished', 'failed']);
export type RunState = z.infer<typeof RunStateSchema>;
/** The states a run ends in: no step runs after them (it may be resumed as a new start). */
export const ENDED_RUN_STATES = ['stopped', 'finished', 'failed'] as const satisfies readonly RunState[];
export type EndedRunState = (typeof ENDED_RUN_STATES)[number];
export function isRunEnded(state: RunState): state is EndedRunState {
  return (ENDED_RUN_STATES as readonly RunState[]).includes(state);
}
/** Starting, running, paused or stopping: a run that holds its trainer and may still step. */
export function isRunLive(state: RunState): boolean {
  return !isRunEnded(state);
}

/** All losses by the reference's names: G_A, G_B, D_A, D_B, cycle_A, cycle_B, idt_A, idt_B; G_GAN, G_L1, D_real, D_fake. */
export const LossesSchema = z.record(z.string(), z.number());

export const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  runId: z.string(),
  iteration: z.number().int(),
  totalIterations: z.number().int(),
  epoch: z.number().int(),
  losses: LossesSchema,
  lr: z.number(),
  itPerSec: z.number(),
  etaSeconds: z.number().nullable(),
  dataWaitShare: z.number().optional(),
  /** Seconds spent training so far (paused time not counted), and the run's time budget when it has one. */
  trainingSeconds: z.number().optional(),
  budgetSeconds: z.number().optional(),
});
export const SampleEventSchema = z.object({
  type: z.literal('sample'),
  runId: z.string(),
  iteration: z.number().int(),
  /** Workspace-relative path of the PNG sample grid. */
  path: z.string(),
});
export const StateEventSchema = z.object({
  type: z.literal('state'),
  runId: z.string(),
  state: RunStateSchema,
  /** The iteration the run is at when its state changes (where a stopped run stopped). */
  iteration: z.number().int().optional(),
  message: z.string().optional(),
});
export const CheckpointEventSchema = z.object({
  type: z.literal('checkpoint'),
  runId: z.string(),
  iteration: z.number().int(),
  path: z.string(),
});
export const RunEventSchema = z.discriminatedUnion('type', [
  ProgressEventSchema,
  SampleEventSchema,
  StateEventSchema,
  CheckpointEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

export const CheckpointInfoSchema = z.object({ iteration: z.number().int(), createdAt: z.string(), path: z.string() });
export type CheckpointInfo = z.infer<typeof CheckpointInfoSchema>;

export const RunSummarySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  state: RunStateSchema,
  iteration: z.number().int(),
  totalIterations: z.number().int(),
  /** Seconds spent training (paused time not counted), as of the last checkpoint or state change. */
  trainingSeconds: z.number().optional(),
  settings: TrainingSettingsSchema,
  backend: z.string(),
  createdAt: z.string(),
  checkpoints: z.array(CheckpointInfoSchema),
  samples: z.array(z.object({ iteration: z.number().int(), path: z.string() })),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

// ---------------------------------------------------------------------------------------------------
// Translation, export, models

export const DirectionSchema = z.enum(['AtoB', 'BtoA']);
export type Direction = z.infer<typeof DirectionSchema>;
export const ImageFormatSchema = z.enum(['png', 'jpeg', 'webp']);

export const TranslateRequestSchema = z.object({
  modelId: z.string(),
  direction: DirectionSchema.default('AtoB'),
  inputs: z.array(z.string()).min(1),
  outDir: z.string(),
  format: ImageFormatSchema.default('png'),
  quality: z.number().int().min(1).max(100).default(90),
  /** Naming pattern: {name} (original base name), {ext}, {direction}, {model}, {index}. */
  naming: z.string().default('{name}'),
  overwrite: z.boolean().default(false),
  tile: z.number().int().min(32).max(4096).optional(),
  keepMetadata: z.boolean().default(false),
});
export type TranslateRequest = z.infer<typeof TranslateRequestSchema>;

/** What a finished (or cancelled) translation job did, file by file. */
export const TranslateReportSchema = z.object({
  jobId: z.string(),
  translated: z.array(
    z.object({
      input: z.string(),
      output: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      tiles: z.number().int(),
    }),
  ),
  /** Outputs that already existed and were left alone. */
  existing: z.array(z.object({ input: z.string(), output: z.string() })),
  /** Inputs that could not be translated, with why. */
  failed: z.array(z.object({ path: z.string(), reason: z.string() })),
  cancelled: z.boolean(),
  seconds: z.number(),
});
export type TranslateReport = z.infer<typeof TranslateReportSchema>;

export const JobEventSchema = z.object({
  type: z.enum(['progress', 'item', 'done', 'cancelled', 'failed']),
  jobId: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  etaSeconds: z.number().nullable().optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  skipped: z.string().optional(),
  error: z.string().optional(),
  /** The direction an evaluation is translating now. */
  direction: DirectionSchema.optional(),
  /** On a translation's 'done' or 'cancelled': the whole report. */
  report: TranslateReportSchema.optional(),
});
export type JobEvent = z.infer<typeof JobEventSchema>;

export const ModelCardSchema = z.object({
  id: z.string(),
  name: z.string(),
  model: ModelTypeSchema,
  architecture: z.object({ generator: z.string(), discriminator: z.string(), norm: z.string() }),
  directions: z.object({ A: z.string(), B: z.string() }),
  data: z.object({ countA: z.number().int(), countB: z.number().int(), pairing: z.string() }),
  iterations: z.number().int(),
  settings: TrainingSettingsSchema,
  metrics: z.record(z.string(), z.record(z.string(), z.number())).default({}),
  backend: z.string(),
  createdAt: z.string(),
  source: z.object({ projectId: z.string(), runId: z.string() }).optional(),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

// ---------------------------------------------------------------------------------------------------
// App settings (persisted by electron-store in the desktop app, a JSON file under `duet serve`)

export const AppSettingsSchema = z.object({
  workspace: z.string().optional(),
  backend: z.enum(['auto', ...BackendCandidateSchema.options]).default('auto'),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  recentProjects: z.array(z.string()).default([]),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;
