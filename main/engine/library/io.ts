/**
 * A file-system IOHandler for the tfjs layers format (`model.json` + `weights.bin`), so generators save
 * and load on every backend: tfjs-node's own `file://` handler only exists when tfjs-node is installed.
 *
 * Also helpers to turn a model into in-memory files and back, which the library and its single-file
 * export build on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerDuetLayers } from '../../../models/index.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** The layers-format files of one model, in memory. */
export interface LayersFiles {
  modelJson: Uint8Array;
  weights: Uint8Array;
}

function toBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  return new Uint8Array(tf.io.CompositeArrayBuffer.join(data));
}

/** Serialise artifacts into `model.json` (pointing at `weights.bin`) and the weight bytes. */
export function artifactsToFiles(artifacts: tf.io.ModelArtifacts): LayersFiles {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('Binary model topologies are not supported; save a tfjs-layers model');
  }
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
  };
  return { modelJson: Buffer.from(JSON.stringify(json)), weights: toBytes(artifacts.weightData) };
}

interface ModelJson {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: tf.io.ModelArtifacts['userDefinedMetadata'];
}

/** Bytes per value of the weight types a layers model stores (strings and complex numbers are not weights). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * Bytes one weight occupies in `weights.bin`, after checking its manifest entry: a name, a shape of
 * whole non-negative dimensions, a known type. A negative or fractional dimension would otherwise make
 * the byte count come out right for the wrong tensor.
 */
function weightBytes(spec: tf.io.WeightsManifestEntry, label: string): number {
  if (!spec || typeof spec !== 'object' || typeof spec.name !== 'string' || !spec.name) {
    throw new Error(`The ${label}'s ${MODEL_JSON} lists a weight without a name`);
  }
  const what = `The ${label}'s weight ${spec.name}`;
  if (!Array.isArray(spec.shape) || spec.shape.length > 8) throw new Error(`${what} has no valid shape`);
  let count = 1;
  for (const d of spec.shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`${what} has an invalid dimension ${JSON.stringify(d)}`);
    count *= d;
    if (!Number.isSafeInteger(count)) throw new Error(`${what} is impossibly large`);
  }
  const q = spec.quantization;
  let per: number | undefined;
  if (q !== undefined) {
    per = QUANTIZED_BYTES[q?.dtype as string];
    if (per === undefined) throw new Error(`${what} has an unsupported quantization ${JSON.stringify(q?.dtype)}`);
    if (DTYPE_BYTES[spec.dtype] === undefined) throw new Error(`${what} has an unsupported type ${spec.dtype}`);
  } else per = DTYPE_BYTES[spec.dtype];
  if (per === undefined) throw new Error(`${what} has an unsupported type ${JSON.stringify(spec.dtype)}`);
  return per * count;
}

/** Parse `model.json` + weights back into artifacts, checking that the weight bytes match the manifest. */
export function filesToArtifacts(files: LayersFiles, label = 'model'): tf.io.ModelArtifacts {
  let json: ModelJson;
  try {
    json = JSON.parse(Buffer.from(files.modelJson).toString('utf8')) as ModelJson;
  } catch {
    throw new Error(`The ${label}'s ${MODEL_JSON} is not valid JSON`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`The ${label}'s ${MODEL_JSON} is not a tfjs layers model (no modelTopology or weightsManifest)`);
  }
  if (json.weightsManifest.some((g) => !g || !Array.isArray(g.weights ?? []) || !Array.isArray(g.paths ?? []))) {
    throw new Error(`The ${label}'s ${MODEL_JSON} has a malformed weightsManifest`);
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights ?? []);
  const paths = json.weightsManifest.flatMap((g) => g.paths ?? []);
  if (paths.some((p) => typeof p !== 'string')) throw new Error(`The ${label}'s weight paths are not file names`);
  if (paths.some((p) => p.replace(/^\.\//, '') !== WEIGHTS_BIN)) {
    throw new Error(`The ${label} refers to weight files other than ${WEIGHTS_BIN}: ${paths.join(', ')}`);
  }
  let expected = 0;
  for (const s of specs) expected += weightBytes(s, label);
  if (expected !== files.weights.byteLength) {
    throw new Error(
      `The ${label}'s ${WEIGHTS_BIN} holds ${files.weights.byteLength} bytes, its ${MODEL_JSON} describes ${expected}`,
    );
  }
  const w = files.weights;
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata,
    weightSpecs: specs,
    weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
  };
}

/** An IOHandler over one folder: `save` writes `model.json` + `weights.bin`, `load` reads them. */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = artifactsToFiles(artifacts);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), files.weights);
      await fs.writeFile(path.join(dir, MODEL_JSON), files.modelJson);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: files.modelJson.byteLength,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: files.weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const read = async (name: string) => {
        try {
          return await fs.readFile(path.join(dir, name));
        } catch (err) {
          throw new Error(`Cannot read ${path.join(dir, name)}: ${(err as NodeJS.ErrnoException).code ?? err}`);
        }
      };
      return filesToArtifacts({ modelJson: await read(MODEL_JSON), weights: await read(WEIGHTS_BIN) }, dir);
    },
  };
}

/** A model as its layers-format files, in memory. */
export async function modelToFiles(model: tfl.LayersModel): Promise<LayersFiles> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifactsToFiles(captured!);
}

/** Load a model from its layers-format files (Duet's custom layers are registered first). */
export async function modelFromFiles(files: LayersFiles, label?: string): Promise<tfl.LayersModel> {
  registerDuetLayers();
  return tfl.loadLayersModel(tf.io.fromMemory(filesToArtifacts(files, label)));
}
