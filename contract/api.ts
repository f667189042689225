/**
 * DuetApi: every operation the window can ask of Duet, with one channel name and one zod schema for
 * its request and its response, plus the pushed events. The same table drives the preload bridge
 * (IPC), the `duet serve` transport (WebSocket/HTTP), the engine process protocol and their tests.
 *
 * Names are stable: add operations, never rename them. Pure: no Node, no Electron, no DOM.
 */
import { z } from 'zod';
import {
  type AppSettings,
  AppSettingsSchema,
  CheckpointInfoSchema,
  DirectionSchema,
  GeneratorNameSchema,
  JobEventSchema,
  ModelCardSchema,
  ModelTypeSchema,
  PresetNameSchema,
  ProjectSchema,
  partialWithoutDefaults,
  RunEventSchema,
  RunSummarySchema,
  ScanReportSchema,
  SystemInfoSchema,
  TrainingSettingsPatchSchema,
  TrainingSettingsSchema,
  TranslateRequestSchema,
} from './schemas.js';

// ---------------------------------------------------------------------------------------------------
// Building blocks

/** Operations without input accept nothing, `{}` or `undefined`. */
const NoInput = z
  .object({})
  .strict()
  .optional()
  .transform(() => ({}));
const Ok = z.object({ ok: z.literal(true) });

const Id = z.string().min(1).max(200);
/** An absolute or workspace-relative path on the machine that runs Duet's engine. */
const PathString = z.string().min(1).max(4096);

const ProjectRef = z.object({ projectId: Id }).strict();
const RunRef = z.object({ projectId: Id, runId: Id }).strict();
const ModelRef = z.object({ modelId: Id }).strict();

// ---------------------------------------------------------------------------------------------------
// Request / response shapes that only the API needs

export const SettingsPatchSchema: z.ZodType<Partial<AppSettings>, Partial<AppSettings>> = partialWithoutDefaults(
  AppSettingsSchema,
) as never;
export type SettingsPatch = Partial<AppSettings>;

export const CreateProjectRequestSchema = z
  .object({
    name: z.string().trim().min(1, 'A project needs a name').max(120),
    domainA: PathString.nullable().optional(),
    domainB: PathString.nullable().optional(),
    model: ModelTypeSchema.optional(),
    settings: TrainingSettingsPatchSchema.optional(),
  })
  .strict();
export type CreateProjectRequest = z.input<typeof CreateProjectRequestSchema>;

export const UpdateProjectRequestSchema = z
  .object({
    projectId: Id,
    name: z.string().trim().min(1).max(120).optional(),
    domainA: PathString.nullable().optional(),
    domainB: PathString.nullable().optional(),
    model: ModelTypeSchema.optional(),
    settings: TrainingSettingsPatchSchema.optional(),
  })
  .strict();
export type UpdateProjectRequest = z.input<typeof UpdateProjectRequestSchema>;

export const OpenProjectResponseSchema = z.object({
  project: ProjectSchema,
  runs: z.array(RunSummarySchema),
});
export type OpenProjectResponse = z.infer<typeof OpenProjectResponseSchema>;

export const ScanFoldersRequestSchema = z
  .object({
    /** Domain A folder (or the one folder of an aligned / trainA-trainB dataset). */
    a: PathString,
    /** Domain B folder; absent for a single folder holding both domains. */
    b: PathString.nullable().optional(),
  })
  .strict();
export type ScanFoldersRequest = z.input<typeof ScanFoldersRequestSchema>;

/**
 * Before a run: are the domains its generators draw into drawn in a few flat colours (maps, label
 * images)? Looks at the project's folders (or the two given) with the settings chosen so far; the
 * project's own settings and the preset fill in the rest, as they would for the run.
 */
export const OutputColoursRequestSchema = z
  .object({
    projectId: Id.optional(),
    /** These folders rather than the project's. */
    data: z.object({ a: PathString, b: PathString.nullable().optional() }).strict().optional(),
    preset: PresetNameSchema.optional(),
    /** The settings chosen so far; only the model, generator and outputPalette matter here. */
    settings: TrainingSettingsPatchSchema.optional(),
  })
  .strict()
  .refine((r) => r.projectId !== undefined || r.data !== undefined, {
    message: 'Name the project (projectId), or the data folders (data)',
    path: ['projectId'],
  });
export type OutputColoursRequest = z.input<typeof OutputColoursRequestSchema>;
const Channel = z.number().int().min(0).max(255);
export const OutputDomainColoursSchema = z.object({
  /** The domain a generator draws into: B (A → B), and A for CycleGAN's B → A generator. */
  domain: z.enum(['A', 'B']),
  /** Its folder's name, or which halves of a folder of A|B images. */
  label: z.string(),
  /** Null when its images are not drawn in a few flat colours (photos), or none could be read. */
  palette: z
    .object({
      /** The colours (R, G, B), most common first. */
      colours: z
        .array(z.tuple([Channel, Channel, Channel]))
        .min(2)
        .max(32),
      /** Share of the pixels looked at that are one of the colours (0–1). */
      coverage: z.number().min(0).max(1),
      /** Images looked at (at most 64, spread over the folder). */
      images: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type OutputDomainColours = z.infer<typeof OutputDomainColoursSchema>;
export const OutputColoursSchema = z.object({
  /**
   * What a run started with these settings does with the flat colours found: 'drawn' in exactly them
   * (outputPalette 'auto'); 'off', any colour (outputPalette 'off'); 'unsupported', any colour because
   * the generator has no flat-colour output (the U-Nets).
   */
  use: z.enum(['drawn', 'off', 'unsupported']),
  generator: GeneratorNameSchema,
  domains: z.array(OutputDomainColoursSchema),
  /** Why the folders could not be looked at (no data chosen, a folder missing, no usable images). */
  problem: z.string().optional(),
});
export type OutputColours = z.infer<typeof OutputColoursSchema>;

/**
 * One batch of files dropped in a browser, uploaded into the workspace (`uploads/<uploadId>/`).
 * The first batch has no uploadId; the response's uploadId continues the same folder.
 */
export const UploadFilesRequestSchema = z
  .object({
    uploadId: Id.optional(),
    /** Human label for the folder (the dropped folder's name). */
    label: z.string().min(1).max(120),
    files: z
      .array(
        z
          .object({
            /** Path inside the dropped folder, with `/` separators: `trainA/0001.jpg`. */
            relativePath: z.string().min(1).max(1024),
            /** File bytes, base64. */
            base64: z.string(),
          })
          .strict(),
      )
      .max(500),
  })
  .strict();
export type UploadFilesRequest = z.input<typeof UploadFilesRequestSchema>;
export const UploadFilesResponseSchema = z.object({
  uploadId: Id,
  /** Absolute path of the upload folder on the engine's machine: pass it to scanFolders. */
  folder: z.string(),
  written: z.number().int(),
});
export type UploadFilesResponse = z.infer<typeof UploadFilesResponseSchema>;

export const PresetSchema = z.object({
  name: PresetNameSchema,
  description: z.string(),
  settings: TrainingSettingsPatchSchema,
});
export type Preset = z.infer<typeof PresetSchema>;
export const ListPresetsRequestSchema = z.object({ model: ModelTypeSchema.optional() }).strict().optional();
/**
 * The settings a run of a model type (CycleGAN when unsaid) starts from when no preset is chosen — the
 * schema's defaults under the model type's own (pix2pix: the U-Net 256, batch norm, λ_L1 100) — before
 * the project's and the window's choices: what the Train screen's Custom form shows.
 */
export const DefaultSettingsRequestSchema = z.object({ model: ModelTypeSchema.optional() }).strict().optional();

export const StartRunRequestSchema = z
  .object({
    /** The project to train; with `data` and no projectId, one named after the data folders. */
    projectId: Id.optional(),
    /**
     * Train on these folders rather than the project's (the command line names them): the project is
     * made from them when it does not exist, and its own settings are not applied.
     */
    data: z.object({ a: PathString, b: PathString.nullable().optional() }).strict().optional(),
    /** Partial settings: defaults (and the preset's values) fill the rest; validated by the engine. */
    settings: TrainingSettingsPatchSchema.optional(),
    preset: PresetNameSchema.optional(),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict()
  .refine((r) => r.projectId !== undefined || r.data !== undefined, {
    message: 'Name the project to train (projectId), or the data folders (data)',
    path: ['projectId'],
  });
export type StartRunRequest = z.input<typeof StartRunRequestSchema>;

/** A run as a user names it: its id, `<project>/<run>`, or its folder in the workspace. */
export const FindRunRequestSchema = z.object({ ref: PathString }).strict();

export const ResumeFromRequestSchema = z
  .object({
    projectId: Id,
    runId: Id,
    /** Checkpoint iteration to resume from; the latest complete one when absent. */
    iteration: z.number().int().nonnegative().optional(),
  })
  .strict();
export type ResumeFromRequest = z.input<typeof ResumeFromRequestSchema>;

/** One logged iteration from metrics.jsonl: what a progress event carried. */
export const MetricsRowSchema = z.object({
  iteration: z.number().int(),
  epoch: z.number().int().optional(),
  losses: z.record(z.string(), z.number()),
  lr: z.number(),
  itPerSec: z.number().optional(),
  trainingSeconds: z.number().optional(),
  time: z.string().optional(),
});
export type MetricsRow = z.infer<typeof MetricsRowSchema>;
export const RunMetricsRequestSchema = z
  .object({ projectId: Id, runId: Id, sinceIteration: z.number().int().nonnegative().optional() })
  .strict();
export const RunMetricsResponseSchema = z.object({ rows: z.array(MetricsRowSchema) });

/** outDir is optional here: the engine writes into `translations/<jobId>/` in the workspace when absent. */
export const StartTranslateRequestSchema = TranslateRequestSchema.extend({
  outDir: PathString.optional(),
  /** Memory budget for one network pass, in MB; bigger images are tiled (default 1024). */
  memoryMB: z.number().int().min(16).max(1_048_576).optional(),
}).strict();
export type StartTranslateRequest = z.input<typeof StartTranslateRequestSchema>;
export const JobStartedSchema = z.object({
  jobId: Id,
  /** Where outputs go (absolute). */
  outDir: z.string().optional(),
  /** The model the job translates with: a library model, or a run's latest checkpoint. */
  model: z.object({ id: z.string(), source: z.enum(['library', 'run']), iterations: z.number().int() }).optional(),
});
export type JobStarted = z.infer<typeof JobStartedSchema>;
export const JobRefSchema = z.object({ jobId: Id }).strict();

export const RenameModelRequestSchema = z.object({ modelId: Id, name: z.string().trim().min(1).max(120) }).strict();
export const ExportModelRequestSchema = z
  .object({
    modelId: Id,
    /** Folder to export into; `exports/` in the workspace when absent (then downloadable by media URL). */
    destination: PathString.optional(),
    format: z.enum(['tfjs', 'onnx']).default('tfjs'),
  })
  .strict();
export const ExportModelResponseSchema = z.object({ path: z.string(), bytes: z.number().int().optional() });
export const ImportModelRequestSchema = z.object({ source: PathString }).strict();
export const SaveModelFromRunRequestSchema = z
  .object({
    /** Without it, runId may also be a run's name or `<project>/<run>` (as the command line takes it). */
    projectId: Id.optional(),
    runId: Id,
    iteration: z.number().int().nonnegative().optional(),
    name: z.string().trim().min(1).max(120).optional(),
  })
  .strict();

export const EvalRequestSchema = z
  .object({
    modelId: Id,
    /** Paired test data: two folders with matching names, one folder holding testA/ testB/, or one of A|B images. */
    a: PathString,
    b: PathString.nullable().optional(),
    direction: z.union([DirectionSchema, z.literal('both')]).default('both'),
    limit: z.number().int().positive().optional(),
    /** When given, progress arrives as 'progress' job events of this id (one per image). */
    jobId: Id.optional(),
  })
  .strict();
export type EvalRequest = z.input<typeof EvalRequestSchema>;
const ImageMetricsSchema = z.object({ rmse: z.number(), pixelAccuracy: z.number(), psnr: z.number(), l1: z.number() });
export const EvalMetricsSchema = ImageMetricsSchema.extend({
  count: z.number().int(),
  /** Per image, by the input's path relative to its folder. */
  images: z.array(ImageMetricsSchema.extend({ file: z.string() })).optional(),
});
export const EvalReportSchema = z.object({
  modelId: z.string(),
  /** Keyed by direction: AtoB, BtoA. */
  directions: z.record(z.string(), EvalMetricsSchema),
  /** Test pairs found, files without a partner, pairs that could not be evaluated (with why). */
  pairs: z.number().int().optional(),
  unmatchedA: z.array(z.string()).optional(),
  unmatchedB: z.array(z.string()).optional(),
  failed: z.array(z.object({ file: z.string(), reason: z.string() })).optional(),
  /** True when the metrics were written onto the model's card (library models only). */
  savedToCard: z.boolean().optional(),
});
export type EvalReport = z.infer<typeof EvalReportSchema>;

/** The library with the folders in it that are not usable models, and why. */
export const ModelLibrarySchema = z.object({
  models: z.array(ModelCardSchema),
  problems: z.array(z.object({ id: z.string(), reason: z.string() })),
});
/** One library model's card and the directions it has generators for. */
export const ModelDetailsSchema = z.object({ card: ModelCardSchema, directions: z.array(DirectionSchema) });

/** purpose 'import' picks a model file (.duetmodel) rather than a folder. */
export const ChooseFolderRequestSchema = z
  .object({ title: z.string().max(200).optional(), purpose: z.enum(['domain', 'export', 'import']).optional() })
  .strict()
  .optional();
/** path is null when the user cancelled or no native dialog exists (in a browser: type a server path). */
export const ChooseFolderResponseSchema = z.object({ path: z.string().nullable() });
export const OpenExternalRequestSchema = z.object({ url: z.string().url().max(2000) }).strict();

// ---------------------------------------------------------------------------------------------------
// Events pushed to the window

/** The engine process's own life: the window shows a banner when it dies and when it is back. */
export const EngineStatusEventSchema = z.object({
  state: z.enum(['starting', 'ready', 'exited', 'restarting']),
  /** Present when state is 'exited'. */
  code: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  message: z.string().optional(),
});
export type EngineStatusEvent = z.infer<typeof EngineStatusEventSchema>;

export const DUET_EVENTS = {
  run: { channel: 'duet:event:run', schema: RunEventSchema },
  job: { channel: 'duet:event:job', schema: JobEventSchema },
  engine: { channel: 'duet:event:engine', schema: EngineStatusEventSchema },
} as const;
export type DuetEventName = keyof typeof DUET_EVENTS;
export type DuetEventPayload<E extends DuetEventName> = z.infer<(typeof DUET_EVENTS)[E]['schema']>;

// ---------------------------------------------------------------------------------------------------
// The operation table: one entry per operation, one channel each

interface OperationDef<Req extends z.ZodType, Res extends z.ZodType> {
  channel: string;
  request: Req;
  response: Res;
  /** Where it runs: 'engine' (the engine process), 'host' (Electron main / serve itself). */
  runsIn: 'engine' | 'host';
}
function op<Req extends z.ZodType, Res extends z.ZodType>(
  channel: string,
  request: Req,
  response: Res,
  runsIn: 'engine' | 'host' = 'engine',
): OperationDef<Req, Res> {
  return { channel, request, response, runsIn };
}

export const DUET_OPERATIONS = {
  // System and app settings
  getSystemInfo: op('duet:system:info', NoInput, SystemInfoSchema, 'host'),
  getSettings: op('duet:settings:get', NoInput, AppSettingsSchema, 'host'),
  setSettings: op('duet:settings:set', SettingsPatchSchema, AppSettingsSchema, 'host'),
  chooseFolder: op('duet:dialog:choose-folder', ChooseFolderRequestSchema, ChooseFolderResponseSchema, 'host'),
  openExternal: op('duet:shell:open-external', OpenExternalRequestSchema, Ok, 'host'),

  // Projects
  listProjects: op('duet:projects:list', NoInput, z.array(ProjectSchema)),
  createProject: op('duet:projects:create', CreateProjectRequestSchema, ProjectSchema),
  openProject: op('duet:projects:open', ProjectRef, OpenProjectResponseSchema),
  updateProject: op('duet:projects:update', UpdateProjectRequestSchema, ProjectSchema),
  deleteProject: op('duet:projects:delete', ProjectRef, Ok),
  createSampleProject: op('duet:projects:create-sample', NoInput, ProjectSchema),

  // Data
  scanFolders: op('duet:dataset:scan', ScanFoldersRequestSchema, ScanReportSchema),
  uploadFiles: op('duet:dataset:upload', UploadFilesRequestSchema, UploadFilesResponseSchema),
  previewOutputColours: op('duet:dataset:output-colours', OutputColoursRequestSchema, OutputColoursSchema),

  // Runs
  listPresets: op('duet:runs:presets', ListPresetsRequestSchema, z.array(PresetSchema)),
  defaultSettings: op('duet:runs:defaults', DefaultSettingsRequestSchema, TrainingSettingsSchema),
  startRun: op('duet:runs:start', StartRunRequestSchema, RunSummarySchema),
  pauseRun: op('duet:runs:pause', RunRef, RunSummarySchema),
  resumeRun: op('duet:runs:resume', RunRef, RunSummarySchema),
  stopRun: op('duet:runs:stop', RunRef, RunSummarySchema),
  listRuns: op('duet:runs:list', ProjectRef, z.array(RunSummarySchema)),
  getRun: op('duet:runs:get', RunRef, RunSummarySchema),
  getRunMetrics: op('duet:runs:metrics', RunMetricsRequestSchema, RunMetricsResponseSchema),
  listCheckpoints: op('duet:runs:checkpoints', RunRef, z.array(CheckpointInfoSchema)),
  resumeRunFrom: op('duet:runs:resume-from', ResumeFromRequestSchema, RunSummarySchema),
  findRun: op('duet:runs:find', FindRunRequestSchema, RunSummarySchema),

  // Translation
  startTranslate: op('duet:translate:start', StartTranslateRequestSchema, JobStartedSchema),
  cancelTranslate: op('duet:translate:cancel', JobRefSchema, Ok),

  // Model library
  listModels: op('duet:models:list', NoInput, z.array(ModelCardSchema)),
  getModelLibrary: op('duet:models:library', NoInput, ModelLibrarySchema),
  getModel: op('duet:models:get', ModelRef, ModelDetailsSchema),
  renameModel: op('duet:models:rename', RenameModelRequestSchema, ModelCardSchema),
  deleteModel: op('duet:models:delete', ModelRef, Ok),
  exportModel: op('duet:models:export', ExportModelRequestSchema, ExportModelResponseSchema),
  importModel: op('duet:models:import', ImportModelRequestSchema, ModelCardSchema),
  saveModelFromRun: op('duet:models:save-from-run', SaveModelFromRunRequestSchema, ModelCardSchema),

  // Evaluation
  evalModel: op('duet:eval:run', EvalRequestSchema, EvalReportSchema),
} as const;

export type DuetOperations = typeof DUET_OPERATIONS;
export type DuetOperationName = keyof DuetOperations;
export type DuetRequest<K extends DuetOperationName> = z.input<DuetOperations[K]['request']>;
/** The request after validation (defaults filled in): what handlers receive. */
export type DuetParsedRequest<K extends DuetOperationName> = z.output<DuetOperations[K]['request']>;
export type DuetResponse<K extends DuetOperationName> = z.output<DuetOperations[K]['response']>;

export const OPERATION_NAMES = Object.keys(DUET_OPERATIONS) as DuetOperationName[];
export const ENGINE_OPERATIONS = OPERATION_NAMES.filter((k) => DUET_OPERATIONS[k].runsIn === 'engine');

/** Operation name for a channel string, or undefined for a channel that is not in the table. */
export function operationForChannel(channel: string): DuetOperationName | undefined {
  return OPERATION_NAMES.find((k) => DUET_OPERATIONS[k].channel === channel);
}

// ---------------------------------------------------------------------------------------------------
// Errors crossing a transport

export const DuetErrorCodeSchema = z.enum([
  /** The request failed validation; message lists the fields. */
  'invalid-request',
  /** The operation's engine module has not landed in this build. */
  'not-available',
  'not-found',
  /** The engine process exited while the request was in flight. */
  'engine-exited',
  /** Missing or wrong token, or an IPC sender that is not Duet's window. */
  'unauthorized',
  /** The engine returned something that does not match the contract (a bug). */
  'invalid-response',
  'failed',
]);
export type DuetErrorCode = z.infer<typeof DuetErrorCodeSchema>;
export const DuetErrorPayloadSchema = z.object({ code: DuetErrorCodeSchema, message: z.string() });
export type DuetErrorPayload = z.infer<typeof DuetErrorPayloadSchema>;

export class DuetError extends Error {
  constructor(
    readonly code: DuetErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DuetError';
  }
  toPayload(): DuetErrorPayload {
    return { code: this.code, message: this.message };
  }
  static fromPayload(p: DuetErrorPayload): DuetError {
    return new DuetError(p.code, p.message);
  }
  /** Any thrown value as a payload; keeps a DuetError's code, else 'failed'. */
  static payloadOf(err: unknown): DuetErrorPayload {
    if (err instanceof DuetError) return err.toPayload();
    if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
      const parsed = DuetErrorPayloadSchema.safeParse({ code: err.code, message: err.message });
      if (parsed.success) return parsed.data;
    }
    return { code: 'failed', message: err instanceof Error ? err.message : String(err) };
  }
}

/** "settings.size: Too small: expected number to be >=16; name: Required" — one line per issue. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('; ');
}

/** Validate a request for an operation; throws DuetError('invalid-request') naming the operation and fields. */
export function parseRequest<K extends DuetOperationName>(name: K, payload: unknown): DuetParsedRequest<K> {
  const r = DUET_OPERATIONS[name].request.safeParse(payload);
  if (!r.success) throw new DuetError('invalid-request', `Invalid request for ${name}: ${describeZodError(r.error)}`);
  return r.data as DuetParsedRequest<K>;
}

/** Validate a response; a mismatch is a bug in Duet, reported as such rather than passed on. */
export function parseResponse<K extends DuetOperationName>(name: K, payload: unknown): DuetResponse<K> {
  const r = DUET_OPERATIONS[name].response.safeParse(payload);
  if (!r.success) {
    throw new DuetError('invalid-response', `Duet returned an invalid ${name} response: ${describeZodError(r.error)}`);
  }
  return r.data as DuetResponse<K>;
}

// ---------------------------------------------------------------------------------------------------
// The interface the renderer codes against

/** A function that stops a subscription. */
export type Unsubscribe = () => void;

/** The part of a browser File the clients need (kept structural so this module stays DOM-free). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Every operation as one async method: `api.startRun({ projectId, preset: 'quick' })`. */
export type DuetOperationsApi = {
  [K in DuetOperationName]: undefined extends DuetRequest<K>
    ? (request?: DuetRequest<K>) => Promise<DuetResponse<K>>
    : (request: DuetRequest<K>) => Promise<DuetResponse<K>>;
};

export interface DuetApi extends DuetOperationsApi {
  /** Live run events (progress, samples, checkpoints, state); only one run's when runId is given. */
  onRunEvent(listener: (event: DuetEventPayload<'run'>) => void, runId?: string): Unsubscribe;
  /** Translate / export / import job events. */
  onJobEvent(listener: (event: DuetEventPayload<'job'>) => void, jobId?: string): Unsubscribe;
  /** Engine process status: exited (with code/signal), restarting, ready. */
  onEngineStatus(listener: (event: EngineStatusEvent) => void): Unsubscribe;

  /**
   * URL the page can put in `<img src>` for a file Duet may show: workspace-relative paths (samples,
   * translations) or absolute paths under a scanned/chosen folder (thumbnails). `width` asks for a
   * thumbnail scaled down to that width.
   */
  mediaUrl(path: string, options?: { width?: number }): string;
  /**
   * URL that downloads a file Duet wrote into the workspace's `exports/` (a model exported without a
   * destination) — under `duet serve`; null in the desktop app, where the file is already on this disk.
   */
  downloadUrl(path: string): string | null;
  /** Real path of a dropped file in the desktop app; null in a browser (use uploadDroppedFiles). */
  getPathForFile(file: FileLike): string | null;
  /**
   * Upload files dropped in a browser into the workspace and return the folder to scan. Works in the
   * desktop app too, but there prefer getPathForFile (no copy).
   */
  uploadDroppedFiles(
    files: Array<{ file: FileLike; relativePath: string }>,
    label: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<UploadFilesResponse>;
  /** 'electron' or 'serve': lets the UI hide native-only affordances (folder dialogs). */
  readonly transport: 'electron' | 'serve' | 'cli';
}
