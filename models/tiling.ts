/**
 * Inference at any image size: pad to the multiple a generator needs and crop back, and above a memory
 * budget split the image into overlapping tiles blended with feathered weights.
 *
 * Pure TensorFlow.js (no file system). Tiles are processed one at a time and their outputs are folded
 * into a band of rows just tall enough for the tiles in flight; finished rows are handed to a sink and
 * the band moves down. Memory is bounded by the tile size and the image width, never by the image area
 * in float form.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A generator applied to one batch of one patch: [1, h, w, c] in, [1, h, w, c'] out (h, w multiples of `multiple`). */
export type PatchFn = (patch: tf.Tensor4D) => tf.Tensor4D;

export type BlendRamp = 'linear' | 'cosine';

export interface TileOptions {
  /** Tile side in pixels (rounded down to `multiple`). Omit to process the whole image at once. */
  tile?: number;
  /** Pixels shared by neighbouring tiles (default tile / 8). */
  overlap?: number;
  /**
   * Pixels at each interior tile edge that get no weight at all (default overlap / 4): the network sees
   * padding there instead of the neighbouring image, so those outputs are the least trustworthy.
   */
  margin?: number;
  /** Sides must be a multiple of this for the network (4 for the ResNet generator, 2^downs for the U-Net). */
  multiple?: number;
  ramp?: BlendRamp;
}

export interface TileRect {
  y: number;
  x: number;
  height: number;
  width: number;
}

export interface TilePlan {
  height: number;
  width: number;
  /** Tile starts and lengths along each axis; the tiles are their cross product. */
  rows: Span[];
  cols: Span[];
  /** Blend weight per axis for each span, indexed by the pixel offset inside that span. */
  rowWeights: Float32Array[];
  colWeights: Float32Array[];
}

export interface Span {
  start: number;
  length: number;
}

export interface TileProgress {
  done: number;
  total: number;
}

export interface TileRunOptions extends TileOptions {
  /** Checked between tiles; an aborted signal stops the run with an AbortError. */
  signal?: AbortSignal;
  onTile?: (progress: TileProgress) => void;
}

/** How many rows and columns to add so both sides become multiples of `multiple`. */
export function padAmounts(height: number, width: number, multiple: number): { bottom: number; right: number } {
  if (!Number.isInteger(multiple) || multiple < 1)
    throw new Error(`The size multiple must be a positive integer, got ${multiple}`);
  return { bottom: (multiple - (height % multiple)) % multiple, right: (multiple - (width % multiple)) % multiple };
}

/** Reflect-pad one axis of a [1, h, w, c] tensor at its end, any amount (reflection repeats on tiny sizes). */
function padAxisEnd(x: tf.Tensor4D, axis: 1 | 2, amount: number): tf.Tensor4D {
  let out = x;
  let left = amount;
  while (left > 0) {
    const size = out.shape[axis];
    const prev = out;
    if (size === 1) {
      // Nothing to reflect across a single row or column: repeat it.
      const reps: [number, number, number, number] = [1, 1, 1, 1];
      reps[axis] = left + 1;
      out = tf.tile(out, reps);
      left = 0;
    } else {
      const step = Math.min(left, size - 1);
      const pads: Array<[number, number]> = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ];
      pads[axis] = [0, step];
      out = tf.mirrorPad(out, pads, 'reflect');
      left -= step;
    }
    if (prev !== x) prev.dispose();
  }
  return out;
}

/** Reflect-pad a [1, h, w, c] tensor at the bottom and right so both sides are multiples of `multiple`. */
export function padToMultiple(x: tf.Tensor4D, multiple: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const { bottom, right } = padAmounts(h, w, multiple);
  if (bottom === 0 && right === 0) return x.clone();
  return tf.tidy(() => padAxisEnd(padAxisEnd(x, 1, bottom), 2, right));
}

/** Run `fn` on a patch of any size: pad to `multiple`, run, crop back to the patch's own size. */
export function runPadded(fn: PatchFn, patch: tf.Tensor4D, multiple: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = patch.shape;
    const padded = padToMultiple(patch, multiple);
    const out = fn(padded);
    if (out.shape[1] !== padded.shape[1] || out.shape[2] !== padded.shape[2]) {
      throw new Error(
        `The network returned ${out.shape[1]}×${out.shape[2]} for a ${padded.shape[1]}×${padded.shape[2]} input; it must keep the size`,
      );
    }
    return out.shape[1] === h && out.shape[2] === w ? out : tf.slice(out, [0, 0, 0, 0], [1, h, w, out.shape[3]]);
  });
}

/**
 * Tile starts along one axis: as few tiles as cover `length` with at least `overlap` shared, evenly
 * spread. Starts snap to `multiple` (the last tile sits flush with the end) so strided networks see
 * every tile at the same phase as the whole image.
 */
export function planAxis(length: number, tile: number, overlap: number, multiple = 1): Span[] {
  if (length <= tile) return [{ start: 0, length }];
  // Snapping can widen a step by up to `multiple`: plan with that much extra overlap.
  const planned = multiple > 1 && overlap + multiple < tile ? overlap + multiple : overlap;
  const count = Math.ceil((length - planned) / (tile - planned));
  const spans: Span[] = [];
  for (let i = 0; i < count; i++) {
    const even = (i * (length - tile)) / (count - 1);
    const start = i === count - 1 ? length - tile : Math.round(even / multiple) * multiple;
    spans.push({ start, length: tile });
  }
  return spans;
}

function ramp(kind: BlendRamp, u: number): number {
  return kind === 'cosine' ? 0.5 - 0.5 * Math.cos(Math.PI * u) : u;
}

/**
 * Blend weights along one axis. Each span ramps from 0 to 1 over its interior edges (after `margin`
 * pixels of zero weight); the image's own edges get no ramp. The raw ramps are then normalised so the
 * weights of all spans covering a pixel sum to exactly 1 (they already do where two tiles meet evenly).
 */
export function axisWeights(
  spans: Span[],
  length: number,
  overlap: number,
  margin: number,
  kind: BlendRamp,
): Float32Array[] {
  const rampLength = Math.max(1, overlap - 2 * margin);
  const raw = spans.map((s) => {
    const w = new Float32Array(s.length);
    const interiorStart = s.start > 0;
    const interiorEnd = s.start + s.length < length;
    for (let d = 0; d < s.length; d++) {
      let v = 1;
      if (interiorStart) v = Math.min(v, clamp01((d - margin + 0.5) / rampLength));
      if (interiorEnd) v = Math.min(v, clamp01((s.length - 1 - d - margin + 0.5) / rampLength));
      w[d] = ramp(kind, v);
    }
    return w;
  });
  const total = new Float64Array(length);
  spans.forEach((s, i) => {
    for (let d = 0; d < s.length; d++) total[s.start + d]! += raw[i]![d]!;
  });
  for (let t = 0; t < length; t++) {
    if (!(total[t]! > 0))
      throw new Error(`Tile plan leaves pixel ${t} without weight: make the overlap larger than twice the margin`);
  }
  return spans.map((s, i) => {
    const w = raw[i]!;
    for (let d = 0; d < s.length; d++) w[d] = w[d]! / total[s.start + d]!;
    return w;
  });
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Resolve defaults and check the options against each other. */
export function resolveTileOptions(options: TileOptions): Required<TileOptions> & { tiled: boolean } {
  const multiple = options.multiple ?? 1;
  padAmounts(1, 1, multiple);
  if (options.tile === undefined) {
    return {
      tile: Number.POSITIVE_INFINITY,
      overlap: 0,
      margin: 0,
      multiple,
      ramp: options.ramp ?? 'linear',
      tiled: false,
    };
  }
  const tile = Math.floor(options.tile / multiple) * multiple;
  if (!(tile >= multiple) || tile < 8) {
    throw new Error(
      `Tile size ${options.tile} is too small: it must be at least ${Math.max(8, multiple)} (a multiple of ${multiple})`,
    );
  }
  const overlap = options.overlap ?? Math.max(2, Math.round(tile / 8));
  const margin = options.margin ?? Math.floor(overlap / 4);
  if (!Number.isInteger(overlap) || overlap < 1 || overlap > tile / 2) {
    throw new Error(`Tile overlap ${overlap} must be a whole number between 1 and half the tile (${tile / 2})`);
  }
  if (!Number.isInteger(margin) || margin < 0 || 2 * margin >= overlap) {
    throw new Error(`Tile margin ${margin} must be a whole number below half the overlap (${overlap})`);
  }
  return { tile, overlap, margin, multiple, ramp: options.ramp ?? 'linear', tiled: true };
}

/** The tiles for an image, with their blend weights. One tile covering everything when untiled or small. */
export function planTiles(height: number, width: number, options: TileOptions = {}): TilePlan {
  if (!(height > 0 && width > 0)) throw new Error(`Cannot tile an empty image (${width}×${height})`);
  const o = resolveTileOptions(options);
  const rows = o.tiled ? planAxis(height, o.tile, o.overlap, o.multiple) : [{ start: 0, length: height }];
  const cols = o.tiled ? planAxis(width, o.tile, o.overlap, o.multiple) : [{ start: 0, length: width }];
  return {
    height,
    width,
    rows,
    cols,
    rowWeights: axisWeights(rows, height, o.overlap, o.margin, o.ramp),
    colWeights: axisWeights(cols, width, o.overlap, o.margin, o.ramp),
  };
}

/**
 * Choose a tile side for an image under a memory budget: undefined when the whole image fits.
 * `bytesPerPixel` is the caller's estimate of the network's peak activation memory per input pixel.
 */
export function chooseTile(
  height: number,
  width: number,
  budget: { bytes: number; bytesPerPixel: number; multiple: number },
): number | undefined {
  if (height * width * budget.bytesPerPixel <= budget.bytes) return undefined;
  const side = Math.floor(Math.sqrt(budget.bytes / budget.bytesPerPixel) / budget.multiple) * budget.multiple;
  return Math.max(budget.multiple, 32, side);
}

export class TilingAbortedError extends Error {
  constructor() {
    super('Translation cancelled');
    this.name = 'AbortError';
  }
}

/** Reads the input patch for a tile as float [1, h, w, c]. */
export type PatchReader = (rect: TileRect) => tf.Tensor4D;
/** Receives finished output rows [y, y + count) as float HWC values (count × width × channels). */
export type RowSink = (y: number, rows: Float32Array, count: number, channels: number) => void | Promise<void>;

/**
 * The tiling core: runs every tile through `fn`, blends, and streams finished rows to `sink` in order.
 * Tiles go row by row; rows above the next tile row's start are final and leave the band.
 */
export async function runTiles(
  fn: PatchFn,
  size: { height: number; width: number },
  read: PatchReader,
  sink: RowSink,
  options: TileRunOptions = {},
): Promise<void> {
  const plan = planTiles(size.height, size.width, options);
  const multiple = options.multiple ?? 1;
  const { width } = size;
  const total = plan.rows.length * plan.cols.length;
  const bandRows = Math.max(...plan.rows.map((r) => r.length));
  let band: Float32Array | undefined;
  let channels = 0;
  let bandStart = 0;
  let done = 0;
  for (let ri = 0; ri < plan.rows.length; ri++) {
    const row = plan.rows[ri]!;
    const rw = plan.rowWeights[ri]!;
    for (let ci = 0; ci < plan.cols.length; ci++) {
      if (options.signal?.aborted) throw new TilingAbortedError();
      const col = plan.cols[ci]!;
      const cw = plan.colWeights[ci]!;
      const rect = { y: row.start, x: col.start, height: row.length, width: col.length };
      const patch = read(rect);
      let values: Float32Array;
      let outChannels: number;
      try {
        const out = runPadded(fn, patch, multiple);
        outChannels = out.shape[3];
        values = (await out.data()) as Float32Array;
        out.dispose();
      } finally {
        patch.dispose();
      }
      if (!band) {
        channels = outChannels;
        band = new Float32Array(bandRows * width * channels);
      }
      for (let dy = 0; dy < rect.height; dy++) {
        const wy = rw[dy]!;
        const base = ((row.start - bandStart + dy) * width + rect.x) * channels;
        const src = dy * rect.width * channels;
        for (let dx = 0; dx < rect.width; dx++) {
          const w = wy * cw[dx]!;
          const o = base + dx * channels;
          const s = src + dx * channels;
          for (let c = 0; c < channels; c++) band[o + c]! += w * values[s + c]!;
        }
      }
      done++;
      options.onTile?.({ done, total });
      // Yield to the event loop so a cancel (signal, IPC message) can land between tiles.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // Rows above the next tile row are final: hand them on and slide the band up.
    const finalEnd = ri + 1 < plan.rows.length ? plan.rows[ri + 1]!.start : size.height;
    const count = finalEnd - bandStart;
    if (count > 0 && band) {
      await sink(bandStart, band.subarray(0, count * width * channels), count, channels);
      band.copyWithin(0, count * width * channels);
      band.fill(0, (bandRows - count) * width * channels);
      bandStart = finalEnd;
    }
  }
}

/**
 * Translate a float image [h, w, c] tile by tile and return the blended result [h, w, c'] at exactly the
 * input size. Without `tile` the whole image is one (padded) patch.
 */
export async function translateTiled(
  fn: PatchFn,
  image: tf.Tensor3D,
  options: TileRunOptions = {},
): Promise<tf.Tensor3D> {
  const [height, width] = image.shape;
  let out: Float32Array | undefined;
  let outChannels = 0;
  await runTiles(
    fn,
    { height, width },
    (r) =>
      tf.tidy(
        () => tf.expandDims(tf.slice(image, [r.y, r.x, 0], [r.height, r.width, image.shape[2]]), 0) as tf.Tensor4D,
      ),
    (y, rows, _count, channels) => {
      outChannels = channels;
      out ??= new Float32Array(height * width * channels);
      out.set(rows, y * width * channels);
    },
    options,
  );
  return tf.tensor3d(out!, [height, width, outChannels]);
}

/** An 8-bit interleaved image (what sharp's raw output gives). */
export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Translate an 8-bit image tile by tile: each patch is mapped to [-1, 1] as the generators expect, the
 * output mapped back to 0–255. Only the 8-bit input and output are ever whole-image sized.
 */
export async function translatePixels(
  fn: PatchFn,
  image: PixelImage,
  options: TileRunOptions = {},
): Promise<PixelImage> {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new Error(`The image buffer holds ${data.length} bytes, expected ${width * height * channels}`);
  }
  let out: Uint8Array | undefined;
  let outChannels = 0;
  await runTiles(
    fn,
    { height, width },
    (r) => {
      const patch = new Float32Array(r.height * r.width * channels);
      for (let dy = 0; dy < r.height; dy++) {
        const src = ((r.y + dy) * width + r.x) * channels;
        const dst = dy * r.width * channels;
        for (let i = 0; i < r.width * channels; i++) patch[dst + i] = data[src + i]! / 127.5 - 1;
      }
      return tf.tensor4d(patch, [1, r.height, r.width, channels]);
    },
    (y, rows, _count, ch) => {
      outChannels = ch;
      out ??= new Uint8Array(width * height * ch);
      const base = y * width * ch;
      for (let i = 0; i < rows.length; i++) {
        const v = Math.round((rows[i]! + 1) * 127.5);
        out[base + i] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    },
    options,
  );
  return { data: out!, width, height, channels: outChannels };
}
