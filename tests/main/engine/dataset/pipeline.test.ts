import { cp, mkdir, unlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Batch,
  createPipeline,
  decodeCrop,
  type PipelineSettings,
  scanDataset,
} from '../../../../main/engine/dataset/index.js';
import { type Corpus, makeCorpus, ramp, rampRaw } from '../../../support/corpus.js';
import { tempFolders } from '../../../support/temp.js';

let corpus: Corpus;
const temp = tempFolders('duet-pipe-');
const tempDir = temp.make;
beforeAll(async () => {
  corpus = await makeCorpus();
  temp.track(corpus.root);
});

/** R and B channels swapped: a second domain whose every pixel is known from the first. */
function swapRB(raw: Buffer): Buffer {
  const out = Buffer.from(raw);
  for (let i = 0; i < out.length; i += 3) {
    out[i] = raw[i + 2]!;
    out[i + 2] = raw[i]!;
  }
  return out;
}

async function pairedFolders(count: number, width: number, height: number) {
  const root = await tempDir();
  await mkdir(join(root, 'A'));
  await mkdir(join(root, 'B'));
  for (let k = 0; k < count; k++) {
    // Each pair differs (shifted ramps) so a mix-up between pairs would show.
    const raw = rampRaw(width, height).map((v, i) => (v + k * 37 + (i % 3)) & 255) as Buffer;
    const opts = { raw: { width, height, channels: 3 as const } };
    await sharp(raw, opts)
      .png()
      .toFile(join(root, 'A', `${k}.png`));
    await sharp(swapRB(raw), opts)
      .png()
      .toFile(join(root, 'B', `${k}.png`));
  }
  return root;
}

function expectSwapped(batch: Batch) {
  const { a, b } = batch;
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i += 3) {
    if (a[i] !== b[i + 2] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i]) {
      throw new Error(`pair out of step at value ${i} of ${batch.pathsA.join(',')}`);
    }
  }
}

async function take(pipeline: ReturnType<typeof createPipeline>, n: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let i = 0; i < n; i++) {
    const b = await pipeline.next();
    if (!b) break;
    out.push(b);
  }
  return out;
}

const small: PipelineSettings = { size: 24, loadSize: 30, preprocess: 'resize_and_crop', flip: true, batchSize: 2 };

describe('decodeCrop', () => {
  it('turns an EXIF-rotated JPEG upright: red on top, blue below', async () => {
    const path = join(corpus.root, 'exif-rotated.jpg');
    const whole = await decodeCrop(path, {
      resize: null,
      crop: { left: 0, top: 0, width: 32, height: 48 },
      flip: false,
    });
    const at = (x: number, y: number) => Array.from(whole.subarray((y * 32 + x) * 3, (y * 32 + x) * 3 + 3));
    for (const [x, y] of [
      [2, 2],
      [29, 20],
    ]) {
      const [r, , b] = at(x!, y!);
      expect(r).toBeGreaterThan(200);
      expect(b).toBeLessThan(60);
    }
    for (const [x, y] of [
      [2, 45],
      [29, 28],
    ]) {
      const [r, , b] = at(x!, y!);
      expect(b).toBeGreaterThan(200);
      expect(r).toBeLessThan(60);
    }
    // Also through a resize: the top row of a 16×24 version is red.
    const resized = await decodeCrop(path, {
      resize: { width: 16, height: 24 },
      crop: { left: 0, top: 0, width: 16, height: 24 },
      flip: false,
    });
    expect(resized[0]).toBeGreaterThan(200);
    expect(resized[(23 * 16 + 8) * 3 + 2]).toBeGreaterThan(200);
  });

  it('normalises CMYK, 16-bit, grey, RGBA and palette images to 8-bit sRGB with 3 channels', async () => {
    const crop = { resize: null, crop: { left: 0, top: 0, width: 40, height: 32 }, flip: false };
    const original = rampRaw(40, 32);
    const meanDiff = (x: Uint8Array, y: Uint8Array) => {
      let d = 0;
      for (let i = 0; i < x.length; i++) d += Math.abs(x[i]! - y[i]!);
      return d / x.length;
    };
    const sixteen = await decodeCrop(join(corpus.root, 'sixteen.png'), crop);
    expect(sixteen.length).toBe(40 * 32 * 3);
    expect(meanDiff(sixteen, original)).toBeLessThan(1);
    const cmyk = await decodeCrop(join(corpus.root, 'cmyk.jpg'), crop);
    expect(meanDiff(cmyk, original)).toBeLessThan(40); // a round trip through a print profile, not exact
    const gray = await decodeCrop(join(corpus.root, 'gray.png'), crop);
    for (let i = 0; i < gray.length; i += 3) {
      expect(gray[i]).toBe(gray[i + 1]);
      expect(gray[i]).toBe(gray[i + 2]);
    }
    // 50% alpha over white: each value moves half way to 255.
    const rgba = await decodeCrop(join(corpus.root, 'rgba.png'), crop);
    for (const i of [0, 300, 1500, 3000]) expect(Math.abs(rgba[i]! - (original[i]! + 255) / 2)).toBeLessThanOrEqual(2);
    const gif = await decodeCrop(join(corpus.root, 'palette.gif'), crop);
    expect(gif.length).toBe(40 * 32 * 3);
  });
});

describe('createPipeline', () => {
  it('turns the hostile corpus into batches of the configured shape, all values in [-1, 1]', async () => {
    const b = await tempDir();
    for (let i = 0; i < 3; i++)
      await ramp(50, 40)
        .png()
        .toFile(join(b, `b${i}.png`));
    const scan = await scanDataset(corpus.root, b);
    const pipeline = createPipeline({ scan, settings: { ...small, batchSize: 4 }, seed: 1 });
    expect(pipeline.sampling).toBe('unpaired');
    expect(pipeline.samplesPerEpoch).toBe(scan.a.images.length);
    const seenA = new Set<string>();
    let batches = 0;
    for (let i = 0; i < pipeline.batchesPerEpoch; i++) {
      const batch = (await pipeline.next())!;
      batches++;
      expect(batch).toMatchObject({ height: 24, width: 24, channels: 3 });
      expect(batch.a.length).toBe(batch.n * 24 * 24 * 3);
      expect(batch.b.length).toBe(batch.n * 24 * 24 * 3);
      for (const arr of [batch.a, batch.b]) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of arr) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        expect(lo).toBeGreaterThanOrEqual(-1);
        expect(hi).toBeLessThanOrEqual(1);
        expect(hi).toBeGreaterThan(lo);
      }
      for (const p of batch.pathsA) seenA.add(p);
    }
    // One epoch shows every A image once (|A| > |B|).
    expect(seenA.size).toBe(scan.a.images.length);
    expect(batches).toBe(Math.ceil(scan.a.images.length / 4));
    expect(pipeline.failures()).toEqual([]);
    await pipeline.close();
  });

  it('paired by names: both halves get the same crop and flip, pixel for pixel', async () => {
    const root = await pairedFolders(5, 37, 29);
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    expect(scan.pairing.kind).toBe('paired-names');
    for (const preprocess of ['resize_and_crop', 'scale_width', 'none'] as const) {
      const pipeline = createPipeline({ scan, settings: { ...small, preprocess }, seed: 3, epochs: 4 });
      let samples = 0;
      for await (const batch of pipeline) {
        expectSwapped(batch);
        expect(batch.pathsB.map((p) => basename(p))).toEqual(batch.pathsA.map((p) => basename(p)));
        samples += batch.n;
      }
      expect(samples).toBe(20);
    }
  });

  it('aligned A|B images are split in halves that line up pixel for pixel', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'train'));
    for (let k = 0; k < 3; k++) {
      const w = 30;
      const h = 30;
      const left = rampRaw(w, h).map((v) => (v + k * 50) & 255) as Buffer;
      const right = swapRB(left);
      const joined = Buffer.alloc(w * 2 * h * 3);
      for (let y = 0; y < h; y++) {
        left.copy(joined, y * w * 6, y * w * 3, (y + 1) * w * 3);
        right.copy(joined, y * w * 6 + w * 3, y * w * 3, (y + 1) * w * 3);
      }
      await sharp(joined, { raw: { width: 2 * w, height: h, channels: 3 } })
        .png()
        .toFile(join(root, 'train', `${k}.png`));
    }
    const scan = await scanDataset(root);
    expect(scan.layout).toBe('aligned');
    for (const preprocess of ['resize_and_crop', 'none'] as const) {
      const pipeline = createPipeline({ scan, settings: { ...small, preprocess, batchSize: 3 }, seed: 5, epochs: 3 });
      for await (const batch of pipeline) expectSwapped(batch);
    }
  });

  it('a resumed pipeline continues with exactly the same batches, across epochs', async () => {
    const root = await pairedFolders(3, 32, 32);
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    const settings = { ...small, batchSize: 2 };
    const first = createPipeline({ scan, settings, seed: 9, sampling: 'unpaired' });
    const all = await take(first, 7);
    await first.close();
    const again = createPipeline({ scan, settings, seed: 9, sampling: 'unpaired' });
    await take(again, 3);
    const saved = JSON.parse(JSON.stringify(again.position()));
    expect(saved).toEqual(all[2]!.next);
    await again.close();
    const resumed = createPipeline({ scan, settings, seed: 9, sampling: 'unpaired', start: saved });
    const rest = await take(resumed, 4);
    await resumed.close();
    rest.forEach((batch, i) => {
      const original = all[3 + i]!;
      expect(batch.pathsA).toEqual(original.pathsA);
      expect(batch.pathsB).toEqual(original.pathsB);
      expect(batch.epoch).toBe(original.epoch);
      expect(Buffer.from(batch.a.buffer).equals(Buffer.from(original.a.buffer))).toBe(true);
      expect(Buffer.from(batch.b.buffer).equals(Buffer.from(original.b.buffer))).toBe(true);
    });
    expect(rest.at(-1)!.epoch).toBeGreaterThan(0);
    // Another seed gives another sequence; a mismatched seed cannot resume.
    const other = createPipeline({ scan, settings, seed: 10, sampling: 'unpaired' });
    const otherBatches = await take(other, 3);
    await other.close();
    expect(otherBatches.map((b) => b.pathsA.join()).join()).not.toBe(
      all
        .slice(0, 3)
        .map((b) => b.pathsA.join())
        .join(),
    );
    expect(() => createPipeline({ scan, settings, seed: 10, start: saved })).toThrow(/seed 9/);
  });

  it('unpaired epochs last max(|A|, |B|) samples: A in a shuffled order, B drawn at random', async () => {
    const root = await tempDir();
    for (const [d, n] of [
      ['A', 3],
      ['B', 7],
    ] as const) {
      await mkdir(join(root, d));
      for (let i = 0; i < n; i++)
        await ramp(20, 20)
          .png()
          .toFile(join(root, d, `${d}${i}.png`));
    }
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    const pipeline = createPipeline({
      scan,
      settings: { size: 16, preprocess: 'none', flip: false, batchSize: 1 },
      seed: 2,
      epochs: 30,
    });
    expect(pipeline.samplesPerEpoch).toBe(7);
    const countsA = new Map<string, number>();
    const countsB = new Map<string, number>();
    for await (const batch of pipeline) {
      countsA.set(batch.pathsA[0]!, (countsA.get(batch.pathsA[0]!) ?? 0) + 1);
      countsB.set(batch.pathsB[0]!, (countsB.get(batch.pathsB[0]!) ?? 0) + 1);
    }
    // 7 indices mod 3 per epoch: A images appear 3, 2, 2 times each epoch.
    expect([...countsA.values()].reduce((s, v) => s + v, 0)).toBe(210);
    for (const c of countsA.values()) expect(c).toBeGreaterThanOrEqual(60);
    expect(countsB.size).toBe(7);
  });

  it('decodes only a few batches ahead, and close() stops it', async () => {
    const root = await pairedFolders(12, 40, 40);
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    const pipeline = createPipeline({ scan, settings: { ...small, batchSize: 1 }, seed: 1, prefetch: 2 });
    await pipeline.next();
    await new Promise((r) => setTimeout(r, 300));
    // The batch handed out plus two ahead, two images each.
    expect(pipeline.stats().images).toBeLessThanOrEqual(3 * 2);
    await pipeline.close();
    const decoded = pipeline.stats().images;
    expect(await pipeline.next()).toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    expect(pipeline.stats().images).toBe(decoded);
  });

  it('replaces a file that vanished after the scan and reports it', async () => {
    const root = await pairedFolders(4, 30, 30);
    const copy = await tempDir();
    await cp(root, copy, { recursive: true });
    const scan = await scanDataset(join(copy, 'A'), join(copy, 'B'));
    await unlink(join(copy, 'A', '2.png'));
    await writeFile(join(copy, 'B', '1.png'), 'overwritten with text');
    const pipeline = createPipeline({ scan, settings: small, seed: 4, epochs: 1 });
    const batches = await take(pipeline, 10);
    expect(batches.reduce((s, b) => s + b.n, 0)).toBe(4);
    for (const b of batches) expectSwapped(b);
    const failed = pipeline.failures().map((f) => basename(f.path));
    expect(failed.sort()).toEqual(['1.png', '2.png']);
  });

  it('measures how long the consumer waited for data', async () => {
    const root = await pairedFolders(6, 40, 40);
    const scan = await scanDataset(join(root, 'A'), join(root, 'B'));
    const pipeline = createPipeline({ scan, settings: { ...small, batchSize: 1 }, seed: 1, prefetch: 2 });
    for (let i = 0; i < 6; i++) {
      await pipeline.next();
      await new Promise((r) => setTimeout(r, 40)); // the "training step"
    }
    const stats = pipeline.stats();
    await pipeline.close();
    expect(stats.batches).toBe(6);
    expect(stats.busyMs).toBeGreaterThanOrEqual(5 * 39);
    expect(stats.waitShare).toBeLessThan(0.5);
    expect(stats.waitShare).toBeCloseTo(stats.waitMs / (stats.waitMs + stats.busyMs), 6);
  });

  it('explains data it cannot train on', async () => {
    const single = await tempDir();
    await ramp(30, 30).png().toFile(join(single, 'x.png'));
    const scan = await scanDataset(single);
    expect(() => createPipeline({ scan, settings: small, seed: 0 })).toThrow(/two domains/);
  });
});
