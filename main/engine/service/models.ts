/**
 * The model library, translation jobs and evaluation for the window, on top of the library, translate
 * and eval modules. Translation jobs run in the background and report through job events; a cancel
 * aborts the job's signal, which stops it after the current tile.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Direction, JobEvent, ModelCard } from '#contract';
import { DuetError, type DuetParsedRequest, type DuetResponse } from '#contract';
import { ExportTargetError, resolveExportTarget } from '../../security/export-target.js';
import { evaluateModel } from '../eval/evaluate.js';
import { ARCHIVE_EXTENSION, exportModel, importModel } from '../library/archive.js';
import { saveModelFromRun } from '../library/from-run.js';
import { resolveModel } from '../library/resolve.js';
import {
  deleteModel,
  listModels,
  ModelNotFoundError,
  modelDirections,
  readCard,
  removeLeftoverTemp,
  renameModel,
} from '../library/store.js';
import { slugify, timeStamp } from '../runs/layout.js';
import { translateImages } from '../translate/job.js';

/** A library error as the window should see it: a missing model is 'not-found'. */
function mapError(err: unknown): never {
  if (err instanceof ModelNotFoundError) throw new DuetError('not-found', err.message);
  throw err;
}

export class ModelService {
  private readonly jobs = new Map<string, AbortController>();

  constructor(
    private readonly workspace: string,
    private readonly emitJob: (event: JobEvent) => void,
  ) {
    // Temp folders a crash left in the library go when the engine starts.
    void removeLeftoverTemp(workspace)
      .then((gone) => {
        if (gone.length)
          process.stderr.write(`duet: removed ${gone.length} unfinished model folder(s) left by a crash\n`);
      })
      .catch((err) => process.stderr.write(`duet: could not tidy the model library: ${(err as Error).message}\n`));
  }

  async list(): Promise<ModelCard[]> {
    const { models, problems } = await listModels(this.workspace);
    for (const p of problems) process.stderr.write(`duet: model folder "${p.id}" is not usable: ${p.reason}\n`);
    return models;
  }

  /** Every model and every folder that is not a usable one, with why (said, not logged). */
  library(): Promise<DuetResponse<'getModelLibrary'>> {
    return listModels(this.workspace);
  }

  async details(id: string): Promise<DuetResponse<'getModel'>> {
    const card = await readCard(this.workspace, id).catch(mapError);
    return { card, directions: await modelDirections(this.workspace, id) };
  }

  rename(id: string, name: string): Promise<ModelCard> {
    return renameModel(this.workspace, id, name).catch(mapError);
  }

  async delete(id: string): Promise<void> {
    await deleteModel(this.workspace, id).catch(mapError);
  }

  async export(r: DuetParsedRequest<'exportModel'>): Promise<DuetResponse<'exportModel'>> {
    if (r.format === 'onnx') {
      throw new DuetError('not-available', 'ONNX export is not available yet: export as a Duet model file (tfjs).');
    }
    const fileName = `${r.modelId}${ARCHIVE_EXTENSION}`;
    let target: string;
    if (r.destination) {
      // Into a folder, or to a .duetmodel path; never over a file that is not a model export.
      target = await resolveExportTarget(r.destination, fileName).catch((err) => {
        throw err instanceof ExportTargetError ? new DuetError('invalid-request', err.message) : err;
      });
    } else {
      const dir = path.join(this.workspace, 'exports');
      await mkdir(dir, { recursive: true });
      target = path.join(dir, fileName);
    }
    const { file, bytes } = await exportModel(this.workspace, r.modelId, target).catch(mapError);
    return { path: file, bytes };
  }

  import(source: string): Promise<ModelCard> {
    return importModel(this.workspace, path.resolve(source));
  }

  saveFromRun(r: DuetParsedRequest<'saveModelFromRun'>): Promise<ModelCard> {
    const ref = r.projectId ? `${r.projectId}/${r.runId}` : r.runId;
    return saveModelFromRun(this.workspace, ref, { name: r.name, iteration: r.iteration });
  }

  /** Starts a translation job and returns at once; progress arrives as job events. */
  async startTranslate(r: DuetParsedRequest<'startTranslate'>): Promise<DuetResponse<'startTranslate'>> {
    const model = await resolveModel(this.workspace, r.modelId).catch((err) => {
      throw new DuetError('not-found', (err as Error).message);
    });
    // The job's id names its default output folder: which model, which way, when.
    const jobId = `${slugify(model.label, 'model')}-${r.direction}-${timeStamp()}-${randomBytes(2).toString('hex')}`;
    const outDir = path.resolve(r.outDir ?? path.join(this.workspace, 'translations', jobId));
    let translator: Awaited<ReturnType<typeof model.translator>>;
    try {
      translator = await model.translator(r.direction as Direction);
    } catch (err) {
      model.dispose();
      throw new DuetError('invalid-request', (err as Error).message);
    }
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    let ended = false;
    const emit = (e: JobEvent) => {
      if (e.type === 'done' || e.type === 'cancelled' || e.type === 'failed') ended = true;
      this.emitJob(e);
    };
    void translateImages({
      request: { ...r, outDir },
      translator,
      modelLabel: model.label,
      outDirChosen: r.outDir !== undefined,
      memoryBudgetBytes: r.memoryMB === undefined ? undefined : r.memoryMB * 1024 * 1024,
      signal: controller.signal,
      jobId,
      onEvent: emit,
    })
      .then((report) => {
        if (!ended) {
          const done = report.translated.length + report.existing.length;
          emit({ type: report.cancelled ? 'cancelled' : 'done', jobId, done, total: done + report.failed.length });
        }
      })
      .catch((err) => emit({ type: 'failed', jobId, done: 0, total: 0, error: (err as Error).message }))
      .finally(() => {
        this.jobs.delete(jobId);
        translator.dispose();
        model.dispose();
      });
    return { jobId, outDir, model: { id: model.id, source: model.source, iterations: model.iterations } };
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new DuetError('not-found', `No running job "${jobId}" (it may have finished).`);
    job.abort();
  }

  /** Cancel every job (engine shutdown). */
  cancelAll(): void {
    for (const c of this.jobs.values()) c.abort();
  }

  async evaluate(r: DuetParsedRequest<'evalModel'>): Promise<DuetResponse<'evalModel'>> {
    let dirA = path.resolve(r.a);
    let dirB = r.b ? path.resolve(r.b) : undefined;
    if (!dirB) {
      // One folder: the reference's testA/ testB/ layout, else A|B side-by-side images.
      const [ta, tb] = [path.join(dirA, 'testA'), path.join(dirA, 'testB')];
      const isDir = async (p: string) => (await stat(p).catch(() => null))?.isDirectory() === true;
      if ((await isDir(ta)) && (await isDir(tb))) [dirA, dirB] = [ta, tb];
    }
    const model = await resolveModel(this.workspace, r.modelId).catch((err) => {
      throw new DuetError('not-found', (err as Error).message);
    });
    const { jobId } = r;
    try {
      const report = await evaluateModel({
        model,
        dirA,
        dirB,
        limit: r.limit,
        directions: r.direction === 'both' ? undefined : [r.direction],
        workspace: this.workspace,
        onProgress: jobId
          ? (p) =>
              this.emitJob({
                type: 'progress',
                jobId,
                direction: p.direction,
                done: p.done,
                total: p.total,
                input: p.file || undefined,
              })
          : undefined,
      });
      const directions: DuetResponse<'evalModel'>['directions'] = {};
      for (const [d, res] of Object.entries(report.results)) if (res) directions[d] = res;
      return {
        modelId: model.id,
        directions,
        pairs: report.pairs,
        unmatchedA: report.unmatchedA,
        unmatchedB: report.unmatchedB,
        failed: report.failed,
        savedToCard: report.savedToCard,
      };
    } finally {
      model.dispose();
    }
  }
}
