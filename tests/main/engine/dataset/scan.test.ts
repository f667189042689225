import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScanReportSchema } from '#contract';
import { probeImage, scanDataset, scanDomain, unusableReason } from '../../../../main/engine/dataset/index.js';
import { detectLayout, sizeStatistics } from '../../../../main/engine/dataset/scan.js';
import { bombPng, type Corpus, makeCorpus, ramp } from '../../../support/corpus.js';
import { tempFolders } from '../../../support/temp.js';

let corpus: Corpus;
const temp = tempFolders('duet-scan-');
const tempDir = temp.make;

beforeAll(async () => {
  corpus = await makeCorpus();
  temp.track(corpus.root);
});

async function writeImages(dir: string, names: string[], width = 32, height = 32): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of names) await writeFile(join(dir, name), await ramp(width, height).png().toBuffer());
}

describe('scanDomain on a hostile corpus', () => {
  it('accepts or skips every file with the right reason, and never throws', async () => {
    const scan = await scanDomain(corpus.root);
    const seen = new Map<string, string>();
    for (const img of scan.images) seen.set(img.relative, 'ok');
    for (const s of scan.skipped) seen.set(relative(corpus.root, s.path), s.reason);
    for (const [rel, expect_] of corpus.expected) {
      if (expect_ === 'ignored') {
        expect(seen.has(rel), `${rel} should be ignored`).toBe(false);
      } else if (expect_ === 'ok') {
        expect(seen.get(rel), rel).toBe('ok');
      } else {
        expect(seen.get(rel), rel).toMatch(expect_);
      }
    }
    // Nothing is reported that the corpus does not expect, and the hidden files are counted.
    for (const rel of seen.keys()) expect(corpus.expected.has(rel), `unexpected ${rel}`).toBe(true);
    expect(scan.ignored).toBeGreaterThanOrEqual(5);
  });

  it('reads content, not extensions: a JPEG named .png is a JPEG, upper-case extensions work', async () => {
    const scan = await scanDomain(corpus.root);
    const byRel = new Map(scan.images.map((i) => [i.relative, i]));
    expect(byRel.get('jpeg-named.png')?.format).toBe('jpeg');
    expect(byRel.get('UPPER.JPG')?.format).toBe('jpeg');
    expect(byRel.get('UPPER.WEBP')?.format).toBe('webp');
    expect(byRel.get('scan.TIFF')?.format).toBe('tiff');
    expect(byRel.get('photo.avif')?.format).toBe('avif');
    // Upright size: orientation 6 turns the stored 48×32 into a 32×48 portrait.
    expect(byRel.get('exif-rotated.jpg')).toMatchObject({ width: 32, height: 48, orientation: 6 });
    expect(byRel.get('cmyk.jpg')?.space).toBe('cmyk');
    expect(byRel.get('sixteen.png')?.depth).toBe('ushort');
  });

  // How fast the refusal is: `duet bench --only responsiveness` ("refuse a 30000×30000 PNG bomb").
  it('refuses a 30000×30000 PNG bomb from the size in its header', async () => {
    const dir = await tempDir();
    const path = join(dir, 'bomb.png');
    await writeFile(path, bombPng(30000, 30000));
    const result = await probeImage(path, (await stat(path)).size);
    expect(result.ok).toBe(false);
    // The pixel limit, not a decode error: the 16-byte image data was never inflated.
    expect(result.ok ? '' : result.reason).toMatch(/^larger than the pixel limit/);
  });

  it('applies a configured pixel limit and minimum side', async () => {
    const dir = await tempDir();
    await writeImages(dir, ['a.png'], 64, 64);
    const path = join(dir, 'a.png');
    const size = (await stat(path)).size;
    expect(await probeImage(path, size, { pixelLimit: 1000 })).toEqual({
      ok: false,
      reason: 'larger than the pixel limit (1,000 px): 64×64 = 4,096 px',
    });
    expect(await probeImage(path, size, { minSide: 100 })).toMatchObject({ ok: false, reason: /^too small: 64×64/ });
  });

  it("verify: 'decode' decodes every file and still accepts the good ones", async () => {
    const scan = await scanDomain(corpus.root, { verify: 'decode' });
    expect(scan.images.map((i) => i.relative)).toContain('cmyk.jpg');
    expect(scan.skipped.find((s) => s.path.endsWith('truncated.jpg'))?.reason).toBe('truncated JPEG');
  });

  it('a JPEG with data after its end marker (a motion photo) is accepted after a decode check', async () => {
    const dir = await tempDir();
    const jpeg = await ramp(40, 40).jpeg().toBuffer();
    await writeFile(join(dir, 'motion.jpg'), Buffer.concat([jpeg, Buffer.from('ftypmp42 trailing video bytes')]));
    const scan = await scanDomain(dir);
    expect(scan.images.map((i) => i.relative)).toEqual(['motion.jpg']);
  });

  it('never writes into the scanned folder', async () => {
    const before = (await readdir(corpus.root, { recursive: true })).sort();
    await scanDataset(corpus.root);
    expect((await readdir(corpus.root, { recursive: true })).sort()).toEqual(before);
  });

  it('reports progress and stops when cancelled', async () => {
    const progress: number[] = [];
    await scanDomain(corpus.root, { onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(progress.length);
    const controller = new AbortController();
    controller.abort();
    await expect(scanDomain(corpus.root, { signal: controller.signal })).rejects.toThrow(/Scan cancelled/);
  });

  it('reports a missing folder instead of throwing', async () => {
    const scan = await scanDomain('/no/such/folder/duet');
    expect(scan.images).toEqual([]);
    expect(scan.skipped).toEqual([{ path: '/no/such/folder/duet', reason: 'folder not found' }]);
  });
});

describe('scanDataset layouts and pairing', () => {
  it('two folders with the same base names are paired, with unmatched names reported', async () => {
    const root = await tempDir();
    const names = Array.from({ length: 10 }, (_, i) => `${String(i).padStart(4, '0')}.png`);
    await writeImages(join(root, 'photos'), [...names, 'extra-a.png']);
    await writeImages(join(root, 'maps'), [...names.map((n) => n.replace('.png', '.PNG')), 'extra-b.png']);
    const scan = await scanDataset(join(root, 'photos'), join(root, 'maps'));
    expect(scan.layout).toBe('two-folders');
    expect(scan.pairing).toEqual({
      kind: 'paired-names',
      suggestedModel: 'pix2pix',
      pairs: 10,
      unmatchedA: ['extra-a.png'],
      unmatchedB: ['extra-b.png'],
    });
    expect(scan.notes.join('\n')).toMatch(/10 pairs by name; 1 image\(s\) in A and 1 in B have no partner/);
    expect(() => ScanReportSchema.parse(scan)).not.toThrow();
  });

  it('two folders with different names are unpaired (CycleGAN)', async () => {
    const root = await tempDir();
    await writeImages(join(root, 'horses'), ['h1.png', 'h2.png', 'h3.png']);
    await writeImages(join(root, 'zebras'), ['z1.png', 'z2.png']);
    const scan = await scanDataset(join(root, 'horses'), join(root, 'zebras'));
    expect(scan.pairing).toMatchObject({
      kind: 'unpaired',
      suggestedModel: 'cyclegan',
      unmatchedA: [],
      unmatchedB: [],
    });
    expect(scan.a.images).toHaveLength(3);
    expect(scan.b?.images).toHaveLength(2);
  });

  it('a parent with trainA/trainB/testA/testB is the reference layout; the test split scans separately', async () => {
    const root = await tempDir();
    await writeImages(join(root, 'trainA'), ['a1.png', 'a2.png']);
    await writeImages(join(root, 'trainB'), ['b1.png']);
    await writeImages(join(root, 'testA'), ['ta.png']);
    await writeImages(join(root, 'testB'), ['tb.png', 'tb2.png']);
    const train = await scanDataset(root);
    expect(train).toMatchObject({ layout: 'train-test-folders', split: 'train', splits: ['train', 'test'] });
    expect(train.a.name).toBe('trainA');
    expect(train.a.images).toHaveLength(2);
    expect(train.b?.images).toHaveLength(1);
    // What the window shows: both domains from the one folder, the held-out split named, trainable.
    expect(train).toMatchObject({
      folders: { a: root, b: null },
      bothInOneFolder: true,
      heldOut: ['testA', 'testB'],
      canTrain: true,
      whyNot: null,
    });
    expect(train.b?.root).toBe(join(root, 'trainB'));
    const test = await scanDataset(root, null, { split: 'test' });
    expect(test.heldOut).toEqual(['trainA', 'trainB']);
    expect(test.a.name).toBe('testA');
    expect(test.b?.images).toHaveLength(2);
    await expect(scanDataset(root, null, { split: 'val' })).rejects.toThrow(/no valA\/ and valB\//);
    const plain = await tempDir();
    await writeImages(plain, ['x.png']);
    await expect(scanDataset(plain, null, { split: 'test' })).rejects.toThrow(/No test split here/);
  });

  it('pix2pix train/val/test folders of A|B images are aligned pairs', async () => {
    const root = await tempDir();
    await writeImages(join(root, 'train'), ['1.jpg', '2.jpg', '3.jpg'], 64, 32);
    await writeImages(join(root, 'val'), ['v.jpg'], 64, 32);
    const scan = await scanDataset(root);
    expect(scan).toMatchObject({
      layout: 'aligned',
      split: 'train',
      splits: ['train', 'val'],
      heldOut: ['val'],
      b: null,
      bothInOneFolder: true,
      canTrain: true,
    });
    expect(scan.pairing).toMatchObject({ kind: 'aligned', suggestedModel: 'pix2pix', pairs: 3 });
    const val = await scanDataset(root, null, { split: 'val' });
    expect(val.a.images).toHaveLength(1);
  });

  it('a single folder of 2:1 images is aligned; of other images, one domain with a note', async () => {
    const aligned = await tempDir();
    await writeImages(aligned, ['1.png', '2.png'], 96, 48);
    expect(await scanDataset(aligned)).toMatchObject({
      layout: 'aligned',
      bothInOneFolder: true,
      split: null,
      heldOut: [],
      canTrain: true,
      pairing: { kind: 'aligned', suggestedModel: 'pix2pix', pairs: 2 },
    });
    const single = await tempDir();
    await writeImages(single, ['1.png', '2.png'], 48, 48);
    const scan = await scanDataset(single);
    expect(scan).toMatchObject({ layout: 'two-folders', b: null, pairing: { kind: 'unpaired' } });
    expect(scan.notes.join('\n')).toMatch(/Only one domain/);
    // One plain folder cannot train, and the scan says so (the window keeps Next disabled with this line).
    expect(scan).toMatchObject({ bothInOneFolder: false, canTrain: false });
    expect(scan.whyNot).toMatch(/^only one domain: add a second folder \(domain B\)/);
  });

  it('size statistics cover both domains', async () => {
    const root = await tempDir();
    await writeImages(join(root, 'A'), ['1.png'], 20, 30);
    await writeImages(join(root, 'A'), ['2.png'], 40, 50);
    await writeImages(join(root, 'B'), ['3.png'], 60, 70);
    const scan = await scanDataset(root);
    expect(scan.layout).toBe('two-folders');
    expect(scan).toMatchObject({ bothInOneFolder: true, canTrain: true, heldOut: [] });
    expect(scan.sizeStats).toEqual({
      minWidth: 20,
      maxWidth: 60,
      minHeight: 30,
      maxHeight: 70,
      medianWidth: 40,
      medianHeight: 50,
    });
  });

  it('unusableReason explains why nothing can be trained on', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'A'));
    await writeFile(join(root, 'A', 'broken.jpg'), 'nope');
    await writeImages(join(root, 'B'), ['1.png']);
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    expect(unusableReason(scan)).toMatch(/^no usable images in .*A: all 1 file\(s\) were skipped/);
    expect(scan).toMatchObject({ canTrain: false, whyNot: unusableReason(scan), bothInOneFolder: false });
    expect(scan.folders).toEqual({ a: join(root, 'A'), b: join(root, 'B') });
    const ok = await scanDataset(join(root, 'B'), join(root, 'B'));
    expect(unusableReason(ok)).toBeNull();
  });
});

describe('detectLayout', () => {
  it('finds the reference unaligned layout, case-insensitively, and the split asked for', () => {
    expect(detectLayout(['trainA', 'trainB', 'testA', 'testB', 'notes'])).toEqual({
      layout: 'train-test-folders',
      a: 'trainA',
      b: 'trainB',
      split: 'train',
      splits: ['train', 'test'],
      heldOut: ['testA', 'testB'],
    });
    expect(detectLayout(['TRAINA', 'trainb', 'testa', 'TestB'], 'test')).toMatchObject({ a: 'testa', b: 'TestB' });
    expect(detectLayout(['testA', 'testB'], 'test')).toMatchObject({ layout: 'train-test-folders', a: 'testA' });
    expect(() => detectLayout(['trainA', 'trainB'], 'val')).toThrow(
      /no valA\/ and valB\/ \(it holds: trainA\/ trainB\/\)/,
    );
  });

  it('finds A/ B/ folders and pix2pix train/ val/ test/ folders', () => {
    expect(detectLayout(['A', 'B'])).toMatchObject({ layout: 'two-folders', a: 'A', b: 'B', split: null });
    expect(detectLayout(['train', 'val', 'test'])).toMatchObject({ layout: 'aligned', a: 'train', b: null });
    expect(detectLayout(['train', 'val'], 'val')).toMatchObject({ a: 'val', splits: ['train', 'val'] });
    expect(() => detectLayout(['train'], 'test')).toThrow(/no test\//);
  });

  it('returns null when sub-folders name no layout', () => {
    expect(detectLayout([])).toBeNull();
    expect(detectLayout(['2019', '2020', 'trainA'])).toBeNull();
  });
});

describe('sizeStatistics', () => {
  it('gives ranges and medians (the mean of the middle two for an even count)', () => {
    expect(
      sizeStatistics([
        { width: 10, height: 5 },
        { width: 30, height: 7 },
        { width: 20, height: 100 },
        { width: 40, height: 6 },
      ]),
    ).toEqual({ minWidth: 10, maxWidth: 40, minHeight: 5, maxHeight: 100, medianWidth: 25, medianHeight: 6.5 });
    expect(sizeStatistics([]).maxWidth).toBe(0);
  });
});
