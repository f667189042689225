/**
 * Training runs as a source of generators: find a run by id or name in the workspace, read its latest
 * verified checkpoint, and rebuild its generators through the trainer (so every layer is exactly what
 * training used). Also: save a run's checkpoint into the library as a model with a card.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Direction, type ModelCard, TrainingSettingsSchema } from '#contract';
import { createTrainer, type Trainer, type TrainerState } from '../../../models/index.js';
import { walkFolder } from '../dataset/walk.js';
import { readProject } from '../project-file.js';
import { loadCheckpoint } from '../runs/checkpoints.js';
import { projectsDir, runPaths, slugify } from '../runs/layout.js';
import { decodeState } from '../runs/state-codec.js';
import { type CardDraft, saveModel } from './store.js';

export interface RunRef {
  projectId: string;
  runId: string;
  root: string;
  /** The run's display name from its config, when it has one. */
  name?: string;
}

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every run in the workspace. */
export async function listRuns(workspace: string): Promise<RunRef[]> {
  const runs: RunRef[] = [];
  for (const projectId of (await listDir(projectsDir(workspace))).sort()) {
    const runsRoot = path.join(projectsDir(workspace), projectId, 'runs');
    for (const runId of (await listDir(runsRoot)).sort()) {
      const root = path.join(runsRoot, runId);
      const config = await readJson(runPaths(root).config);
      const name = typeof config?.name === 'string' ? config.name : undefined;
      runs.push({ projectId, runId, root, name });
    }
  }
  return runs;
}

/** Find a run by its id, "<project>/<run>", its name or the end of its id. Ambiguous names are refused with the choices. */
export async function findRun(workspace: string, ref: string): Promise<RunRef | undefined> {
  const runs = await listRuns(workspace);
  const exact = runs.filter((r) => r.runId === ref || `${r.projectId}/${r.runId}` === ref);
  const byName = runs.filter((r) => r.name !== undefined && r.name.toLowerCase() === ref.toLowerCase());
  // Run ids end in the slug of their name ("20261123-142501-maps-quick"): "maps-quick" finds it too.
  const bySlug = runs.filter((r) => r.runId.endsWith(`-${slugify(ref)}`));
  const matches = exact.length > 0 ? exact : byName.length > 0 ? byName : bySlug;
  if (matches.length > 1) {
    throw new Error(
      `"${ref}" names ${matches.length} runs: ${matches.map((r) => `${r.projectId}/${r.runId}`).join(', ')}; pass one of these instead`,
    );
  }
  return matches[0];
}

export interface RunGenerators {
  run: RunRef;
  iteration: number;
  state: Pick<TrainerState, 'kind' | 'settings' | 'channels' | 'iteration'>;
  generators: Partial<Record<Direction, tfl.LayersModel>>;
  /** Releases the trainer the generators belong to. */
  dispose(): void;
}

/** Rebuild a run's generators from its latest verified checkpoint (or the one at `iteration`). */
export async function loadRunGenerators(run: RunRef, options: { iteration?: number } = {}): Promise<RunGenerators> {
  const checkpoint = await loadCheckpoint(run.root, options).catch((err: Error) => {
    throw new Error(`Run "${run.runId}" has no usable checkpoint: ${err.message}`);
  });
  const files = new Map<string, Uint8Array>([...checkpoint.files].map(([k, v]) => [k, new Uint8Array(v)]));
  let state: TrainerState;
  try {
    state = decodeState(files).trainer;
  } catch (err) {
    throw new Error(
      `The checkpoint of run "${run.runId}" at ${checkpoint.dir} is unreadable: ${(err as Error).message}`,
    );
  }
  let trainer: Trainer | undefined;
  try {
    trainer = createTrainer(state.settings, { channelsA: state.channels.A, channelsB: state.channels.B });
    trainer.importState(state);
  } catch (err) {
    trainer?.dispose();
    throw new Error(`Cannot rebuild the networks of run "${run.runId}": ${(err as Error).message}`);
  }
  const g = trainer.generators();
  const t = trainer;
  return {
    run,
    iteration: state.iteration,
    state: { kind: state.kind, settings: state.settings, channels: state.channels, iteration: state.iteration },
    generators: { AtoB: g.AtoB, ...(g.BtoA ? { BtoA: g.BtoA } : {}) },
    dispose: () => t.dispose(),
  };
}

const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.gif',
  '.avif',
  '.heic',
  '.heif',
]);

/** Images in a training folder, by extension (a quick count for the card; 0 when the folder is gone). */
async function countImages(dir: unknown): Promise<number> {
  if (typeof dir !== 'string' || !dir) return 0;
  const walked = await walkFolder(dir);
  return walked.files.filter((f) => IMAGE_EXTENSIONS.has(path.extname(f.path).toLowerCase())).length;
}

/** A card for generators taken from a run, from what the run's config.json records. */
export async function cardFromRun(
  workspace: string,
  loaded: RunGenerators,
  name?: string,
): Promise<CardDraft & { source: NonNullable<ModelCard['source']> }> {
  const { run, state } = loaded;
  const config = (await readJson(runPaths(run.root).config)) ?? {};
  // The run's config names its data; a project file is only a fallback, and a damaged one is no help.
  const project: { domainA?: string | null; domainB?: string | null } =
    (await readProject(workspace, run.projectId).catch(() => undefined)) ?? {};
  const settings = TrainingSettingsSchema.parse(state.settings);
  const data = (config.data ?? {}) as { a?: unknown; b?: unknown };
  const dataset = (config.dataset ?? {}) as { sampling?: unknown };
  const backend = config.backend as { candidate?: unknown } | string | undefined;
  const dirA = data.a ?? project.domainA;
  const dirB = data.b ?? project.domainB;
  const folderName = (p: unknown, fallback: string) => (typeof p === 'string' && p ? path.basename(p) : fallback);
  // A single folder (b null) holds A|B side-by-side images: both domains come from each file.
  const countA = await countImages(dirA);
  const countB = dirB ? await countImages(dirB) : countA;
  const sampling = typeof dataset.sampling === 'string' ? dataset.sampling : undefined;
  const backendName =
    typeof backend === 'string'
      ? backend
      : typeof backend?.candidate === 'string'
        ? backend.candidate
        : tf.getBackend();
  return {
    name: name ?? run.name ?? `${run.runId} @ ${state.iteration}`,
    model: state.kind,
    architecture: { generator: settings.generator, discriminator: settings.discriminator, norm: settings.norm },
    directions: dirB ? { A: folderName(dirA, 'A'), B: folderName(dirB, 'B') } : { A: 'A', B: 'B' },
    data: { countA, countB, pairing: sampling ?? (state.kind === 'pix2pix' ? 'paired' : 'unpaired') },
    iterations: state.iteration,
    settings,
    backend: backendName,
    source: { projectId: run.projectId, runId: run.runId },
  };
}

/** Save a run's latest (or chosen) checkpoint as a library model. */
export async function saveModelFromRun(
  workspace: string,
  ref: string,
  options: { name?: string; iteration?: number } = {},
): Promise<ModelCard> {
  const run = await findRun(workspace, ref);
  if (!run) throw new Error(`No run "${ref}" in ${projectsDir(workspace)}`);
  const loaded = await loadRunGenerators(run, options);
  try {
    return await saveModel(workspace, await cardFromRun(workspace, loaded, options.name), loaded.generators);
  } finally {
    loaded.dispose();
  }
}
