import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type JobEvent, TranslateRequestSchema } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { translateImages } from '../../../../main/engine/translate/job.js';
import type { Translator } from '../../../../main/engine/translate/translator.js';

/** Negation in [-1, 1] is 255 − v in 8 bits: every output pixel is checkable. Needs multiples of 4. */
function invert(): Translator & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    fn: (x) => {
      if (x.shape[1] % 4 || x.shape[2] % 4) throw new Error(`unpadded input ${x.shape}`);
      calls.push([x.shape[1], x.shape[2]]);
      return tf.neg(x);
    },
    multiple: 4,
    bytesPerPixel: 1000,
    dispose: () => {},
  };
}

function noise(width: number, height: number, seed: number): Buffer {
  const b = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < b.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

async function writeImage(file: string, width: number, height: number, seed: number, format: 'png' | 'jpeg' = 'png') {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const img = sharp(noise(width, height, seed), { raw: { width, height, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
}

async function rawOf(file: string) {
  return sharp(file).raw().toBuffer({ resolveWithObject: true });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

let tmp: string;
let input: string;
let out: string;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-translate-'));
  input = path.join(tmp, 'in');
  out = path.join(tmp, 'out');
  await fs.mkdir(input);
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const request = (over: Record<string, unknown> = {}) =>
  TranslateRequestSchema.parse({ modelId: 'm', inputs: [input], outDir: out, ...over });

describe('translateImages', () => {
  it('translates a folder recursively at each image’s exact size, mirrors folders, lists bad files', async () => {
    await writeImage(path.join(input, 'a.png'), 37, 21, 1);
    await writeImage(path.join(input, 'sub', 'deep', 'b.png'), 16, 16, 2);
    await writeImage(path.join(input, 'sub', 'c.jpg'), 9, 30, 3, 'jpeg');
    await fs.writeFile(path.join(input, 'notes.png'), 'this is text, not an image');
    const good = await fs.readFile(path.join(input, 'a.png'));
    await fs.writeFile(path.join(input, 'sub', 'cut.png'), good.subarray(0, good.length - 40));
    const events: JobEvent[] = [];
    const before = tf.memory().numTensors;

    const report = await translateImages({
      request: request(),
      translator: invert(),
      modelLabel: 'm',
      onEvent: (e) => events.push(e),
    });

    expect(tf.memory().numTensors).toBe(before);
    expect(report.cancelled).toBe(false);
    expect(await listFiles(out)).toEqual(['a.png', 'sub/c.png', 'sub/deep/b.png']);
    expect(report.failed.map((f) => [path.basename(f.path), f.reason])).toEqual([
      ['notes.png', 'not an image (text file)'],
      ['cut.png', expect.stringMatching(/damaged or truncated|cannot decode/)],
    ]);
    // Pixel-exact: the output is the inverse of the (decoded) input, at its own size.
    for (const [name, w, h] of [
      ['a.png', 37, 21],
      ['sub/deep/b.png', 16, 16],
    ] as const) {
      const src = await rawOf(path.join(input, name));
      const dst = await rawOf(path.join(out, name));
      expect([dst.info.width, dst.info.height]).toEqual([w, h]);
      let worst = 0;
      for (let i = 0; i < src.data.length; i++) worst = Math.max(worst, Math.abs(255 - src.data[i]! - dst.data[i]!));
      expect(worst).toBeLessThanOrEqual(1);
    }
    const jpg = await rawOf(path.join(out, 'sub', 'c.png'));
    expect([jpg.info.width, jpg.info.height]).toEqual([9, 30]);
    // The truncated PNG has a sound header, so it only fails when decoded: it is an item that failed.
    expect(events.at(-1)).toMatchObject({ type: 'done', done: 4, total: 4, etaSeconds: 0 });
    expect(events.filter((e) => e.type === 'item' && e.error)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'item' && e.output)).toHaveLength(3);
    expect(events.some((e) => e.type === 'progress' && typeof e.etaSeconds === 'number')).toBe(true);
  });

  it('tiles above the memory budget and still returns the exact size', async () => {
    await writeImage(path.join(input, 'big.png'), 70, 45, 4);
    const t = invert();
    const report = await translateImages({
      request: request(),
      translator: t,
      modelLabel: 'm',
      memoryBudgetBytes: 1000 * 32 * 32,
    });
    expect(report.translated[0]).toMatchObject({ width: 70, height: 45 });
    expect(report.translated[0]!.tiles).toBeGreaterThan(1);
    expect(Math.max(...t.calls.map(([h, w]) => h! * w!))).toBeLessThanOrEqual(32 * 32);
    const src = await rawOf(path.join(input, 'big.png'));
    const dst = await rawOf(path.join(out, 'big.png'));
    let worst = 0;
    for (let i = 0; i < src.data.length; i++) worst = Math.max(worst, Math.abs(255 - src.data[i]! - dst.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('skips existing outputs unless asked to overwrite', async () => {
    await writeImage(path.join(input, 'a.png'), 8, 8, 1);
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, 'a.png'), 'keep me');
    const first = await translateImages({ request: request(), translator: invert(), modelLabel: 'm' });
    expect(first.existing).toHaveLength(1);
    expect(await fs.readFile(path.join(out, 'a.png'), 'utf8')).toBe('keep me');
    const second = await translateImages({
      request: request({ overwrite: true }),
      translator: invert(),
      modelLabel: 'm',
    });
    expect(second.translated).toHaveLength(1);
    expect((await sharp(path.join(out, 'a.png')).metadata()).format).toBe('png');
  });

  it('refuses an output folder inside the input folder unless the user chose it', async () => {
    await writeImage(path.join(input, 'a.png'), 8, 8, 1);
    const inner = path.join(input, 'translated');
    await expect(
      translateImages({ request: request({ outDir: inner }), translator: invert(), modelLabel: 'm' }),
    ).rejects.toThrow(/is inside the input folder .*never writes into input folders/);
    await expect(fs.stat(inner)).rejects.toThrow();
    const chosen = await translateImages({
      request: request({ outDir: inner }),
      translator: invert(),
      modelLabel: 'm',
      outDirChosen: true,
    });
    expect(chosen.translated).toHaveLength(1);
    // Run again: the outputs inside the input folder are not taken as new inputs.
    const again = await translateImages({
      request: request({ outDir: inner, overwrite: true }),
      translator: invert(),
      modelLabel: 'm',
      outDirChosen: true,
    });
    expect(again.translated.map((t) => path.basename(t.input))).toEqual(['a.png']);
    // Even when chosen, an output never replaces an input image.
    const same = await translateImages({
      request: request({ outDir: input, overwrite: true }),
      translator: invert(),
      modelLabel: 'm',
      outDirChosen: true,
    });
    expect(same.failed.map((f) => f.reason)).toContainEqual(expect.stringMatching(/would overwrite an input image/));
  });

  it('cancel stops within an image and leaves no partial or temporary file', async () => {
    await writeImage(path.join(input, '1.png'), 16, 16, 1);
    await writeImage(path.join(input, '2.png'), 64, 64, 2);
    await writeImage(path.join(input, '3.png'), 16, 16, 3);
    const controller = new AbortController();
    const events: JobEvent[] = [];
    const report = await translateImages({
      request: request({ tile: 32 }),
      translator: invert(),
      modelLabel: 'm',
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        // Cancel in the middle of the second image's tiles.
        if (e.type === 'progress' && e.input?.endsWith('2.png')) controller.abort();
      },
    });
    expect(report.cancelled).toBe(true);
    expect(report.translated.map((t) => path.basename(t.output))).toEqual(['1.png']);
    expect(await listFiles(out)).toEqual(['1.png']);
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', done: 1, total: 3 });
  });

  it('writes JPEG and WebP at the requested quality, with names from the pattern', async () => {
    await writeImage(path.join(input, 'photo.png'), 48, 40, 5);
    const sizes: Record<string, number> = {};
    for (const [format, quality] of [
      ['jpeg', 30],
      ['jpeg', 95],
      ['webp', 50],
    ] as const) {
      const report = await translateImages({
        request: request({ format, quality, naming: `{name}_{direction}_q${quality}`, direction: 'BtoA' }),
        translator: invert(),
        modelLabel: 'm',
      });
      const file = report.translated[0]!.output;
      expect(path.basename(file)).toBe(`photo_BtoA_q${quality}.${format === 'jpeg' ? 'jpg' : 'webp'}`);
      expect((await sharp(file).metadata()).format).toBe(format);
      sizes[`${format}${quality}`] = (await fs.stat(file)).size;
    }
    expect(sizes.jpeg30!).toBeLessThan(sizes.jpeg95!);
  });

  it('copies EXIF when asked, upright and tagged sRGB; strips it otherwise', async () => {
    const file = path.join(input, 'rotated.jpg');
    await sharp(noise(20, 12, 9), { raw: { width: 20, height: 12, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .withExifMerge({ IFD0: { Copyright: 'Duet EXIF test' } })
      .jpeg()
      .toFile(file);
    const kept = await translateImages({
      request: request({ keepMetadata: true }),
      translator: invert(),
      modelLabel: 'm',
    });
    const meta = await sharp(kept.translated[0]!.output).metadata();
    expect([meta.width, meta.height]).toEqual([12, 20]); // upright: orientation 6 is a quarter turn
    expect(meta.exif?.toString('latin1')).toContain('Duet EXIF test');
    expect(meta.orientation ?? 1).toBe(1);
    expect(meta.icc).toBeDefined();
    const plain = await translateImages({
      request: request({ overwrite: true }),
      translator: invert(),
      modelLabel: 'm',
    });
    const plainMeta = await sharp(plain.translated[0]!.output).metadata();
    expect(plainMeta.exif).toBeUndefined();
    expect([plainMeta.width, plainMeta.height]).toEqual([12, 20]);
  });

  it('a 4096×4096 image translates tile by tile with bounded tensor memory', async () => {
    const side = 4096;
    // A smooth gradient compresses well, so the test spends its time translating, not encoding.
    const raw = Buffer.alloc(side * side * 3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const o = (y * side + x) * 3;
        raw[o] = x >> 4;
        raw[o + 1] = y >> 4;
        raw[o + 2] = (x + y) >> 5;
      }
    await sharp(raw, { raw: { width: side, height: side, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toFile(path.join(input, 'aerial.png'));
    let peakBytes = 0;
    const report = await translateImages({
      request: request({ tile: 1024 }),
      translator: invert(),
      modelLabel: 'm',
      onEvent: () => {
        peakBytes = Math.max(peakBytes, tf.memory().numBytes);
      },
    });
    expect(report.translated[0]).toMatchObject({ width: side, height: side });
    expect(report.translated[0]!.tiles).toBe(25);
    // One 1024² float tile in and out is 2 × 12 MiB; a whole-image float tensor alone would be 192 MiB.
    expect(peakBytes).toBeLessThan(64 * 1024 * 1024);
    const dst = await sharp(path.join(out, 'aerial.png'))
      .extract({ left: 2000, top: 3000, width: 1, height: 1 })
      .raw()
      .toBuffer();
    expect(Array.from(dst)).toEqual([255 - (2000 >> 4), 255 - (3000 >> 4), 255 - (5000 >> 5)]);
  }, 120_000);
});
