import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { evaluateModel } from '../../../../main/engine/eval/evaluate.js';
import type { ResolvedModel } from '../../../../main/engine/library/resolve.js';
import { readCard, saveModel } from '../../../../main/engine/library/store.js';

let tmp: string;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-eval-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** A model whose generators invert colours (255 − v), in both directions. */
function invertModel(id: string, source: 'library' | 'run' = 'library'): ResolvedModel {
  return {
    source,
    id,
    label: id,
    settings: TrainingSettingsSchema.parse({}),
    iterations: 0,
    directions: ['AtoB', 'BtoA'],
    domains: { A: 'A', B: 'B' },
    translator: async () => ({ fn: (x) => tf.neg(x), multiple: 4, bytesPerPixel: 100, dispose: () => {} }),
    dispose: () => {},
  };
}

async function writePng(file: string, width: number, height: number, values: (i: number) => number) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const b = Buffer.alloc(width * height * 3);
  for (let i = 0; i < b.length; i++) b[i] = values(i);
  await sharp(b, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(file);
}

describe('evaluateModel', () => {
  it('matches hand-computed metrics per direction and writes them into the card', async () => {
    const dirA = path.join(tmp, 'testA');
    const dirB = path.join(tmp, 'testB');
    // B is the inverse of A, off by 10: inverting A misses B by exactly 10 on every channel, and back.
    const a = (i: number) => 20 + ((i * 7) % 180);
    for (const name of ['0001', '0002']) {
      await writePng(path.join(dirA, `${name}.png`), 13, 9, a);
      await writePng(path.join(dirB, `${name}.png`), 13, 9, (i) => 255 - a(i) - 10);
    }
    await writePng(path.join(dirA, 'lonely.png'), 8, 8, () => 0);

    const ws = path.join(tmp, 'ws');
    const g = tfl.sequential({
      layers: [tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 3, kernelSize: 1 })],
    });
    const card = await saveModel(
      ws,
      {
        name: 'inv',
        model: 'cyclegan',
        architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'instance' },
        directions: { A: 'a', B: 'b' },
        data: { countA: 1, countB: 1, pairing: 'unpaired' },
        iterations: 1,
        settings: TrainingSettingsSchema.parse({}),
        backend: 'cpu',
      },
      { AtoB: g },
    );
    g.dispose();

    const before = tf.memory().numTensors;
    const report = await evaluateModel({ model: invertModel(card.id), dirA, dirB, workspace: ws });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.pairs).toBe(2);
    expect(report.unmatchedA).toEqual(['lonely.png']);
    for (const d of ['AtoB', 'BtoA'] as const) {
      const r = report.results[d]!;
      expect(r.count).toBe(2);
      expect(r.rmse).toBeCloseTo(10, 6);
      expect(r.l1).toBeCloseTo(10, 6);
      expect(r.pixelAccuracy).toBe(0);
      expect(r.psnr).toBeCloseTo(20 * Math.log10(25.5), 6);
    }
    expect(report.savedToCard).toBe(true);
    const saved = await readCard(ws, card.id);
    expect(saved.metrics.AtoB).toMatchObject({ count: 2 });
    expect(saved.metrics.BtoA?.rmse).toBeCloseTo(10, 6);
  });

  it('reports pairs it cannot compare and refuses unpaired folders', async () => {
    const dirA = path.join(tmp, 'A');
    const dirB = path.join(tmp, 'B');
    await writePng(path.join(dirA, 'x.png'), 8, 8, () => 100);
    await writePng(path.join(dirB, 'x.png'), 8, 12, () => 100);
    await writePng(path.join(dirA, 'y.png'), 8, 8, () => 100);
    await writePng(path.join(dirB, 'y.png'), 8, 8, () => 155);
    const report = await evaluateModel({ model: invertModel('m', 'run'), dirA, dirB, directions: ['AtoB'] });
    expect(report.failed).toEqual([{ file: 'AtoB: x.png', reason: 'sizes differ: 8×8 against 8×12' }]);
    expect(report.results.AtoB).toMatchObject({ count: 1, rmse: 0, pixelAccuracy: 1 });
    expect(report.savedToCard).toBe(false);

    const other = path.join(tmp, 'C');
    await writePng(path.join(other, 'z.png'), 8, 8, () => 1);
    await expect(evaluateModel({ model: invertModel('m'), dirA, dirB: other })).rejects.toThrow(
      /needs paired test images/,
    );
    await expect(evaluateModel({ model: invertModel('m'), dirA, dirB: path.join(tmp, 'none') })).rejects.toThrow(
      /B test folder .* has no images \(folder not found\)/,
    );
  });

  it('reads one folder of A|B side-by-side images, and honours a limit', async () => {
    const dir = path.join(tmp, 'aligned');
    // 2 × (5 wide) + 1 stray column: A is columns 0–4, B columns 5–9 (B = A + 20), column 10 is dropped.
    const width = 11;
    const value = (i: number) => {
      const x = Math.floor(i / 3) % width;
      return x < 5 ? 100 : x < 10 ? 255 - 100 - 20 : 0;
    };
    for (const name of ['p1.png', 'p2.png', 'p3.png']) await writePng(path.join(dir, name), width, 4, value);
    const report = await evaluateModel({ model: invertModel('m', 'run'), dirA: dir, limit: 2 });
    expect(report.pairs).toBe(2);
    for (const d of ['AtoB', 'BtoA'] as const) {
      expect(report.results[d]).toMatchObject({ count: 2, pixelAccuracy: 0 });
      expect(report.results[d]!.rmse).toBeCloseTo(20, 6);
    }
  });
});
