/**
 * Findings 3 and 4: what export may overwrite and what import accepts. Every refused import leaves the
 * library as it was (nothing written), and says what is wrong.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import {
  exportModel,
  importModel,
  MAX_IMPORT_BYTES,
  packModel,
  unpackModel,
} from '../../../../main/engine/library/archive.js';
import {
  type CardDraft,
  LEFTOVER_TEMP_AGE_MS,
  listModels,
  removeLeftoverTemp,
  renameModel,
  saveModel,
} from '../../../../main/engine/library/store.js';
import { MAX_GENERATOR_PARAMETERS, topologyParameterBound } from '../../../../main/engine/library/topology.js';
import { ModelService } from '../../../../main/engine/service/models.js';

function tinyGenerator(seed: number): tfl.LayersModel {
  const init = tfl.initializers.randomNormal({ mean: 0, stddev: 0.2, seed });
  const input = tfl.input({ shape: [null, null, 3] });
  const h = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init }).apply(input);
  const out = tfl.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: init }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function draft(name: string): CardDraft {
  return {
    name,
    model: 'pix2pix',
    architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'instance' },
    directions: { A: 'aerial', B: 'map' },
    data: { countA: 1, countB: 1, pairing: 'paired' },
    iterations: 1,
    settings: TrainingSettingsSchema.parse({ generator: 'tiny', size: 32 }),
    backend: 'cpu',
  };
}

let ws: string;
let other: string;
let good: Buffer;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});
beforeEach(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-hostile-lib-'));
  other = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-hostile-lib-other-'));
  const g = tinyGenerator(3);
  const card = await saveModel(ws, draft('maps'), { AtoB: g });
  g.dispose();
  good = await packModel(ws, card.id);
});
afterEach(async () => {
  await fs.rm(ws, { recursive: true, force: true });
  await fs.rm(other, { recursive: true, force: true });
});

/** The archive with its header and AtoB files rewritten (hashes and sizes recomputed). */
function rewrite(
  edit: (parts: { header: Record<string, unknown>; modelJson: Record<string, unknown>; weights: Buffer }) => void,
): Buffer {
  const headerLength = good.readUInt32BE(12);
  const header = JSON.parse(good.toString('utf8', 16, 16 + headerLength));
  const { card } = unpackModel(good);
  const jsonEntry = header.files[0];
  const jsonBytes = good.subarray(16 + headerLength, 16 + headerLength + jsonEntry.bytes);
  const weights = Buffer.from(good.subarray(16 + headerLength + jsonEntry.bytes));
  const parts = { header: { ...header, card }, modelJson: JSON.parse(jsonBytes.toString('utf8')), weights };
  edit(parts);
  const files = [Buffer.from(JSON.stringify(parts.modelJson)), parts.weights];
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  parts.header.files = ['AtoB/model.json', 'AtoB/weights.bin'].map((name, i) => ({
    name,
    bytes: files[i]!.byteLength,
    sha256: createHash('sha256').update(files[i]!).digest('hex'),
  }));
  const headerBytes = Buffer.from(JSON.stringify(parts.header));
  const pre = Buffer.from(good.subarray(0, 16));
  pre.writeUInt32BE(headerBytes.byteLength, 12);
  return Buffer.concat([pre, headerBytes, ...files]);
}

async function importBytes(data: Buffer, name = 'x.duetmodel') {
  const file = path.join(ws, name);
  await fs.writeFile(file, data);
  return importModel(other, file);
}

async function libraryIsEmpty(): Promise<void> {
  expect((await listModels(other)).models).toEqual([]);
  const left = await fs.readdir(path.join(other, 'models')).catch(() => []);
  expect(left).toEqual([]);
}

describe('finding 3: export never replaces a file that is not a model export', () => {
  it('refuses a text file as destination and leaves it untouched', async () => {
    const notes = path.join(ws, 'notes.txt');
    await fs.writeFile(notes, 'my notes');
    const service = new ModelService(ws, () => undefined);
    await expect(service.export({ modelId: 'maps', destination: notes, format: 'tfjs' })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/into a folder, or to a file ending in \.duetmodel/),
    });
    expect(await fs.readFile(notes, 'utf8')).toBe('my notes');
    await expect(exportModel(ws, 'maps', notes)).rejects.toThrow(/will not write/);
    expect(await fs.readFile(notes, 'utf8')).toBe('my notes');
  });

  it('exports into a folder, replaces an older export, and refuses links and missing folders', async () => {
    const service = new ModelService(ws, () => undefined);
    const out = path.join(ws, 'out');
    await fs.mkdir(out);
    expect((await service.export({ modelId: 'maps', destination: out, format: 'tfjs' })).path).toBe(
      path.join(out, 'maps.duetmodel'),
    );
    expect((await service.export({ modelId: 'maps', destination: out, format: 'tfjs' })).path).toBe(
      path.join(out, 'maps.duetmodel'),
    );
    const named = path.join(out, 'named.duetmodel');
    expect((await service.export({ modelId: 'maps', destination: named, format: 'tfjs' })).path).toBe(named);
    await fs.writeFile(path.join(ws, 'target.txt'), 'keep');
    await fs.symlink(path.join(ws, 'target.txt'), path.join(out, 'link.duetmodel'));
    await expect(
      service.export({ modelId: 'maps', destination: path.join(out, 'link.duetmodel'), format: 'tfjs' }),
    ).rejects.toMatchObject({ code: 'invalid-request' });
    expect(await fs.readFile(path.join(ws, 'target.txt'), 'utf8')).toBe('keep');
    await expect(
      service.export({ modelId: 'maps', destination: path.join(ws, 'nowhere', 'm.duetmodel'), format: 'tfjs' }),
    ).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/does not exist/) });
  });
});

describe('finding 4: import trusts nothing in the file', () => {
  it('reads only regular files, under the size cap', async () => {
    await expect(importModel(other, '/dev/zero')).rejects.toThrow(/not a regular file/);
    await expect(importModel(other, ws)).rejects.toThrow(/not a regular file/);
    const fifo = path.join(ws, 'pipe.duetmodel');
    execFileSync('mkfifo', [fifo]);
    await expect(importModel(other, fifo)).rejects.toThrow(/not a regular file/);
    const huge = path.join(ws, 'huge.duetmodel');
    const handle = await fs.open(huge, 'w');
    await handle.truncate(MAX_IMPORT_BYTES + 1); // sparse: no disk used
    await handle.close();
    await expect(importModel(other, huge)).rejects.toThrow(/a Duet model file is at most 2.25 GB/);
    await libraryIsEmpty();
  });

  it('refuses negative, fractional and absurd weight shapes, and unknown weight types', async () => {
    const specOf = (m: Record<string, unknown>) =>
      (m.weightsManifest as Array<{ weights: Array<{ shape: number[]; dtype: string }> }>)[0]!.weights;
    const negative = rewrite(({ modelJson }) => {
      // [-3, -3, 3, 4] has the same product as [3, 3, 3, 4]: the byte count alone cannot tell.
      const s = specOf(modelJson)[0]!;
      s.shape = s.shape.map((d, i) => (i < 2 ? -d : d));
    });
    await expect(importBytes(negative)).rejects.toThrow(/invalid dimension -3/);
    const fractional = rewrite(({ modelJson }) => {
      specOf(modelJson)[0]!.shape[0] = 1.5;
    });
    await expect(importBytes(fractional)).rejects.toThrow(/invalid dimension 1.5/);
    const typed = rewrite(({ modelJson }) => {
      specOf(modelJson)[0]!.dtype = 'complex64';
    });
    await expect(importBytes(typed)).rejects.toThrow(/unsupported type "complex64"/);
    await libraryIsEmpty();
  });

  it('refuses a topology declaring an enormous layer before building it', async () => {
    const enormous = rewrite(({ modelJson }) => {
      const layers = (modelJson.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } })
        .config.layers;
      // 31·31·8000·8000 ≈ 61.5 G weights: building it would try to allocate ~246 GB.
      layers[1]!.config.filters = 8000;
      layers[2]!.config.filters = 8000;
      layers[2]!.config.kernel_size = [31, 31];
    });
    await expect(importBytes(enormous)).rejects.toThrow(/more than 250,000,000 parameters/);
    await libraryIsEmpty();
    expect(MAX_GENERATOR_PARAMETERS).toBe(250_000_000);
  });

  it('refuses models that would only fail at translate time', async () => {
    type Topo = { class_name: string; config: { layers: Array<Record<string, unknown>> } };
    const cases: Array<[string, (m: Record<string, unknown>) => void, RegExp]> = [
      ['no layers', (m) => ((m.modelTopology as Topo).config.layers = []), /lists no layers/],
      [
        'inbound nodes not a list',
        (m) => ((m.modelTopology as Topo).config.layers[1]!.inbound_nodes = 7),
        /no inbound_nodes list/,
      ],
      [
        'a layer fed by a layer that does not exist',
        (m) => ((m.modelTopology as Topo).config.layers[2]!.inbound_nodes = [[['ghost', 0, 0, {}]]]),
        /fed by ghost/,
      ],
      ['an unknown layer class', (m) => ((m.modelTopology as Topo).config.layers[1]!.class_name = 'Lambda'), /Lambda/],
      [
        'weights that do not match the layers',
        (m) => {
          const layers = (m.modelTopology as Topo).config.layers;
          (layers[1]!.config as Record<string, unknown>).filters = 5;
        },
        /cannot be built/,
      ],
      ['an unknown model class', (m) => ((m.modelTopology as Topo).class_name = 'Graph'), /not a tfjs-layers model/],
    ];
    for (const [what, edit, message] of cases) {
      await expect(importBytes(rewrite(({ modelJson }) => edit(modelJson))), what).rejects.toThrow(message);
    }
    await libraryIsEmpty();
    expect(tf.memory().numTensors).toBeLessThan(1000);
  });

  it('cleans an imported name: control characters, bidi overrides, 120 characters at most', async () => {
    const name = `evil\u202Egpj.exe\n\u0007${'x'.repeat(1024 * 1024)}`;
    const card = await importBytes(
      rewrite(({ header }) => {
        (header.card as { name: string }).name = name;
      }),
    );
    expect(card.name).toBe(`evil gpj.exe ${'x'.repeat(107)}`);
    expect([...card.name].length).toBe(120);
    await expect(renameModel(other, card.id, 'a\u202Eb')).resolves.toMatchObject({ name: 'a b' });
    await expect(renameModel(other, card.id, 'y'.repeat(121))).rejects.toThrow(/at most 120/);
  });

  it('counts a stock generator’s parameters from its topology within the limit', () => {
    const g = tinyGenerator(1);
    const topology = g.toJSON(null, false) as object;
    expect(topologyParameterBound(topology)).toBe(g.countParams());
    g.dispose();
  });
});

describe('library temp folders', () => {
  it('removes the ones a crash left behind, and keeps one being written now', async () => {
    const models = path.join(ws, 'models');
    await fs.mkdir(path.join(models, '.tmp-old-1a2b', 'AtoB'), { recursive: true });
    await fs.mkdir(path.join(models, '.tmp-new-3c4d'));
    const old = new Date(Date.now() - LEFTOVER_TEMP_AGE_MS - 60_000);
    await fs.utimes(path.join(models, '.tmp-old-1a2b'), old, old);
    expect(await removeLeftoverTemp(ws)).toEqual(['.tmp-old-1a2b']);
    expect(existsSync(path.join(models, '.tmp-new-3c4d'))).toBe(true);
    expect(existsSync(path.join(models, 'maps'))).toBe(true);
  });
});
