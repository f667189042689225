/**
 * Saving and loading generators in the tfjs layers format, through tf.io handlers only: main supplies the
 * handler that writes files (or uses the artifacts returned here); this module never touches disk.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { registerDuetLayers } from './layers.js';

/** Save a model to in-memory artifacts (model.json's topology + weight specs, and the weight bytes). */
export async function saveModelArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  if (!saved) throw new Error('Saving the model produced no artifacts');
  return saved;
}

/** Load a model from artifacts or any tf.io handler (Duet's custom layers are registered first). */
export async function loadModel(source: tf.io.ModelArtifacts | tf.io.IOHandler): Promise<tfl.LayersModel> {
  registerDuetLayers();
  const handler =
    'load' in source && typeof source.load === 'function'
      ? (source as tf.io.IOHandler)
      : tf.io.fromMemory(source as tf.io.ModelArtifacts);
  return tfl.loadLayersModel(handler);
}

/** The weight bytes of artifacts as one ArrayBuffer (tfjs may hand them over as several). */
export function weightBytes(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  const data = artifacts.weightData;
  if (!data) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
}
