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
 * Import checks every layer of this before it writes anything to the library: that the source is a
 * regular file under MAX_IMPORT_BYTES, the magic, version, header, card, file names, sizes and hashes,
 * every weight's shape and type, that each generator's topology uses only the layers Duet's generators
 * use and stays under the parameter limit (main/engine/library/topology.ts), and then that each generator
 * really builds with its weights. The card's name is cleaned like any name from outside.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { type Direction, type ModelCard, ModelCardSchema } from '#contract';
import { cleanDisplayName } from '../../security/display-name.js';
import { assertExportTarget, ExportTargetError } from '../../security/export-target.js';
import { writeFileAtomic } from '../atomic-files.js';
import { filesToArtifacts, type LayersFiles, modelFromFiles } from './io.js';
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
import { MAX_GENERATOR_PARAMETERS, TopologyError, topologyParameterBound } from './topology.js';

export const ARCHIVE_MAGIC = 'DUETMODL';
export const ARCHIVE_VERSION = 1;
export const ARCHIVE_EXTENSION = '.duetmodel';
const PREAMBLE = 16;
/** Two generators at the parameter limit (2 × 1 GB) plus the header; a bigger file is not a Duet model. */
export const MAX_IMPORT_BYTES = 2.25 * 1024 ** 3;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

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
  const target = path.resolve(file);
  // Never replace a file that is not a model export (main/security/export-target.ts).
  await assertExportTarget(target).catch((err) => {
    throw err instanceof ExportTargetError ? new ModelArchiveError(err.message) : err;
  });
  const data = await packModel(workspace, id);
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
  if (headerLength > MAX_HEADER_BYTES) throw new ModelArchiveError(`${label} has an implausibly large header`);
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
    if (!entry || typeof entry.name !== 'string' || typeof entry.sha256 !== 'string') {
      throw new ModelArchiveError(`${label} has a malformed file entry in its header`);
    }
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
      const artifacts = filesToArtifacts({ modelJson, weights }, `${d} generator`);
      topologyParameterBound(artifacts.modelTopology);
    } catch (err) {
      const why =
        err instanceof TopologyError ? `its ${d} generator cannot be built: ${err.message}` : (err as Error).message;
      throw new ModelArchiveError(`${label}: ${why}`);
    }
    generators[d] = { modelJson, weights };
  }
  if (Object.keys(generators).length === 0) throw new ModelArchiveError(`${label} contains no generator`);
  return { card: { ...card.data, name: cleanDisplayName(card.data.name) }, generators };
}

/**
 * Build each generator from its files, as translation will, and check what it is: one image input and
 * one image output, weights that match its layers exactly, under the parameter limit. Disposed at once.
 */
export async function checkGeneratorsBuild(
  generators: Partial<Record<Direction, LayersFiles>>,
  label = 'The file',
): Promise<void> {
  // The command line imports without choosing a backend first: building needs one (the CPU one will do).
  await tf.ready();
  for (const d of DIRECTIONS) {
    const files = generators[d];
    if (!files) continue;
    let model: Awaited<ReturnType<typeof modelFromFiles>> | undefined;
    try {
      model = await modelFromFiles(files, `${d} generator`);
      const [input] = model.inputs;
      const [output] = model.outputs;
      if (
        model.inputs.length !== 1 ||
        model.outputs.length !== 1 ||
        input?.shape.length !== 4 ||
        output?.shape.length !== 4
      ) {
        throw new Error('it does not map one image to one image');
      }
      const params = model.countParams();
      if (params > MAX_GENERATOR_PARAMETERS) throw new Error(`it has ${params} parameters`);
    } catch (err) {
      throw new ModelArchiveError(`${label}: its ${d} generator cannot be built: ${(err as Error).message}`);
    } finally {
      model?.dispose();
    }
  }
}

/**
 * Import a `.duetmodel` file into the library under a fresh id (the original id when it is free), keeping
 * its card (name, metrics, creation date) as exported.
 */
export async function importModel(workspace: string, file: string): Promise<ModelCard> {
  const data = await readImportFile(file);
  const { card, generators } = unpackModel(data, path.basename(file));
  await checkGeneratorsBuild(generators, path.basename(file));
  const { id: _id, ...draft } = card;
  return writeModelFolder(workspace, { ...(draft as CardDraft), name: card.name }, generators, {
    id: await freeId(workspace, card.id, card.name),
  });
}

/** The bytes of a file to import: a regular file (not a device, a fifo or a folder) under MAX_IMPORT_BYTES. */
async function readImportFile(file: string): Promise<Buffer> {
  const fail = (err: unknown) =>
    new ModelArchiveError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  // Checked before opening too: opening a fifo would wait for a writer that never comes.
  const before = await fs.stat(file).catch((err) => {
    throw fail(err);
  });
  if (!before.isFile())
    throw new ModelArchiveError(`${file} is not a regular file; import takes a ${ARCHIVE_EXTENSION} file`);
  const handle = await fs.open(file, 'r').catch((err) => {
    throw fail(err);
  });
  try {
    const st = await handle.stat();
    if (!st.isFile())
      throw new ModelArchiveError(`${file} is not a regular file; import takes a ${ARCHIVE_EXTENSION} file`);
    if (st.size > MAX_IMPORT_BYTES) {
      throw new ModelArchiveError(
        `${file} is ${(st.size / 1024 ** 3).toFixed(1)} GB; a Duet model file is at most ${(MAX_IMPORT_BYTES / 1024 ** 3).toFixed(2)} GB`,
      );
    }
    const data = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const { bytesRead } = await handle.read(data, read, st.size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    if (read !== st.size) throw new ModelArchiveError(`${file} changed while it was read`);
    return data;
  } catch (err) {
    throw err instanceof ModelArchiveError ? err : fail(err);
  } finally {
    await handle.close().catch(() => {});
  }
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
