import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { scanDataset } from '../../../../main/engine/dataset/index.js';
import {
  generatePair,
  generateSample,
  SAMPLE_MARKER,
  sideBySide,
  tileSeed,
} from '../../../../main/engine/sample/generate.js';

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'duet-sample-'));
  temps.push(d);
  return d;
}
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full)] = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
  }
  return out;
}

describe('generateSample', () => {
  it('writes trainA/trainB/testA/testB with matching names, the given count and size', async () => {
    const dir = await tempDir();
    const manifest = await generateSample({ dir, count: 3, testCount: 2, size: 32, seed: 5 });
    expect(manifest).toMatchObject({ count: 3, testCount: 2, size: 32, seed: 5, layout: 'train-test-folders' });
    expect((await readdir(dir)).sort()).toEqual([SAMPLE_MARKER, 'testA', 'testB', 'trainA', 'trainB']);
    for (const split of ['train', 'test']) {
      const a = (await readdir(path.join(dir, `${split}A`))).sort();
      const b = (await readdir(path.join(dir, `${split}B`))).sort();
      expect(a).toEqual(b);
      expect(a).toHaveLength(split === 'train' ? 3 : 2);
      for (const name of a) {
        const meta = await sharp(path.join(dir, `${split}A`, name)).metadata();
        expect([meta.width, meta.height, meta.channels, meta.format]).toEqual([32, 32, 3, 'png']);
      }
    }
  });

  it('decodes back to exactly the rendered pair', async () => {
    const dir = await tempDir();
    await generateSample({ dir, count: 1, testCount: 1, size: 32, seed: 9 });
    const pair = generatePair(32, tileSeed(9, 'test', 0));
    const a = await sharp(path.join(dir, 'testA', '0001.png'))
      .raw()
      .toBuffer();
    const b = await sharp(path.join(dir, 'testB', '0001.png'))
      .raw()
      .toBuffer();
    expect(a.equals(Buffer.from(pair.aerial))).toBe(true);
    expect(b.equals(Buffer.from(pair.map))).toBe(true);
  });

  it('writes the aligned layout as A|B side by side, twice as wide', async () => {
    const dir = await tempDir();
    await generateSample({ dir, count: 2, testCount: 1, size: 32, seed: 1, layout: 'aligned' });
    expect((await readdir(dir)).sort()).toEqual([SAMPLE_MARKER, 'test', 'train']);
    const meta = await sharp(path.join(dir, 'train', '0002.png')).metadata();
    expect([meta.width, meta.height]).toEqual([64, 32]);
    const raw = await sharp(path.join(dir, 'train', '0002.png'))
      .raw()
      .toBuffer();
    const pair = generatePair(32, tileSeed(1, 'train', 1));
    expect(raw.equals(Buffer.from(sideBySide(pair.aerial, pair.map, 32)))).toBe(true);
  });

  it('is byte-identical for a seed, different for another seed', async () => {
    const [d1, d2, d3] = [await tempDir(), await tempDir(), await tempDir()];
    await generateSample({ dir: d1, count: 2, testCount: 1, size: 32, seed: 3, layout: 'both' });
    await generateSample({ dir: d2, count: 2, testCount: 1, size: 32, seed: 3, layout: 'both' });
    await generateSample({ dir: d3, count: 2, testCount: 1, size: 32, seed: 4, layout: 'both' });
    const [h1, h2, h3] = [await hashTree(d1), await hashTree(d2), await hashTree(d3)];
    expect(Object.keys(h1)).toHaveLength(2 * 3 + 3 + 1);
    expect(h2).toEqual(h1);
    expect(h3['trainA/0001.png']).not.toBe(h1['trainA/0001.png']);
    expect(h3['test/0001.png']).not.toBe(h1['test/0001.png']);
  });

  it('never writes into a folder that holds anything but an earlier sample', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'holiday.jpg'), 'mine');
    await expect(generateSample({ dir, count: 1, size: 32 })).rejects.toThrow(
      /not empty and is not an earlier Duet sample/,
    );
    expect(await readdir(dir)).toEqual(['holiday.jpg']);
  });

  it('regenerates over an earlier sample, replacing its tiles', async () => {
    const dir = await tempDir();
    await generateSample({ dir, count: 3, testCount: 1, size: 32, seed: 1 });
    await generateSample({ dir, count: 1, testCount: 1, size: 32, seed: 2, layout: 'aligned' });
    expect((await readdir(dir)).sort()).toEqual([SAMPLE_MARKER, 'test', 'train']);
    expect(await readdir(path.join(dir, 'train'))).toEqual(['0001.png']);
    const marker = JSON.parse(await readFile(path.join(dir, SAMPLE_MARKER), 'utf8'));
    expect(marker).toMatchObject({ kind: 'duet-sample', seed: 2, complete: true });
  });

  it('stops when cancelled', async () => {
    const dir = await tempDir();
    const ctrl = new AbortController();
    let seen = 0;
    await expect(
      generateSample({
        dir,
        count: 10,
        size: 32,
        signal: ctrl.signal,
        onProgress: (done) => {
          seen = done;
          if (done === 2) ctrl.abort();
        },
      }),
    ).rejects.toThrow(/cancelled/);
    expect(seen).toBe(2);
    expect(await readdir(path.join(dir, 'trainA'))).toHaveLength(2);
  });

  it('is read by the dataset scanner as paired data in both layouts', async () => {
    const dir = await tempDir();
    await generateSample({ dir, count: 4, testCount: 2, size: 32, seed: 2, layout: 'both' });
    // Each layout on its own, then a folder holding both (the scanner picks one; either is paired).
    const folders = await tempDir();
    await generateSample({ dir: folders, count: 4, testCount: 2, size: 32, seed: 2 });
    const scan = await scanDataset(folders);
    expect(scan.layout).toBe('train-test-folders');
    expect(scan.pairing).toMatchObject({ kind: 'paired-names', suggestedModel: 'pix2pix', pairs: 4 });
    expect(scan.a.skipped).toEqual([]);
    const test = await scanDataset(folders, null, { split: 'test' });
    expect(test.pairing.pairs).toBe(2);

    const aligned = await tempDir();
    await generateSample({ dir: aligned, count: 3, testCount: 1, size: 32, seed: 2, layout: 'aligned' });
    const scanAligned = await scanDataset(aligned);
    expect(scanAligned.layout).toBe('aligned');
    expect(scanAligned.pairing).toMatchObject({ kind: 'aligned', suggestedModel: 'pix2pix', pairs: 3 });
    expect(scanAligned.sizeStats).toMatchObject({ minWidth: 64, minHeight: 32 });
    const both = await scanDataset(dir);
    expect(both.pairing.suggestedModel).toBe('pix2pix');
  });

  it('refuses bad options with a specific message', async () => {
    const dir = path.join(await tempDir(), 'x');
    await expect(generateSample({ dir, count: 0 })).rejects.toThrow(/count must be an integer from 1/);
    await expect(generateSample({ dir, count: 1, size: 30 })).rejects.toThrow(/multiple of 4 \(got 30\)/);
    await expect(generateSample({ dir, count: 1, size: 8 })).rejects.toThrow(/size must be an integer from 16/);
    await expect(generateSample({ dir, count: 1, seed: -1 })).rejects.toThrow(/seed/);
    await expect(generateSample({ dir, count: 1, layout: 'sideways' as unknown as 'aligned' })).rejects.toThrow(
      /Unknown sample layout "sideways"/,
    );
  });
});
