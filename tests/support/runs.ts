/** Small image folders generated at test time, and tiny run settings sized for 2 busy cores. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A seeded, smooth colour image (so crops and flips differ visibly). */
async function writeImage(file: string, size: number, seed: number): Promise<void> {
  const data = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = (x * 11 + seed * 37) % 256;
      data[i + 1] = (y * 13 + seed * 71) % 256;
      data[i + 2] = ((x + y) * 7 + seed * 101) % 256;
    }
  }
  await sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

export interface TestData {
  root: string;
  a: string;
  b: string;
}

/** Two folders of `count` images with matching names (usable paired or unpaired). */
export async function makeTestData(count = 4, size = 20): Promise<TestData> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-run-data-'));
  const a = path.join(root, 'trainA');
  const b = path.join(root, 'trainB');
  await fs.mkdir(a);
  await fs.mkdir(b);
  for (let i = 0; i < count; i++) {
    await writeImage(path.join(a, `img${i}.png`), size, i);
    await writeImage(path.join(b, `img${i}.png`), size, 100 - i);
  }
  return { root, a, b };
}

export async function makeWorkspace(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'duet-ws-'));
}

/** Tiny networks at 16 px: a CycleGAN step takes about a second on the wasm backend on 2 busy cores. */
export const TINY_CYCLEGAN = {
  model: 'cyclegan',
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  loadSize: 18,
  poolSize: 3,
  seed: 7,
} as const;

export const TINY_PIX2PIX = {
  model: 'pix2pix',
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  loadSize: 18,
  seed: 11,
} as const;

/** The four flat colours of the map-like images below. */
export const FLAT_COLOURS = [
  [242, 239, 233],
  [170, 211, 223],
  [200, 250, 204],
  [255, 255, 255],
];

/** A map-like image: bands of the four flat colours, placed differently for each seed. */
export function flatPixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = FLAT_COLOURS[(Math.floor((x + seed * 3) / 5) + Math.floor(y / 7) * (seed + 1)) % FLAT_COLOURS.length]!;
      data.set(c, (y * width + x) * 3);
    }
  }
  return data;
}

/** A photo-like image: every pixel its own colour. */
export function noisyPixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  let s = (seed + 1) * 2654435761;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return data;
}

export async function writePng(file: string, pixels: Buffer, width: number, height: number, channels: 3 | 4 = 3) {
  await sharp(pixels, { raw: { width, height, channels } }).png().toFile(file);
}

/** `root/name/` with `count` map-like ('flat') or photo-like ('noisy') PNGs, img0.png, img1.png, ... */
export async function imageFolder(root: string, name: string, count: number, kind: 'flat' | 'noisy', size = 20) {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const pixels = kind === 'flat' ? flatPixels(size, size, i) : noisyPixels(size, size, i);
    await writePng(path.join(dir, `img${i}.png`), pixels, size, size);
  }
  return dir;
}
