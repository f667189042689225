/**
 * A model as one file (`.duetmodel`), for moving models between machines.
 *
 * Layout (all integers big-endian):
 *
 * ```
 * 0   8 bytes  magic "DUETMODL"
 * 8   uint32   container version (1)
 * 12  uint32   header length H
 * 16  H bytes  header: UTF-8 JSON { format: "duet-model", version: 1, card, files: [{ name, bytes, sha256 }] }
 * 16+H         the files' bytes, back to back in header order; nothing after the last one
 * ```
 *
 * Import checks every layer of this (magic, version, header, card, file names, sizes, hashes, that each
 * generator parses as a tfjs layers model) before it writes anything to the library.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Direction, type ModelCard, ModelCardSchema } from '#contract';
import { writeFileAtomic } from '../atomic-files.js';
import { filesToArtifacts, type LayersFiles } from './io.js';
import {
  assertModelId,
  type CardDraft,
  DIRECTIONS,
  generatorFileNames,
  isGeneratorFileName,
  type ManifestEntry,
  modelDir,
  modelDirections,
  modelSlug,
  readCard,
  readGeneratorFiles,
  sha256,
  writeModelFolder,
} from './store.js';

export const ARCHIVE_MAGIC = 'DUETMODL';
export const ARCHIVE_VERSION = 1;
export const ARCHIVE_EXTENSION = '.duetmodel';
const PREAMBLE = 16;

interface ArchiveHeader {
  format: 'duet-model';
  version: number;
  card: ModelCard;
  files: ManifestEntry[];
}

export class ModelArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelArchiveError';
  }
}

/** Pack a library model into the single-file format. */
export async function packModel(workspace: string, id: string): Promise<Buffer> {
  const card = await readCard(workspace, id);
  const files: Array<{ name: string; data: Uint8Array }> = [];
  for (const d of await modelDirections(workspace, id)) {
    const g = await readGeneratorFiles(workspace, id, d);
    const [jsonName, binName] = generatorFileNames(d);
    files.push({ name: jsonName, data: g.modelJson }, { name: binName, data: g.weights });
  }
  const header: ArchiveHeader = {
    format: 'duet-model',
    version: ARCHIVE_VERSION,
    card,
    files: files.map((f) => ({ name: f.name, bytes: f.data.byteLength, sha256: sha256(f.data) })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE);
  preamble.write(ARCHIVE_MAGIC, 0, 'latin1');
  preamble.writeUInt32BE(ARCHIVE_VERSION, 8);
  preamble.writeUInt32BE(headerBytes.byteLength, 12);
  return Buffer.concat([preamble, headerBytes, ...files.map((f) => f.data)]);
}

/** Write a model's single-file export; the file appears complete or not at all. */
export async function exportModel(
  workspace: string,
  id: string,
  file: string,
): Promise<{ file: string; bytes: number }> {
  const data = await packModel(workspace, id);
  const target = path.resolve(file);
  await writeFileAtomic(target, data);
  return { file: target, bytes: data.byteLength };
}

export interface UnpackedModel {
  card: ModelCard;
  generators: Partial<Record<Direction, LayersFiles>>;
}

/** Read and validate the single-file format. Throws ModelArchiveError naming what is wrong. */
export function unpackModel(data: Uint8Array, label = 'The file'): UnpackedModel {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.byteLength < PREAMBLE || buf.toString('latin1', 0, 8) !== ARCHIVE_MAGIC) {
    throw new ModelArchiveError(`${label} is not a Duet model export (it does not start with "${ARCHIVE_MAGIC}")`);
  }
  const version = buf.readUInt32BE(8);
  if (version !== ARCHIVE_VERSION) {
    throw new ModelArchiveError(
      `${label} uses model file version ${version}; this Duet reads version ${ARCHIVE_VERSION}` +
        (version > ARCHIVE_VERSION ? ' (it was written by a newer Duet)' : ''),
    );
  }
  const headerLength = buf.readUInt32BE(12);
  if (PREAMBLE + headerLength > buf.byteLength) {
    throw new ModelArchiveError(`${label} is truncated (its header runs past the end of the file)`);
  }
  let header: ArchiveHeader;
  try {
    header = JSON.parse(buf.toString('utf8', PREAMBLE, PREAMBLE + headerLength));
  } catch {
    throw new ModelArchiveError(`${label} has a damaged header (not valid JSON)`);
  }
  if (header?.format !== 'duet-model' || header.version !== ARCHIVE_VERSION || !Array.isArray(header.files)) {
    throw new ModelArchiveError(`${label} has a header Duet does not recognise`);
  }
  const card = ModelCardSchema.safeParse(header.card);
  if (!card.success) {
    const issue = card.error.issues[0];
    throw new ModelArchiveError(`${label} carries an invalid model card (${issue?.path.join('.')}: ${issue?.message})`);
  }
  const declared = header.files.reduce(
    (s, f) => s + (Number.isSafeInteger(f.bytes) && f.bytes >= 0 ? f.bytes : Number.NaN),
    0,
  );
  const available = buf.byteLength - PREAMBLE - headerLength;
  if (Number.isNaN(declared)) throw new ModelArchiveError(`${label} has a header with invalid file sizes`);
  if (available < declared) {
    throw new ModelArchiveError(
      `${label} is truncated: it holds ${available} bytes of model data, its header lists ${declared}`,
    );
  }
  if (available > declared) {
    throw new ModelArchiveError(`${label} has ${available - declared} unexpected bytes after the model data`);
  }
  const files = new Map<string, Uint8Array>();
  let offset = PREAMBLE + headerLength;
  for (const entry of header.files) {
    if (!isGeneratorFileName(entry.name) || files.has(entry.name)) {
      throw new ModelArchiveError(`${label} contains an unexpected entry "${entry.name}"`);
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset + offset, entry.bytes);
    offset += entry.bytes;
    if (sha256(bytes) !== entry.sha256) {
      throw new ModelArchiveError(`${label} is damaged: ${entry.name} does not match its SHA-256 hash`);
    }
    files.set(entry.name, bytes);
  }
  const generators: Partial<Record<Direction, LayersFiles>> = {};
  for (const d of DIRECTIONS) {
    const [jsonName, binName] = generatorFileNames(d);
    const modelJson = files.get(jsonName);
    const weights = files.get(binName);
    if (!modelJson && !weights) continue;
    if (!modelJson || !weights) throw new ModelArchiveError(`${label} has an incomplete ${d} generator`);
    try {
      filesToArtifacts({ modelJson, weights }, `${d} generator`);
    } catch (err) {
      throw new ModelArchiveError(`${label}: ${(err as Error).message}`);
    }
    generators[d] = { modelJson, weights };
  }
  if (Object.keys(generators).length === 0) throw new ModelArchiveError(`${label} contains no generator`);
  return { card: card.data, generators };
}

/**
 * Import a `.duetmodel` file into the library under a fresh id (the original id when it is free), keeping
 * its card (name, metrics, creation date) as exported.
 */
export async function importModel(workspace: string, file: string): Promise<ModelCard> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    throw new ModelArchiveError(
      `Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const { card, generators } = unpackModel(data, path.basename(file));
  const { id: _id, ...draft } = card;
  return writeModelFolder(workspace, { ...(draft as CardDraft), name: card.name }, generators, {
    id: await freeId(workspace, card.id, card.name),
  });
}

async function freeId(workspace: string, wanted: string, name: string): Promise<string> {
  // The id in a file comes from elsewhere: only trust it as a folder name when it is a safe one.
  let base = wanted;
  try {
    assertModelId(wanted);
  } catch {
    base = modelSlug(name);
  }
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base}-${n}`;
    const taken = await fs.stat(modelDir(workspace, id)).then(
      () => true,
      () => false,
    );
    if (!taken) return id;
  }
}
