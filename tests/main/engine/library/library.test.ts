import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import {
  ARCHIVE_VERSION,
  exportModel,
  importModel,
  packModel,
  unpackModel,
} from '../../../../main/engine/library/archive.js';
import { fileSystemHandler } from '../../../../main/engine/library/io.js';
import {
  type CardDraft,
  deleteModel,
  listModels,
  loadGenerator,
  modelDir,
  modelDirections,
  readCard,
  renameModel,
  saveModel,
  setModelMetrics,
} from '../../../../main/engine/library/store.js';

function tinyGenerator(seed: number): tfl.LayersModel {
  const init = tfl.initializers.randomNormal({ mean: 0, stddev: 0.2, seed });
  const input = tfl.input({ shape: [null, null, 3] });
  const h = tfl.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init })
    .apply(input);
  const out = tfl.layers
    .conv2d({ filters: 3, kernelSize: 1, activation: 'tanh', kernelInitializer: init, biasInitializer: 'ones' })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function draft(name: string): CardDraft {
  return {
    name,
    model: 'cyclegan',
    architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'instance' },
    directions: { A: 'aerial', B: 'map' },
    data: { countA: 10, countB: 12, pairing: 'unpaired' },
    iterations: 42,
    settings: TrainingSettingsSchema.parse({ generator: 'tiny', size: 32 }),
    backend: 'cpu',
  };
}

async function predict(model: tfl.LayersModel, x: tf.Tensor4D): Promise<Float32Array> {
  const y = model.predict(x) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

let ws: string;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});
beforeEach(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-library-'));
});
afterEach(async () => {
  await fs.rm(ws, { recursive: true, force: true });
});

describe('file-system IOHandler', () => {
  it('saves model.json + weights.bin and loads a model that predicts the same', async () => {
    const g = tinyGenerator(3);
    const dir = path.join(ws, 'g');
    await g.save(fileSystemHandler(dir));
    expect((await fs.readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await tfl.loadLayersModel(fileSystemHandler(dir));
    const x = tf.randomUniform([1, 9, 13, 3], -1, 1, 'float32', 5) as tf.Tensor4D;
    expect(await predict(back, x)).toEqual(await predict(g, x));
    tf.dispose(x);
    g.dispose();
    back.dispose();
  });

  it('refuses weights that do not match model.json', async () => {
    const g = tinyGenerator(3);
    const dir = path.join(ws, 'g');
    await g.save(fileSystemHandler(dir));
    g.dispose();
    await fs.truncate(path.join(dir, 'weights.bin'), 10);
    await expect(tfl.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(
      /holds 10 bytes, its model.json describes/,
    );
    await fs.rm(path.join(dir, 'model.json'));
    await expect(tfl.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/Cannot read .*model.json: ENOENT/);
  });
});

describe('model library', () => {
  it('saves, lists, renames, records metrics and deletes', async () => {
    const a = tinyGenerator(1);
    const b = tinyGenerator(2);
    const card = await saveModel(ws, draft('Aerial → Map'), { AtoB: a, BtoA: b });
    expect(card.id).toBe('aerial-map');
    expect(await modelDirections(ws, card.id)).toEqual(['AtoB', 'BtoA']);
    const second = await saveModel(ws, draft('Aerial → Map'), { AtoB: a });
    expect(second.id).toBe('aerial-map-2');
    expect(await modelDirections(ws, second.id)).toEqual(['AtoB']);

    // A stray folder is reported, not fatal; temp folders are not listed.
    await fs.mkdir(path.join(ws, 'models', 'junk'));
    await fs.mkdir(path.join(ws, 'models', '.tmp-half'));
    const listing = await listModels(ws);
    expect(listing.models.map((m) => m.id).sort()).toEqual(['aerial-map', 'aerial-map-2']);
    expect(listing.problems).toEqual([{ id: 'junk', reason: expect.stringMatching(/No model "junk"/) }]);

    const renamed = await renameModel(ws, card.id, '  Maps v2 ');
    expect(renamed).toMatchObject({ id: 'aerial-map', name: 'Maps v2' });
    expect((await readCard(ws, card.id)).name).toBe('Maps v2');
    await expect(renameModel(ws, card.id, ' ')).rejects.toThrow(/cannot be empty/);

    await setModelMetrics(ws, card.id, { AtoB: { rmse: 12.5, pixelAccuracy: 0.4, psnr: 26.2, l1: 8 } });
    expect((await readCard(ws, card.id)).metrics.AtoB?.rmse).toBe(12.5);

    await deleteModel(ws, second.id);
    expect((await listModels(ws)).models.map((m) => m.id)).toEqual(['aerial-map']);
    await expect(deleteModel(ws, 'nope')).rejects.toThrow(/No model "nope"/);
    await expect(loadGenerator(ws, second.id, 'AtoB')).rejects.toThrow(/No model "aerial-map-2"/);
    a.dispose();
    b.dispose();
  });

  it('asks for a direction the model lacks, or a damaged file, with a clear error', async () => {
    const g = tinyGenerator(1);
    const card = await saveModel(ws, { ...draft('p2p'), model: 'pix2pix' }, { AtoB: g });
    g.dispose();
    await expect(loadGenerator(ws, card.id, 'BtoA')).rejects.toThrow(/has no BtoA generator \(it translates AtoB\)/);
    const weights = path.join(modelDir(ws, card.id), 'AtoB', 'weights.bin');
    const bytes = await fs.readFile(weights);
    bytes[0] = bytes[0]! ^ 0xff;
    await fs.writeFile(weights, bytes);
    await expect(loadGenerator(ws, card.id, 'AtoB')).rejects.toThrow(/AtoB\/weights.bin is damaged/);
    await expect(readCard(ws, '../escape')).rejects.toThrow(/Invalid model id/);
  });
});

describe('single-file export and import', () => {
  it('an imported model translates exactly as before export', async () => {
    const a = tinyGenerator(11);
    const b = tinyGenerator(12);
    const card = await saveModel(ws, draft('roundtrip'), { AtoB: a, BtoA: b });
    await setModelMetrics(ws, card.id, { BtoA: { rmse: 3 } });
    const file = path.join(ws, 'roundtrip.duetmodel');
    await exportModel(ws, card.id, file);

    const other = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-library-other-'));
    try {
      const imported = await importModel(other, file);
      expect(imported).toEqual(await readCard(ws, card.id));
      // Importing again into the same library gets a fresh id.
      expect((await importModel(other, file)).id).toBe('roundtrip-2');
      const x = tf.randomUniform([1, 11, 7, 3], -1, 1, 'float32', 9) as tf.Tensor4D;
      for (const [d, original] of [
        ['AtoB', a],
        ['BtoA', b],
      ] as const) {
        const loaded = await loadGenerator(other, imported.id, d);
        expect(await predict(loaded, x)).toEqual(await predict(original, x));
        loaded.dispose();
      }
      tf.dispose(x);
    } finally {
      await fs.rm(other, { recursive: true, force: true });
    }
    a.dispose();
    b.dispose();
  });

  it('refuses a wrong, truncated, tampered or newer file, naming the problem', async () => {
    const g = tinyGenerator(1);
    const card = await saveModel(ws, draft('checked'), { AtoB: g });
    g.dispose();
    const good = await packModel(ws, card.id);
    expect(() => unpackModel(good)).not.toThrow();

    expect(() => unpackModel(Buffer.from('\x89PNG\r\n\x1a\n0000000000'))).toThrow(/not a Duet model export/);
    expect(() => unpackModel(good.subarray(0, good.byteLength - 7))).toThrow(/truncated: it holds \d+ bytes/);
    expect(() => unpackModel(good.subarray(0, 40))).toThrow(/truncated \(its header runs past/);
    expect(() => unpackModel(Buffer.concat([good, Buffer.from('x')]))).toThrow(/1 unexpected bytes/);

    const tampered = Buffer.from(good);
    tampered[tampered.byteLength - 1] = tampered[tampered.byteLength - 1]! ^ 0x01;
    expect(() => unpackModel(tampered)).toThrow(/damaged: AtoB\/weights.bin does not match its SHA-256/);

    const newer = Buffer.from(good);
    newer.writeUInt32BE(ARCHIVE_VERSION + 1, 8);
    expect(() => unpackModel(newer)).toThrow(/version 2; this Duet reads version 1 \(it was written by a newer Duet\)/);

    const headerLength = good.readUInt32BE(12);
    const header = JSON.parse(good.toString('utf8', 16, 16 + headerLength));
    const rebuild = (h: object) => {
      const bytes = Buffer.from(JSON.stringify(h));
      const pre = Buffer.from(good.subarray(0, 16));
      pre.writeUInt32BE(bytes.byteLength, 12);
      return Buffer.concat([pre, bytes, good.subarray(16 + headerLength)]);
    };
    expect(() => unpackModel(rebuild({ ...header, card: { ...header.card, iterations: 'many' } }))).toThrow(
      /invalid model card \(iterations:/,
    );
    const escaping = header.files.map((f: { name: string }, i: number) =>
      i === 0 ? { ...f, name: '../evil.json' } : f,
    );
    expect(() => unpackModel(rebuild({ ...header, files: escaping }))).toThrow(/unexpected entry "..\/evil.json"/);

    const bad = path.join(ws, 'bad.duetmodel');
    await fs.writeFile(bad, good.subarray(0, good.byteLength - 1));
    await expect(importModel(ws, bad)).rejects.toThrow(/bad.duetmodel is truncated/);
    await expect(importModel(ws, path.join(ws, 'missing.duetmodel'))).rejects.toThrow(/Cannot read .*ENOENT/);
    // Nothing half-imported is left in the library.
    expect((await listModels(ws)).models.map((m) => m.id)).toEqual(['checked']);
  });
});
