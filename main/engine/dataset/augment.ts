/**
 * Training augmentation as the reference does it, seeded and pure.
 *
 * preprocess (always ending at a size×size crop, so every batch has one shape):
 *   resize_and_crop  resize to loadSize×loadSize, random size×size crop (reference: 286 → 256)
 *   scale_width      resize to width loadSize keeping the aspect ratio (height at least size), random crop
 *                    (the reference's scale_width_and_crop; its bare scale_width keeps a variable height,
 *                    which cannot be batched)
 *   none             no resizing: random size×size patches at the image's own resolution (an image
 *                    smaller than size on a side is scaled up just enough)
 * then a horizontal flip with probability ½. The same plan is applied to both halves of a pair.
 *
 * Randomness is counter-based: each sample's draws come from (seed, epoch, index), so any position in a
 * run can be recomputed without replaying what came before, and prefetching order does not matter.
 */
import type { TrainingSettings } from '#contract';
import { hashInts, Rng } from '../../../models/rng.js';

export interface AugmentSettings {
  size: number;
  /** Load size for resize_and_crop and scale_width; when absent, 286/256 of size as in the reference. */
  loadSize?: number;
  preprocess: TrainingSettings['preprocess'];
  flip: boolean;
}

export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface AugmentPlan {
  /** Size to resize the source to before cropping; null keeps its own size. */
  resize: { width: number; height: number } | null;
  crop: Region;
  flip: boolean;
}

/** The reference loads 286 px for a 256 px crop; other crop sizes keep that proportion. */
export function proportionalLoadSize(size: number): number {
  return Math.round((size * 286) / 256);
}

// ---------------------------------------------------------------------------------------------------
// Random numbers

/** Streams keep a sample's independent draws apart. */
export const STREAM = { order: 1, augmentA: 2, augmentB: 3, pickB: 4 } as const;

export function sampleRng(seed: number, epoch: number, index: number, stream: number): Rng {
  return new Rng(hashInts(seed, epoch, index, stream));
}

/** A seeded permutation of 0..n-1 for one epoch (Fisher–Yates). */
export function epochOrder(n: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rng = new Rng(hashInts(seed, epoch, STREAM.order));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------
// Plans

/** Size the source is resized to before its crop (null: kept as it is). */
export function resizeTarget(
  width: number,
  height: number,
  settings: AugmentSettings,
): { width: number; height: number } | null {
  const { size } = settings;
  const load = Math.max(settings.loadSize ?? proportionalLoadSize(size), size);
  if (settings.preprocess === 'resize_and_crop') return { width: load, height: load };
  if (settings.preprocess === 'scale_width') {
    if (width === load && height >= size) return null;
    return { width: load, height: Math.max(Math.floor((load * height) / width), size) };
  }
  if (width >= size && height >= size) return null;
  const scale = size / Math.min(width, height);
  return { width: Math.max(size, Math.round(width * scale)), height: Math.max(size, Math.round(height * scale)) };
}

/** Draw the crop and flip for a source of this size. The draw order follows the reference's get_params. */
export function planAugmentation(width: number, height: number, settings: AugmentSettings, rng: Rng): AugmentPlan {
  const resize = resizeTarget(width, height, settings);
  const w = resize?.width ?? width;
  const h = resize?.height ?? height;
  const left = rng.int(0, Math.max(0, w - settings.size));
  const top = rng.int(0, Math.max(0, h - settings.size));
  const flip = rng.next() > 0.5;
  return {
    resize,
    crop: { left, top, width: settings.size, height: settings.size },
    flip: settings.flip && flip,
  };
}

/** byte → x / 127.5 − 1, looked up rather than divided for every value. */
const UNIT_RANGE = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/**
 * 8-bit HWC pixels → floats in [-1, 1] (x / 127.5 − 1, the reference's Normalize(0.5, 0.5)), mirrored
 * left-right when `flip`, written into `out` at `offset`.
 */
export function toTrainingFloats(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  flip: boolean,
  out: Float32Array,
  offset = 0,
): void {
  if (pixels.length < width * height * channels) {
    throw new Error(`Expected ${width}×${height}×${channels} pixels, got ${pixels.length} values`);
  }
  const rowLen = width * channels;
  for (let y = 0; y < height; y++) {
    const row = y * rowLen;
    for (let x = 0; x < width; x++) {
      const src = row + (flip ? width - 1 - x : x) * channels;
      const dst = offset + row + x * channels;
      for (let c = 0; c < channels; c++) out[dst + c] = UNIT_RANGE[pixels[src + c]!]!;
    }
  }
}
