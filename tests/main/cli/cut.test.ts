/**
 * A CUT model end to end through bin/duet.js on the cpu backend: train a tiny run, save it to the
 * library, translate and evaluate A → B, and be told clearly that it has no B → A.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestData, makeWorkspace, type TestData } from '../../support/runs.js';

const exec = promisify(execFile);

let data: TestData;
let ws: string;

async function duet(args: string[], expectFailure = false) {
  try {
    const r = await exec(process.execPath, ['bin/duet.js', ...args, '--workspace', ws], {
      env: { ...process.env, DUET_BACKEND: 'cpu' },
      maxBuffer: 16 * 1024 * 1024,
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
  data = await makeTestData(3);
  ws = await makeWorkspace();
});

afterAll(async () => {
  await fs.rm(data.root, { recursive: true, force: true });
  await fs.rm(ws, { recursive: true, force: true });
});

describe('duet train --model cut, then models save, translate and eval', () => {
  it('trains, saves, translates A→B, refuses B→A by name and evaluates one direction', async () => {
    const train = await duet([
      'train',
      '--a',
      data.a,
      '--b',
      data.b,
      '--model',
      'cut',
      '--preset',
      'quick',
      '--size',
      '16',
      '--iterations',
      '2',
      '--checkpoint-every',
      '1000',
      '--name',
      'cut-cli',
      '--json',
    ]);
    const lines = train.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ type: 'done', state: 'finished', iteration: 2 });
    const progress = lines.find((l) => l.type === 'progress') as { losses?: Record<string, number> } | undefined;
    expect(Object.keys(progress?.losses ?? {}).sort()).toEqual(['D_fake', 'D_real', 'G_GAN', 'NCE', 'NCE_Y']);

    const card = JSON.parse((await duet(['models', 'save', 'cut-cli', '--json'])).stdout);
    expect(card).toMatchObject({ model: 'cut', iterations: 2, data: { pairing: 'unpaired' } });

    const out = path.join(data.root, 'out');
    const translated = JSON.parse(
      (await duet(['translate', '--model', card.id, '--in', data.a, '--out', out, '--json'])).stdout,
    );
    expect(translated.translated).toHaveLength(3);
    const meta = await sharp(path.join(out, 'img0.png')).metadata();
    expect([meta.width, meta.height]).toEqual([20, 20]);

    const back = await duet(
      ['translate', '--model', card.id, '--in', data.b, '--out', path.join(data.root, 'o2'), '--direction', 'BtoA'],
      true,
    );
    expect(back.code).toBe(1);
    expect(back.stderr).toMatch(/translates AtoB only; it has no BtoA generator/);

    const report = JSON.parse(
      (await duet(['eval', '--model', card.id, '--a', data.a, '--b', data.b, '--json'])).stdout,
    );
    expect(report.results.AtoB.count).toBe(3);
    expect(report.results.BtoA).toBeUndefined();
  }, 300_000);
});
