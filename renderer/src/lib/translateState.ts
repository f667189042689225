/**
 * The Translate screen's state as one reducer: the model and direction, the input folder, the two jobs
 * (preview translation and export) fed by job events, the compared image, and the export options with
 * their checks. Pure, so every transition is tested without a window.
 */
import type { Direction, DomainScan, DuetEventPayload, DuetRequest } from '#contract';

export type JobEvent = DuetEventPayload<'job'>;
export type JobKind = 'translate' | 'export';
export type ExportFormat = 'png' | 'jpeg' | 'webp';

export interface JobView {
  jobId: string;
  kind: JobKind;
  outDir?: string;
  done: number;
  total: number;
  etaSeconds?: number | null;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  items: { input: string; output?: string; skipped?: string; error?: string }[];
}

export interface ExportOptions {
  format: ExportFormat;
  /** As typed: checked by exportProblems. */
  quality: string;
  naming: string;
  destination: string;
  overwrite: boolean;
}

export interface TranslateState {
  /** The chosen model; empty until the list has loaded (then its first model). */
  modelId: string;
  direction: Direction;
  input: { path: string | null; busy: string | null; error: string | null; scan: DomainScan | null };
  jobs: Record<JobKind, JobView | null>;
  /** Events that beat their start call's answer, by job id, until the id is known. */
  early: Record<string, JobEvent[]>;
  /** Which job each started id is. */
  known: Record<string, JobKind>;
  /** The translated image being compared (index into the results). */
  selected: number;
  exportOptions: ExportOptions;
}

export const initialTranslateState: TranslateState = {
  modelId: '',
  direction: 'AtoB',
  input: { path: null, busy: null, error: null, scan: null },
  jobs: { translate: null, export: null },
  early: {},
  known: {},
  selected: 0,
  exportOptions: { format: 'png', quality: '90', naming: '{name}', destination: '', overwrite: false },
};

export type TranslateAction =
  | { type: 'choose-model'; modelId: string }
  | { type: 'choose-direction'; direction: Direction }
  /** A new input folder is on its way: the last one, its scan and its error are gone. */
  | { type: 'input-started' }
  | { type: 'input-busy'; label: string }
  | { type: 'input-ready'; path: string; scan: DomainScan }
  | { type: 'input-failed'; error: string }
  | { type: 'job-started'; kind: JobKind; jobId: string; outDir?: string }
  | { type: 'job-event'; event: JobEvent }
  | { type: 'select-result'; index: number }
  | { type: 'export-options'; patch: Partial<ExportOptions> };

/** One job event onto a job's view. */
export function reduceJob(job: JobView, e: JobEvent): JobView {
  const next: JobView = { ...job, done: e.done, total: e.total, etaSeconds: e.etaSeconds ?? job.etaSeconds };
  if (e.type === 'item' && e.input) {
    next.items = [...job.items, { input: e.input, output: e.output, skipped: e.skipped, error: e.error }];
  }
  if (e.type === 'done') next.status = 'done';
  if (e.type === 'cancelled') next.status = 'cancelled';
  if (e.type === 'failed') {
    next.status = 'failed';
    next.error = e.error;
  }
  return next;
}

export function translateReducer(state: TranslateState, action: TranslateAction): TranslateState {
  switch (action.type) {
    case 'choose-model':
      return { ...state, modelId: action.modelId };
    case 'choose-direction':
      return { ...state, direction: action.direction };
    case 'input-started':
      return { ...state, input: { ...state.input, path: null, scan: null, error: null } };
    case 'input-busy':
      return { ...state, input: { ...state.input, busy: action.label } };
    case 'input-ready':
      return { ...state, input: { path: action.path, scan: action.scan, error: null, busy: null } };
    case 'input-failed':
      return { ...state, input: { ...state.input, error: action.error, busy: null } };
    case 'job-started': {
      const { [action.jobId]: early = [], ...otherEarly } = state.early;
      let job: JobView = {
        jobId: action.jobId,
        kind: action.kind,
        outDir: action.outDir,
        done: 0,
        total: 0,
        status: 'running',
        items: [],
      };
      for (const e of early) job = reduceJob(job, e);
      return {
        ...state,
        early: otherEarly,
        known: { ...state.known, [action.jobId]: action.kind },
        jobs: { ...state.jobs, [action.kind]: job },
        selected: action.kind === 'translate' ? 0 : state.selected,
      };
    }
    case 'job-event': {
      const e = action.event;
      const kind = state.known[e.jobId];
      if (!kind) return { ...state, early: { ...state.early, [e.jobId]: [...(state.early[e.jobId] ?? []), e] } };
      const job = state.jobs[kind];
      // An event of a job this screen has since replaced changes nothing.
      if (!job || job.jobId !== e.jobId) return state;
      return { ...state, jobs: { ...state.jobs, [kind]: reduceJob(job, e) } };
    }
    case 'select-result':
      return { ...state, selected: action.index };
    case 'export-options':
      return { ...state, exportOptions: { ...state.exportOptions, ...action.patch } };
  }
}

/** What is wrong with the export options, field by field (nothing when they are fine). */
export function exportProblems(o: ExportOptions): { quality?: string; naming?: string } {
  const q = Number(o.quality);
  const quality =
    o.format !== 'png' && (!Number.isInteger(q) || q < 1 || q > 100)
      ? 'Enter a whole number from 1 to 100.'
      : undefined;
  const naming =
    !o.naming.includes('{name}') && !o.naming.includes('{index}')
      ? 'Include {name} or {index} so each file gets its own name.'
      : /[\\/:*?"<>|]/.test(o.naming.replace(/\{[a-z]+\}/g, ''))
        ? 'Names cannot contain \\ / : * ? " < > |'
        : undefined;
  return { quality, naming };
}

/**
 * The startTranslate request for a job: the preview writes PNGs under their own names into the
 * workspace (replacing the last preview); the export uses the options the user chose.
 */
export function startRequest(
  kind: JobKind,
  state: TranslateState,
  modelId: string,
  inputPath: string,
): DuetRequest<'startTranslate'> {
  const base = { modelId, direction: state.direction, inputs: [inputPath] };
  if (kind === 'translate') return { ...base, format: 'png', naming: '{name}', overwrite: true };
  const o = state.exportOptions;
  return {
    ...base,
    format: o.format,
    quality: o.format === 'png' ? undefined : Number(o.quality),
    naming: o.naming,
    overwrite: o.overwrite,
    outDir: o.destination.trim() || undefined,
  };
}

/** The preview's translated images, and the one being compared (the last when the index is past the end). */
export function previewResults(state: TranslateState): {
  results: JobView['items'];
  current: JobView['items'][number] | undefined;
} {
  const results = (state.jobs.translate?.items ?? []).filter((i) => i.output);
  return { results, current: results[Math.min(state.selected, results.length - 1)] };
}
