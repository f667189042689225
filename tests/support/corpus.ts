/**
 * A hostile corpus generated at test time: every kind of file a user's folder holds, each with what Duet
 * must say about it. Nothing large is written: the 30000×30000 "bomb" is a 60-byte PNG whose header lies.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { bombPng } from '../../main/bench/timing.js';

export { bombPng };

/** 'ok' or a pattern the skip reason must match; 'ignored' files must appear nowhere. */
export type Expectation = 'ok' | 'ignored' | RegExp;

export interface Corpus {
  root: string;
  expected: Map<string, Expectation>;
}

/** An RGB test card: horizontal and vertical ramps, so crops and flips are visible in the numbers. */
export function rampRaw(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = Math.round((x / Math.max(1, width - 1)) * 255);
      raw[i + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
      raw[i + 2] = (x * 7 + y * 13) & 255;
    }
  }
  return raw;
}

export function ramp(width: number, height: number) {
  return sharp(rampRaw(width, height), { raw: { width, height, channels: 3 } });
}

/** A 24-bit uncompressed BMP (sharp cannot write one). */
export function bmp(width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(54 + row * height, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(row * height, 34);
  return Buffer.concat([header, Buffer.alloc(row * height, 0x80)]);
}

/**
 * An image that is upright when EXIF orientation 6 is applied: red top half, blue bottom half, portrait
 * 32×48. The stored pixels are the upright image turned 90° counter-clockwise (landscape 48×32).
 */
export async function exifRotatedJpeg(): Promise<Buffer> {
  const w = 32;
  const h = 48;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      if (y < h / 2) raw[i] = 255;
      else raw[i + 2] = 255;
    }
  }
  const stored = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .rotate(-90)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return sharp(stored.data, { raw: { width: stored.info.width, height: stored.info.height, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

export async function makeCorpus(): Promise<Corpus> {
  const root = await mkdtemp(join(tmpdir(), 'duet-corpus-'));
  const expected = new Map<string, Expectation>();
  const put = async (rel: string, data: Buffer | string, expect: Expectation) => {
    const p = join(root, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, data);
    expected.set(rel, expect);
  };

  const jpeg = await ramp(64, 48).jpeg({ quality: 90 }).toBuffer();
  const png = await ramp(40, 40).png().toBuffer();
  await put('good.jpg', jpeg, 'ok');
  await put('nested/deeper/nested.png', png, 'ok');
  await put('Ünïcödé 写真 ✓.jpg', jpeg, 'ok');
  await put('UPPER.JPG', jpeg, 'ok');
  await put('UPPER.PNG', png, 'ok');
  await put('jpeg-named.png', jpeg, 'ok');
  await put('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), /^truncated JPEG$/);
  await put('truncated.png', png.subarray(0, Math.floor(png.length * 0.6)), /^truncated PNG$/);
  await put('empty.jpg', Buffer.alloc(0), /^empty file$/);
  await put('text.png', 'This is not a picture, just notes.\n', /^not an image/);
  await put('notes.txt', 'hello\n', /^not an image/);
  await put('cmyk.jpg', await ramp(40, 32).toColourspace('cmyk').jpeg().toBuffer(), 'ok');
  await put('sixteen.png', await ramp(40, 32).toColourspace('rgb16').png().toBuffer(), 'ok');
  await put('gray.png', await ramp(40, 32).toColourspace('b-w').png().toBuffer(), 'ok');
  await put('rgba.png', await ramp(40, 32).ensureAlpha(0.5).png().toBuffer(), 'ok');
  await put('palette.gif', await ramp(40, 32).gif().toBuffer(), 'ok');
  await put('exif-rotated.jpg', await exifRotatedJpeg(), 'ok');
  await put('one-pixel.png', await ramp(1, 1).png().toBuffer(), /^too small: 1×1/);
  await put('wide.png', await ramp(4000, 30).png().toBuffer(), 'ok');
  await put('bomb.png', bombPng(30000, 30000), /^larger than the pixel limit \(268,402,689 px\): 30000×30000/);
  await put('old.bmp', bmp(32, 32), /^unsupported format: BMP/);
  await put('UPPER.WEBP', await ramp(40, 32).webp().toBuffer(), 'ok');
  await put('scan.TIFF', await ramp(40, 32).tiff().toBuffer(), 'ok');
  await put('photo.avif', await ramp(40, 32).avif({ effort: 0 }).toBuffer(), 'ok');
  const heicHeader = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1')]);
  await put('IMG_0001.HEIC', Buffer.concat([heicHeader, Buffer.alloc(64, 7)]), /^unsupported format: HEIC/);
  await put('logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"/>', /^unsupported format: SVG/);
  await put('.DS_Store', Buffer.alloc(10, 1), 'ignored');
  await put('Thumbs.db', Buffer.alloc(10, 1), 'ignored');
  await put('._good.jpg', jpeg, 'ignored');
  await put('__MACOSX/good.jpg', jpeg, 'ignored');
  await put('.hidden/good.jpg', jpeg, 'ignored');

  // A folder that links back to its ancestor, and a link to nowhere.
  await symlink('..', join(root, 'nested', 'loop'));
  expected.set('nested/loop', /^symlink loop/);
  await symlink(join(root, 'no-such-file.jpg'), join(root, 'dangling.jpg'));
  expected.set('dangling.jpg', /^broken symlink$/);
  return { root, expected };
}
