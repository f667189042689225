/** The translate, models and eval commands end to end, through bin/duet.js on the cpu backend. */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { selectBackend } from '../../../main/engine/backend.js';
import { saveModel } from '../../../main/engine/library/store.js';

const exec = promisify(execFile);

let tmp: string;
let ws: string;
let modelId: string;

async function duet(args: string[], expectFailure = false) {
  try {
    const r = await exec(process.execPath, ['bin/duet.js', ...args, '--workspace', ws], {
      env: { ...process.env, DUET_BACKEND: 'cpu' },
    });
    if (expectFailure) throw new Error(`expected failure, got: ${r.stdout}`);
    return { ...r, code: 0 };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    if (!expectFailure && typeof e.code === 'number')
      throw new Error(`duet ${args.join(' ')} failed (${e.code}): ${e.stderr}`);
    if (typeof e.code !== 'number') throw err;
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-cli-translate-'));
  ws = path.join(tmp, 'ws');
  const g = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [null, null, 3],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'tanh',
      }),
    ],
  });
  const card = await saveModel(
    ws,
    {
      name: 'CLI model',
      model: 'pix2pix',
      architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'batch' },
      directions: { A: 'a', B: 'b' },
      data: { countA: 2, countB: 2, pairing: 'paired' },
      iterations: 5,
      settings: TrainingSettingsSchema.parse({ model: 'pix2pix', generator: 'tiny', norm: 'batch' }),
      backend: 'cpu',
    },
    { AtoB: g },
  );
  g.dispose();
  modelId = card.id;
  for (const [dir, name, w, h] of [
    ['in', 'one.png', 21, 13],
    ['in/sub', 'two.png', 16, 30],
    ['testB', 'one.png', 21, 13],
    ['testB', 'two.png', 16, 30],
  ] as const) {
    await fs.mkdir(path.join(tmp, dir), { recursive: true });
    await sharp({ create: { width: w, height: h, channels: 3, background: { r: 90, g: 140, b: 30 } } })
      .png()
      .toFile(path.join(tmp, dir, name));
  }
  await fs.writeFile(path.join(tmp, 'in', 'broken.jpg'), 'not really a jpeg');
}, 60_000);

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('duet translate / models / eval', () => {
  it('translates a folder, lists the bad file, and exits 2 because one file failed', async () => {
    const out = path.join(tmp, 'out');
    const r = await duet(['translate', '--model', modelId, '--in', path.join(tmp, 'in'), '--out', out, '--json'], true);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.translated).toHaveLength(2);
    expect(report.failed).toEqual([{ path: path.join(tmp, 'in', 'broken.jpg'), reason: 'not an image (text file)' }]);
    const meta = await sharp(path.join(out, 'sub', 'two.png')).metadata();
    expect([meta.width, meta.height]).toEqual([16, 30]);
  }, 60_000);

  it('refuses a direction the model lacks, naming what it has', async () => {
    const r = await duet(
      [
        'translate',
        '--model',
        modelId,
        '--in',
        path.join(tmp, 'in'),
        '--out',
        path.join(tmp, 'o2'),
        '--direction',
        'BtoA',
      ],
      true,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/translates AtoB only; it has no BtoA generator/);
  }, 60_000);

  it('exports, imports into the same library under a new id, and lists both', async () => {
    const file = path.join(tmp, 'm.duetmodel');
    await duet(['models', 'export', modelId, file]);
    const imported = JSON.parse((await duet(['models', 'import', file, '--json'])).stdout);
    expect(imported.id).toBe(`${modelId}-2`);
    const listing = JSON.parse((await duet(['models', 'list', '--json'])).stdout);
    expect(listing.models.map((m: { id: string }) => m.id).sort()).toEqual([modelId, `${modelId}-2`]);
  }, 90_000);

  it('eval prints per-direction metrics and records them on the card', async () => {
    const r = await duet([
      'eval',
      '--model',
      modelId,
      '--a',
      path.join(tmp, 'in'),
      '--b',
      path.join(tmp, 'testB'),
      '--json',
    ]);
    const report = JSON.parse(r.stdout);
    expect(report.pairs).toBe(2);
    expect(report.results.AtoB.count).toBe(2);
    expect(report.results.AtoB.rmse).toBeGreaterThan(0);
    expect(report.savedToCard).toBe(true);
    const card = JSON.parse((await duet(['models', 'show', modelId, '--json'])).stdout);
    expect(card.metrics.AtoB.rmse).toBeCloseTo(report.results.AtoB.rmse, 10);
  }, 90_000);
});
