/**
 * The model library: `models/<id>/` in the workspace, one folder per saved model.
 *
 * ```
 * models/<id>/card.json        the ModelCard (architecture, directions, data, iterations, settings, metrics)
 * models/<id>/manifest.json    size and SHA-256 of every generator file, checked on load
 * models/<id>/AtoB/model.json  generator A→B in tfjs layers format (+ weights.bin)
 * models/<id>/BtoA/model.json  generator B→A (CycleGAN only)
 * ```
 *
 * A model folder is written under a temporary name (`.tmp-…`, every file fsynced) and renamed into place,
 * so a listing never sees half a model; temp folders a crash left behind are removed when the engine
 * starts (removeLeftoverTemp). The id is the folder name and never changes; rename changes the card's display name.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type Direction, type ModelCard, ModelCardSchema } from '#contract';
import { cleanDisplayName, NAME_MAX } from '../../security/display-name.js';
import { syncDir, writeFileAtomic, writeFileDurably } from '../atomic-files.js';
import { slugify } from '../runs/layout.js';
import { type LayersFiles, MODEL_JSON, modelFromFiles, modelToFiles, WEIGHTS_BIN } from './io.js';

export const CARD_FILE = 'card.json';
export const MANIFEST_FILE = 'manifest.json';
export const DIRECTIONS: readonly Direction[] = ['AtoB', 'BtoA'];
const MANIFEST_FORMAT = 'duet-model-files';
/** Prefix of the library's temporary folders (a model being written, a model being deleted). */
export const TEMP_PREFIX = '.tmp-';
/** A temp folder untouched this long belongs to no live write: a model folder is written in seconds. */
export const LEFTOVER_TEMP_AGE_MS = 15 * 60 * 1000;

export interface ManifestEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  files: ManifestEntry[];
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function modelsDir(workspace: string): string {
  return path.join(workspace, 'models');
}

const SAFE_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

export function assertModelId(id: string): void {
  if (!SAFE_ID.test(id) || id.includes('..')) {
    throw new Error(`Invalid model id "${id}": use letters, digits, ".", "_" and "-" (not starting with "." or "-")`);
  }
}

export function modelDir(workspace: string, id: string): string {
  assertModelId(id);
  return path.join(modelsDir(workspace), id);
}

/** A folder name from a display name: lower-case letters, digits and dashes. */
export function modelSlug(name: string): string {
  return slugify(name, 'model');
}

/** Generator file paths inside a model folder, relative and with forward slashes. */
export function generatorFileNames(direction: Direction): [string, string] {
  return [`${direction}/${MODEL_JSON}`, `${direction}/${WEIGHTS_BIN}`];
}

/** Files a model folder (and an export) may hold besides the card and manifest. */
export function isGeneratorFileName(name: string): boolean {
  return DIRECTIONS.some((d) => generatorFileNames(d).includes(name));
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

async function uniqueId(workspace: string, base: string): Promise<string> {
  const slug = modelSlug(base);
  for (let n = 1; ; n++) {
    const id = n === 1 ? slug : `${slug}-${n}`;
    if (!(await exists(modelDir(workspace, id)))) return id;
  }
}

export type CardDraft = Omit<ModelCard, 'id' | 'createdAt' | 'metrics'> & {
  createdAt?: string;
  metrics?: ModelCard['metrics'];
};

/**
 * Write a model folder from generator files. Used by save (from models in memory) and import (from an
 * export file). Returns the card as written, with its new id.
 */
export async function writeModelFolder(
  workspace: string,
  draft: CardDraft,
  generators: Partial<Record<Direction, LayersFiles>>,
  options: { id?: string } = {},
): Promise<ModelCard> {
  const directions = DIRECTIONS.filter((d) => generators[d]);
  if (directions.length === 0) throw new Error('A model needs at least one generator');
  const root = modelsDir(workspace);
  await fs.mkdir(root, { recursive: true });
  const id = options.id ?? (await uniqueId(workspace, draft.name));
  const card = ModelCardSchema.parse({
    ...draft,
    id,
    createdAt: draft.createdAt ?? new Date().toISOString(),
    metrics: draft.metrics ?? {},
  });
  const temp = path.join(root, `${TEMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
  const write = writeFileDurably; // fsynced, like a checkpoint's files
  try {
    const entries: ManifestEntry[] = [];
    for (const d of directions) {
      const files = generators[d]!;
      await fs.mkdir(path.join(temp, d), { recursive: true });
      const [jsonName, binName] = generatorFileNames(d);
      for (const [name, data] of [
        [jsonName, files.modelJson],
        [binName, files.weights],
      ] as const) {
        await write(path.join(temp, name), data);
        entries.push({ name, bytes: data.byteLength, sha256: sha256(data) });
      }
      await syncDir(path.join(temp, d));
    }
    const manifest: ModelManifest = { format: MANIFEST_FORMAT, version: 1, files: entries };
    await write(path.join(temp, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await write(path.join(temp, CARD_FILE), Buffer.from(`${JSON.stringify(card, null, 2)}\n`));
    await syncDir(temp);
    // Everything is on disk before the folder appears under its name; then the rename itself is made durable.
    await fs.rename(temp, modelDir(workspace, id));
    await syncDir(root);
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => {});
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new Error(`A model with id "${id}" already exists`);
    throw err;
  }
  return card;
}

/** Save generators held in memory as a new library model. */
export async function saveModel(
  workspace: string,
  draft: CardDraft,
  generators: Partial<Record<Direction, tfl.LayersModel>>,
): Promise<ModelCard> {
  const files: Partial<Record<Direction, LayersFiles>> = {};
  for (const d of DIRECTIONS) {
    const g = generators[d];
    if (g) files[d] = await modelToFiles(g);
  }
  return writeModelFolder(workspace, draft, files);
}

export async function readCard(workspace: string, id: string): Promise<ModelCard> {
  const file = path.join(modelDir(workspace, id), CARD_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ModelNotFoundError(`No model "${id}" in the library (${modelsDir(workspace)})`);
    }
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`The card of model "${id}" is damaged (not valid JSON)`);
  }
  const parsed = ModelCardSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`The card of model "${id}" is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
  }
  return parsed.data;
}

export class ModelNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotFoundError';
  }
}

async function writeCard(workspace: string, card: ModelCard): Promise<void> {
  const valid = ModelCardSchema.parse(card);
  await writeFileAtomic(path.join(modelDir(workspace, card.id), CARD_FILE), `${JSON.stringify(valid, null, 2)}\n`);
}

export async function readManifest(workspace: string, id: string): Promise<ModelManifest> {
  if (!(await exists(modelDir(workspace, id)))) {
    throw new ModelNotFoundError(`No model "${id}" in the library (${modelsDir(workspace)})`);
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(modelDir(workspace, id), MANIFEST_FILE), 'utf8'));
  } catch {
    throw new Error(`Model "${id}" has no readable ${MANIFEST_FILE}`);
  }
  if (manifest?.format !== MANIFEST_FORMAT || !Array.isArray(manifest.files)) {
    throw new Error(`Model "${id}" has a ${MANIFEST_FILE} Duet does not recognise`);
  }
  return manifest;
}

/** Directions a model can translate. */
export async function modelDirections(workspace: string, id: string): Promise<Direction[]> {
  const manifest = await readManifest(workspace, id);
  return DIRECTIONS.filter((d) => manifest.files.some((f) => f.name === generatorFileNames(d)[0]));
}

/** Read one generator's files, checked against the manifest's sizes and hashes. */
export async function readGeneratorFiles(workspace: string, id: string, direction: Direction): Promise<LayersFiles> {
  const manifest = await readManifest(workspace, id);
  const [jsonName, binName] = generatorFileNames(direction);
  const read = async (name: string): Promise<Buffer> => {
    const entry = manifest.files.find((f) => f.name === name);
    if (!entry) {
      const have = DIRECTIONS.filter((d) => manifest.files.some((f) => f.name === generatorFileNames(d)[0]));
      throw new Error(`Model "${id}" has no ${direction} generator (it translates ${have.join(', ') || 'nothing'})`);
    }
    let data: Buffer;
    try {
      data = await fs.readFile(path.join(modelDir(workspace, id), ...name.split('/')));
    } catch {
      throw new Error(`Model "${id}" is missing ${name}`);
    }
    if (data.byteLength !== entry.bytes || sha256(data) !== entry.sha256) {
      throw new Error(`Model "${id}": ${name} is damaged (does not match its SHA-256 hash)`);
    }
    return data;
  };
  return { modelJson: await read(jsonName), weights: await read(binName) };
}

/** Load a generator from the library (the custom layers must be registered, as importing models/ does). */
export async function loadGenerator(workspace: string, id: string, direction: Direction): Promise<tfl.LayersModel> {
  return modelFromFiles(await readGeneratorFiles(workspace, id, direction), `model "${id}" (${direction})`);
}

export interface ModelListing {
  models: ModelCard[];
  /** Folders that are not usable models, with why. */
  problems: { id: string; reason: string }[];
}

/** Every model in the library, newest first. */
export async function listModels(workspace: string): Promise<ModelListing> {
  let names: string[];
  try {
    names = await fs.readdir(modelsDir(workspace));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { models: [], problems: [] };
    throw err;
  }
  const models: ModelCard[] = [];
  const problems: ModelListing['problems'] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || !SAFE_ID.test(name)) continue;
    try {
      models.push(await readCard(workspace, name));
    } catch (err) {
      problems.push({ id: name, reason: (err as Error).message });
    }
  }
  models.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  return { models, problems };
}

export async function renameModel(workspace: string, id: string, name: string): Promise<ModelCard> {
  if ([...name.trim()].length > NAME_MAX) throw new Error(`A model name is at most ${NAME_MAX} characters`);
  const cleaned = cleanDisplayName(name, '');
  if (!cleaned) throw new Error('A model name cannot be empty');
  const card = { ...(await readCard(workspace, id)), name: cleaned };
  await writeCard(workspace, card);
  return card;
}

export async function deleteModel(workspace: string, id: string): Promise<void> {
  await readCard(workspace, id).catch((err) => {
    if (err instanceof ModelNotFoundError) throw err;
  });
  // Move aside first so the model vanishes from listings at once, even if removal is slow.
  const doomed = path.join(modelsDir(workspace), `${TEMP_PREFIX}delete-${id}-${randomBytes(4).toString('hex')}`);
  await fs.rename(modelDir(workspace, id), doomed);
  await fs.rm(doomed, { recursive: true, force: true });
}

/** Record evaluation results on the card, one entry per direction ("AtoB": { rmse, ... }). */
export async function setModelMetrics(
  workspace: string,
  id: string,
  metrics: Record<string, Record<string, number>>,
): Promise<ModelCard> {
  const card = await readCard(workspace, id);
  const next = { ...card, metrics: { ...card.metrics, ...metrics } };
  await writeCard(workspace, next);
  return next;
}

/**
 * Remove the library's temp folders that a crash left behind (older than LEFTOVER_TEMP_AGE_MS, so a
 * write in progress in another Duet process is left alone). Returns the names removed.
 */
export async function removeLeftoverTemp(workspace: string, now = Date.now()): Promise<string[]> {
  const root = modelsDir(workspace);
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const dir = path.join(root, name);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st?.isDirectory() || now - st.mtimeMs < LEFTOVER_TEMP_AGE_MS) continue;
    await fs.rm(dir, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
