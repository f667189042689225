/**
 * Writes the built-in sample (aerial photo ↔ map tiles) to disk in the layouts users' datasets come in:
 * `trainA/ trainB/ testA/ testB/` with matching file names, and A|B side by side in `train/ test/`.
 *
 * Only a folder that is empty, absent, or an earlier sample (it holds `duet-sample.json`) is written to,
 * so pointing this at a user's own folder can never overwrite their files.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { hashInts } from '../../../models/rng.js';
import { renderAerial, renderMap } from './render.js';
import { generateWorld, type World, type WorldOptions } from './world.js';

export const SAMPLE_LAYOUTS = ['train-test-folders', 'aligned', 'both'] as const;
export type SampleLayout = (typeof SAMPLE_LAYOUTS)[number];
export const SAMPLE_MARKER = 'duet-sample.json';

export interface SamplePair {
  world: World;
  /** The aerial photo (domain A), RGB, row-major. */
  aerial: Uint8Array;
  /** The map (domain B), RGB, row-major. */
  map: Uint8Array;
}

export type SampleSplit = 'train' | 'test';

/** The seed of one tile: train and test tiles never share a place. */
export function tileSeed(seed: number, split: SampleSplit, index: number): number {
  return hashInts(seed, split === 'train' ? 1 : 2, index);
}

/** One paired tile, rendered in memory. Pure and deterministic. */
export function generatePair(size: number, seed: number, options: WorldOptions = {}): SamplePair {
  const world = generateWorld(size, seed, options);
  return { world, aerial: renderAerial(world), map: renderMap(world) };
}

export interface GenerateSampleOptions {
  dir: string;
  /** Training pairs. */
  count: number;
  /** Held-out pairs (default: a fifth of `count`, at least 1). */
  testCount?: number;
  /** Tile side in pixels (default 256). */
  size?: number;
  seed?: number;
  /** Pixels per world unit (default 1: roads and roofs keep their pixel size whatever the tile size). */
  scale?: number;
  layout?: SampleLayout;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface SampleManifest {
  kind: 'duet-sample';
  version: 1;
  count: number;
  testCount: number;
  size: number;
  seed: number;
  scale: number;
  layout: SampleLayout;
  /** File names, the same in every folder of the layout. */
  train: string[];
  test: string[];
}

export function sampleFileName(index: number): string {
  return `${String(index + 1).padStart(4, '0')}.png`;
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Sample ${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
}

export function normaliseSampleOptions(options: GenerateSampleOptions) {
  const size = options.size ?? 256;
  const count = options.count;
  const testCount = options.testCount ?? Math.max(1, Math.round(count / 5));
  const seed = options.seed ?? 0;
  const layout = options.layout ?? 'train-test-folders';
  const scale = options.scale ?? 1;
  if (!(scale >= 0.125 && scale <= 16))
    throw new Error(`Sample scale must be from 0.125 to 16 px per unit (got ${scale})`);
  checkInteger('count', count, 1, 100_000);
  checkInteger('test count', testCount, 0, 100_000);
  checkInteger('size', size, 16, 4096);
  checkInteger('seed', seed, 0, 2 ** 31 - 1);
  if (size % 4 !== 0) throw new Error(`Sample size must be a multiple of 4 (got ${size})`);
  if (!SAMPLE_LAYOUTS.includes(layout)) {
    throw new Error(`Unknown sample layout "${layout}". Choose one of: ${SAMPLE_LAYOUTS.join(', ')}`);
  }
  return { size, count, testCount, seed, scale, layout };
}

export interface OwnedFolder {
  /** The marker file an earlier run leaves, e.g. duet-sample.json. */
  marker: string;
  /** The marker's `kind`, checked before anything is removed. */
  kind: string;
  /** What writes the folder, for messages: "sample", "demo". */
  what: string;
  /** The only subfolders cleared in a folder of an earlier run; anything else there stays. */
  subfolders: readonly string[];
  /** Appended to "Choose an empty or new folder", e.g. " with --out". */
  how?: string;
}

/**
 * Makes `dir` ready for output Duet writes: creates it, or takes it when it is empty or holds an earlier
 * run's marker (then clears only that run's subfolders). Any other folder is refused, so a user's files
 * are never written over.
 */
export async function prepareOwnedFolder(dir: string, owned: OwnedFolder): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      await mkdir(dir, { recursive: true });
      return;
    }
    throw err;
  }
  if (entries.length === 0) return;
  if (!entries.includes(owned.marker)) {
    throw new Error(
      `Not writing the ${owned.what} into ${dir}: the folder is not empty and is not an earlier Duet ${owned.what} (no ${owned.marker}). Choose an empty or new folder${owned.how ?? ''}.`,
    );
  }
  const markerPath = path.join(dir, owned.marker);
  const marker = JSON.parse(await readFile(markerPath, 'utf8')) as { kind?: string };
  if (marker.kind !== owned.kind) throw new Error(`${markerPath} is not a Duet ${owned.what} marker`);
  for (const sub of owned.subfolders) await rm(path.join(dir, sub), { recursive: true, force: true });
}

export function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
}

/** A and B side by side, A on the left: the reference's aligned layout. */
export function sideBySide(a: Uint8Array, b: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 2 * 3);
  const row = size * 3;
  for (let y = 0; y < size; y++) {
    out.set(a.subarray(y * row, (y + 1) * row), y * row * 2);
    out.set(b.subarray(y * row, (y + 1) * row), y * row * 2 + row);
  }
  return out;
}

export async function generateSample(options: GenerateSampleOptions): Promise<SampleManifest> {
  const { size, count, testCount, seed, scale, layout } = normaliseSampleOptions(options);
  const dir = path.resolve(options.dir);
  await prepareOwnedFolder(dir, {
    marker: SAMPLE_MARKER,
    kind: 'duet-sample',
    what: 'sample',
    subfolders: ['trainA', 'trainB', 'testA', 'testB', 'train', 'test'],
  });
  const folders = layout !== 'aligned';
  const aligned = layout !== 'train-test-folders';
  const splits: [SampleSplit, number][] = [
    ['train', count],
    ['test', testCount],
  ];
  for (const [split, n] of splits) {
    if (n === 0) continue;
    if (folders) {
      await mkdir(path.join(dir, `${split}A`), { recursive: true });
      await mkdir(path.join(dir, `${split}B`), { recursive: true });
    }
    if (aligned) await mkdir(path.join(dir, split), { recursive: true });
  }
  const manifest: SampleManifest = {
    kind: 'duet-sample',
    version: 1,
    count,
    testCount,
    size,
    seed,
    scale,
    layout,
    train: [],
    test: [],
  };
  // The marker goes first, so an interrupted run still leaves a folder Duet may write again.
  await writeFile(path.join(dir, SAMPLE_MARKER), `${JSON.stringify({ ...manifest, complete: false }, null, 2)}\n`);
  const total = count + testCount;
  let done = 0;
  for (const [split, n] of splits) {
    for (let i = 0; i < n; i++) {
      if (options.signal?.aborted) throw new Error('Sample generation was cancelled');
      const pair = generatePair(size, tileSeed(seed, split, i), { scale });
      const name = sampleFileName(i);
      const writes: Promise<void>[] = [];
      if (folders) {
        writes.push(
          encodePng(pair.aerial, size, size).then((buf) => writeFile(path.join(dir, `${split}A`, name), buf)),
        );
        writes.push(encodePng(pair.map, size, size).then((buf) => writeFile(path.join(dir, `${split}B`, name), buf)));
      }
      if (aligned) {
        const ab = sideBySide(pair.aerial, pair.map, size);
        writes.push(encodePng(ab, size * 2, size).then((buf) => writeFile(path.join(dir, split, name), buf)));
      }
      await Promise.all(writes);
      manifest[split].push(name);
      done++;
      options.onProgress?.(done, total);
    }
  }
  await writeFile(path.join(dir, SAMPLE_MARKER), `${JSON.stringify({ ...manifest, complete: true }, null, 2)}\n`);
  return manifest;
}
