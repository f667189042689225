import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ramp } from '../../support/corpus.js';

const run = promisify(execFile);
let root: string;

async function duet(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/duet.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'duet-cli-scan-'));
  for (const d of ['trainA', 'trainB', 'testA', 'testB']) await mkdir(join(root, 'data', d), { recursive: true });
  await ramp(40, 40)
    .png()
    .toFile(join(root, 'data', 'trainA', 'a1.png'));
  await ramp(50, 40)
    .jpeg()
    .toFile(join(root, 'data', 'trainA', 'a2.JPG'));
  await writeFile(join(root, 'data', 'trainA', 'broken.png'), 'not a picture');
  await ramp(40, 40)
    .png()
    .toFile(join(root, 'data', 'trainB', 'b1.png'));
  await ramp(40, 40)
    .png()
    .toFile(join(root, 'data', 'testA', 't.png'));
  await ramp(40, 40)
    .png()
    .toFile(join(root, 'data', 'testB', 't.png'));
  await mkdir(join(root, 'junk'));
  await writeFile(join(root, 'junk', 'readme.txt'), 'hello');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('duet scan', () => {
  it('prints layout, pairing, counts, sizes and every skipped file, exiting 0 despite skips', async () => {
    const r = await duet('scan', join(root, 'data'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Layout: +train-test-folders \(split: train; available: train, test\)/);
    expect(r.stdout).toMatch(/Held out: +testA\/ testB\/ \(not trained on\)/);
    expect(r.stdout).toMatch(/Pairing: +unpaired → suggests CycleGAN/);
    expect(r.stdout).toMatch(/2 image\(s\) \(png 1, jpeg 1\) · 1 skipped/);
    expect(r.stdout).toMatch(/Sizes: +width 40–50 px/);
    expect(r.stdout).toMatch(/broken\.png — not an image \(text file\)/);
  });

  it('--json gives the scan report, and --split test scans the test folders', async () => {
    const r = await duet('scan', join(root, 'data'), '--json', '--split', 'test');
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.stdout);
    expect(scan).toMatchObject({ layout: 'train-test-folders', split: 'test', pairing: { kind: 'paired-names' } });
    expect(scan.a.images).toHaveLength(1);
    expect(scan).toMatchObject({ bothInOneFolder: true, canTrain: true, whyNot: null, heldOut: ['trainA', 'trainB'] });
  });

  it('one plain folder is one domain: nothing to train on, with the reason', async () => {
    const r = await duet('scan', join(root, 'data', 'trainA'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to train on: only one domain: add a second folder \(domain B\)/);
  });

  it('exits non-zero with the reason when nothing usable was found', async () => {
    const r = await duet('scan', join(root, 'junk'), join(root, 'data', 'trainB'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/readme\.txt — not an image/);
    expect(r.stderr).toMatch(/nothing to train on: no usable images in .*junk: all 1 file\(s\) were skipped/);
  });

  it('refuses a split the folder does not hold', async () => {
    const r = await duet('scan', join(root, 'data'), '--split', 'val');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no valA\/ and valB\//);
  });
});
