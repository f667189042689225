/**
 * The layers tfjs lacks or gets wrong for the reference networks, each registered for serialization so a
 * saved generator loads back:
 * - InstanceNorm: per-sample, per-channel normalisation over H×W (PyTorch InstanceNorm2d: eps 1e-5,
 *   biased variance, no affine parameters by default).
 * - ReflectionPad2d, with a correct gradient: tfjs 4.22's mirrorPad gradient only slices the incoming
 *   gradient and drops what flows back through the reflected border.
 * - CropTopLeft: with a 'valid' Conv2DTranspose it reproduces PyTorch's
 *   ConvTranspose2d(k3, s2, p1, output_padding 1) exactly (tfjs 'same' is one pixel off).
 * - SeededDropout: dropout whose mask comes from a seed the trainer sets each step, so resumed runs
 *   draw the same masks.
 * - BlurDownsample / BlurUpsample: the fixed (parameter-free) blur kernels of the CUT reference's
 *   anti-aliased ResNet generator and PatchGAN, written as slices and sums so that every backend
 *   differentiates them (WebAssembly has no depthwise-convolution gradient).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

// biome-ignore lint/suspicious/noExplicitAny: tfjs-layers' own kwargs type is this loose
type Kwargs = { [key: string]: any };
type Shape = (number | null)[];

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
}
function oneShape(shape: Shape | Shape[]): Shape {
  return Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as Shape);
}

// ---------------------------------------------------------------------------------------------------
// Reflection padding

/** Sum the reflected border's gradient back onto the rows (or columns) it was copied from. */
function foldReflected(dy: tf.Tensor4D, axis: 1 | 2, n: number, p: number): tf.Tensor4D {
  const begin = (start: number): number[] => (axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0]);
  const size = (len: number): number[] => (axis === 1 ? [-1, len, -1, -1] : [-1, -1, len, -1]);
  const pads = (before: number, after: number): Array<[number, number]> =>
    axis === 1
      ? [
          [0, 0],
          [before, after],
          [0, 0],
          [0, 0],
        ]
      : [
          [0, 0],
          [0, 0],
          [before, after],
          [0, 0],
        ];
  const centre = tf.slice(dy, begin(p), size(n));
  // Padded index j < p copies input p - j; reversed, the top border lands on inputs 1..p.
  const top = tf.pad(tf.reverse(tf.slice(dy, begin(0), size(p)), axis), pads(1, n - 1 - p));
  // Padded index p + n + j copies input n - 2 - j; reversed, the bottom lands on n-1-p..n-2.
  const bottom = tf.pad(tf.reverse(tf.slice(dy, begin(p + n), size(p)), axis), pads(n - 1 - p, 1));
  return tf.addN([centre, top, bottom]) as tf.Tensor4D;
}

/** Reflection padding of H and W by p (NHWC), differentiable with the correct gradient. */
export function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  if (p === 0) return x.clone();
  const [, h, w] = x.shape;
  if (p >= h || p >= w) {
    throw new Error(`Reflection padding of ${p} needs an input larger than ${p} px on each side, got ${h}×${w}`);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const value = tf.mirrorPad(
      input,
      [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ],
      'reflect',
    ) as tf.Tensor4D;
    const gradFunc = (dy: tf.Tensor4D) => foldReflected(foldReflected(dy as tf.Tensor4D, 1, h, p), 2, w, p);
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

export class ReflectionPad2d extends tfl.layers.Layer {
  static className = 'DuetReflectionPad2d';
  readonly padding: number;

  constructor(config: { padding: number; name?: string }) {
    super(config);
    if (!Number.isInteger(config.padding) || config.padding < 0) {
      throw new Error(`ReflectionPad2d padding must be a non-negative integer, got ${config.padding}`);
    }
    this.padding = config.padding;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    const grow = (d: number | null) => (d == null ? null : d + 2 * this.padding);
    return [s[0] ?? null, grow(s[1] ?? null), grow(s[2] ?? null), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return reflectPad(one(inputs) as tf.Tensor4D, this.padding);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding };
  }
}

// ---------------------------------------------------------------------------------------------------
// Instance normalisation

export const INSTANCE_NORM_EPSILON = 1e-5;

/**
 * y = (x − mean_hw) / sqrt(var_hw + eps), per sample and channel; var is the biased variance.
 *
 * With its own gradient, dx = r · (dy − mean(dy) − y · mean(dy · y)) where r = 1 / sqrt(var + eps): six
 * ops backward instead of the ~15 that differentiating the forward ops takes, and only y and r are kept
 * for the backward pass instead of every intermediate (x − mean, its square, ...). A ResNet generator
 * runs two dozen of these per pass, so both the time and the activation memory of a step shrink.
 */
export function instanceNorm(x: tf.Tensor4D, epsilon = INSTANCE_NORM_EPSILON): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    const save = args[1] as tf.GradSaveFunc;
    const centred = tf.sub(input, tf.mean(input, [1, 2], true));
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), [1, 2], true), epsilon));
    const value = tf.mul(centred, r) as tf.Tensor4D;
    save([value, r]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [y, rs] = saved as [tf.Tensor4D, tf.Tensor4D];
      const meanDy = tf.mean(dy, [1, 2], true);
      const meanDyY = tf.mean(tf.mul(dy, y), [1, 2], true);
      return tf.mul(tf.sub(tf.sub(dy, meanDy), tf.mul(y, meanDyY)), rs);
    };
    return { value, gradFunc };
  });
  return op(x) as tf.Tensor4D;
}

export class InstanceNorm extends tfl.layers.Layer {
  static className = 'DuetInstanceNorm';
  readonly epsilon: number;
  readonly affine: boolean;
  private gamma: tfl.LayerVariable | null = null;
  private beta: tfl.LayerVariable | null = null;

  constructor(config: { epsilon?: number; affine?: boolean; name?: string } = {}) {
    super(config);
    this.epsilon = config.epsilon ?? INSTANCE_NORM_EPSILON;
    this.affine = config.affine ?? false;
  }

  override build(inputShape: Shape | Shape[]): void {
    const channels = oneShape(inputShape)[3];
    if (this.affine) {
      if (channels == null) throw new Error('InstanceNorm with affine parameters needs a known channel count');
      this.gamma = this.addWeight('gamma', [channels], 'float32', tfl.initializers.ones());
      this.beta = this.addWeight('beta', [channels], 'float32', tfl.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return oneShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const y = instanceNorm(one(inputs) as tf.Tensor4D, this.epsilon);
      if (!this.gamma || !this.beta) return y;
      return tf.add(tf.mul(y, this.gamma.read()), this.beta.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon, affine: this.affine };
  }
}

// ---------------------------------------------------------------------------------------------------
// Cropping that works with unknown spatial sizes (tfjs Cropping2D computes null − 1)

export class CropTopLeft extends tfl.layers.Layer {
  static className = 'DuetCropTopLeft';
  readonly crop: number;

  constructor(config: { crop: number; name?: string }) {
    super(config);
    this.crop = config.crop;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    const shrink = (d: number | null) => (d == null ? null : d - this.crop);
    return [s[0] ?? null, shrink(s[1] ?? null), shrink(s[2] ?? null), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = one(inputs);
    return tf.slice(x, [0, this.crop, this.crop, 0], [-1, -1, -1, -1]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), crop: this.crop };
  }
}

// ---------------------------------------------------------------------------------------------------
// Palette output

/**
 * The last layer of a generator whose domain is drawn in a few flat colours (maps, label images): its
 * input is one logit per palette colour, its output the colours mixed by the logits' softmax while
 * training (so the gradient reaches every colour) and the most likely colour, exactly, at inference. The
 * palette (0–255 per channel) is part of the layer's config, so a saved generator carries it.
 */
export class PaletteMix extends tfl.layers.Layer {
  static className = 'DuetPaletteMix';
  readonly palette: number[][];

  constructor(config: { palette: number[][]; name?: string }) {
    super(config);
    const { palette } = config;
    if (!Array.isArray(palette) || palette.length < 2) throw new Error('A palette output needs at least 2 colours');
    const channels = palette[0]?.length ?? 0;
    for (const c of palette) {
      if (!Array.isArray(c) || c.length !== channels || c.some((v) => !(v >= 0 && v <= 255))) {
        throw new Error('Every palette colour needs the same number of channels, each in 0–255');
      }
    }
    this.palette = palette.map((c) => [...c]);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    return [...s.slice(0, -1), this.palette[0]!.length];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const logits = one(inputs) as tf.Tensor4D;
    const k = this.palette.length;
    if (logits.shape[3] !== k)
      throw new Error(`A ${k}-colour palette output needs ${k} logits, got ${logits.shape[3]}`);
    return tf.tidy(() => {
      const [b, h, w] = logits.shape;
      const colours = tf.tensor2d(this.palette.map((c) => c.map((v) => v / 127.5 - 1)));
      const flat = tf.reshape(logits, [b * h * w, k]);
      const weights = kwargs.training ? tf.softmax(flat) : tf.cast(tf.oneHot(tf.argMax(flat, 1), k), 'float32');
      return tf.reshape(tf.matMul(weights, colours), [b, h, w, this.palette[0]!.length]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), palette: this.palette };
  }
}

// ---------------------------------------------------------------------------------------------------
// Dropout with a settable seed

export class SeededDropout extends tfl.layers.Layer {
  static className = 'DuetSeededDropout';
  readonly rate: number;
  /** Seed of the next training-mode mask; the trainer sets it from its RNG before each forward pass. */
  seed: number;

  constructor(config: { rate: number; seed?: number; name?: string }) {
    super(config);
    if (!(config.rate >= 0 && config.rate < 1)) throw new Error(`Dropout rate must be in [0, 1), got ${config.rate}`);
    this.rate = config.rate;
    this.seed = config.seed ?? 0;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return oneShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = one(inputs);
    if (kwargs.training !== true || this.rate === 0) return x.clone();
    return tf.tidy(() => {
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', this.seed), this.rate), x.dtype);
      return tf.div(tf.mul(x, keep), 1 - this.rate);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}

// ---------------------------------------------------------------------------------------------------
// Anti-aliasing blurs (Zhang, "Making convolutional networks shift-invariant again", 2019), as the CUT
// reference uses them: a 3×3 binomial blur before every stride-2 downsampling, a 4×4 one after every
// 2× upsampling. Both kernels are separable, so each is applied along H, then along W.

/** Slice `len` entries of `axis` (1 = H, 2 = W) from `start`. */
function sliceAxis(x: tf.Tensor4D, axis: 1 | 2, start: number, len: number): tf.Tensor4D {
  return axis === 1
    ? tf.slice(x, [0, start, 0, 0], [-1, len, -1, -1])
    : tf.slice(x, [0, 0, start, 0], [-1, -1, len, -1]);
}

/**
 * One axis of the reference's Downsample(filt_size 3, stride 2) after its reflection pad: with p the padded
 * row, y[o] = (p[2o] + 2·p[2o+1] + p[2o+2]) / 4, o < ⌊(len(p) − 3) / 2⌋ + 1.
 */
function blurDownAxis(p: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const len = p.shape[axis];
  const out = Math.floor((len - 3) / 2) + 1;
  const pairs = sliceAxis(p, axis, 0, 2 * out);
  const [b, h, w, c] = pairs.shape;
  // Split the axis into (out, 2) without leaving rank 4 (a rank-5 slice's gradient is a rank-5 pad, which
  // tfjs-webgpu cannot compile): along H fold (2, W·C) into the last two axes, along W fold (2·C) into one.
  const even =
    axis === 1
      ? (tf.reshape(tf.slice(tf.reshape(pairs, [b, out, 2, w * c]), [0, 0, 0, 0], [-1, -1, 1, -1]), [
          b,
          out,
          w,
          c,
        ]) as tf.Tensor4D)
      : (tf.slice(tf.reshape(pairs, [b, h, out, 2 * c]), [0, 0, 0, 0], [-1, -1, -1, c]) as tf.Tensor4D);
  const odd =
    axis === 1
      ? (tf.reshape(tf.slice(tf.reshape(pairs, [b, out, 2, w * c]), [0, 0, 1, 0], [-1, -1, 1, -1]), [
          b,
          out,
          w,
          c,
        ]) as tf.Tensor4D)
      : (tf.slice(tf.reshape(pairs, [b, h, out, 2 * c]), [0, 0, 0, c], [-1, -1, -1, c]) as tf.Tensor4D);
  // p[2o+2]: the evens moved on by one, the last one being p[2·out].
  const next = tf.concat([sliceAxis(even, axis, 1, out - 1), sliceAxis(p, axis, 2 * out, 1)], axis) as tf.Tensor4D;
  return tf.mul(tf.add(tf.add(even, next), tf.mul(odd, 2)), 0.25) as tf.Tensor4D;
}

/**
 * Anti-aliased stride-2 downsampling: reflection pad 1, then the [1, 2, 1] ⊗ [1, 2, 1] / 16 blur at stride 2
 * (each channel on its own). H×W → ⌈H/2⌉×⌈W/2⌉.
 */
export function blurDownsample(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => blurDownAxis(blurDownAxis(reflectPad(x, 1), 1), 2));
}

/**
 * One axis of the reference's Upsample(filt_size 4, stride 2): replicate-pad 1, transposed convolution
 * with [1, 3, 3, 1] / 4 at stride 2, then cropped to 2n. Written out, each input x[t] becomes
 * y[2t] = ¾·x[t] + ¼·x[t−1] and y[2t+1] = ¾·x[t] + ¼·x[t+1], the neighbours clamped at the edges.
 */
function blurUpAxis(x: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  const before = n > 1 ? tf.concat([sliceAxis(x, axis, 0, 1), sliceAxis(x, axis, 0, n - 1)], axis) : x;
  const after = n > 1 ? tf.concat([sliceAxis(x, axis, 1, n - 1), sliceAxis(x, axis, n - 1, 1)], axis) : x;
  const even = tf.add(tf.mul(x, 0.75), tf.mul(before, 0.25));
  const odd = tf.add(tf.mul(x, 0.75), tf.mul(after, 0.25));
  // Interleave in rank 4 (see blurDownAxis): along H as [B, H, 2, W·C], along W as [B, H, W, 2·C].
  const [b, h, w, c] = x.shape;
  if (axis === 1) {
    const pair = tf.concat([tf.reshape(even, [b, h, 1, w * c]), tf.reshape(odd, [b, h, 1, w * c])], 2);
    return tf.reshape(pair, [b, 2 * h, w, c]) as tf.Tensor4D;
  }
  return tf.reshape(tf.concat([even, odd], 3), [b, h, 2 * w, c]) as tf.Tensor4D;
}

/** Anti-aliased 2× upsampling (no parameters): H×W → 2H×2W. */
export function blurUpsample(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => blurUpAxis(blurUpAxis(x, 1), 2));
}

export class BlurDownsample extends tfl.layers.Layer {
  static className = 'DuetBlurDownsample';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    const half = (d: number | null) => (d == null ? null : Math.floor((d - 1) / 2) + 1);
    return [s[0] ?? null, half(s[1] ?? null), half(s[2] ?? null), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    const x = one(inputs) as tf.Tensor4D;
    if (x.shape[1] < 2 || x.shape[2] < 2) {
      throw new Error(`Anti-aliased downsampling needs at least 2×2 px, got ${x.shape[1]}×${x.shape[2]}`);
    }
    return blurDownsample(x);
  }
}

export class BlurUpsample extends tfl.layers.Layer {
  static className = 'DuetBlurUpsample';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = oneShape(inputShape);
    const twice = (d: number | null) => (d == null ? null : 2 * d);
    return [s[0] ?? null, twice(s[1] ?? null), twice(s[2] ?? null), s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return blurUpsample(one(inputs) as tf.Tensor4D);
  }
}

// ---------------------------------------------------------------------------------------------------
// Patch sampling (CUT)

/**
 * The feature vectors of `feat` [B, H, W, C] at the flat locations `ids` (y·W + x), image by image:
 * [B·len(ids), C]. tfjs's gather gradient needs UnsortedSegmentSum, which WebAssembly lacks; with
 * distinct locations the gradient is a scatter back onto them, which every backend has.
 */
export function samplePatches(feat: tf.Tensor4D, ids: Int32Array): tf.Tensor2D {
  const [b, h, w, c] = feat.shape;
  const n = ids.length;
  for (const i of ids) {
    if (!Number.isInteger(i) || i < 0 || i >= h * w) throw new Error(`Patch location ${i} is outside ${h}×${w}`);
  }
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor4D;
    const value = tf.tidy(() =>
      tf.reshape(tf.gather(tf.reshape(x, [b, h * w, c]), tf.tensor1d(ids, 'int32'), 1), [b * n, c]),
    );
    const gradFunc = (dy: tf.Tensor) => {
      const perLocation = tf.transpose(tf.reshape(dy, [b, n, c]), [1, 0, 2]);
      const scattered = tf.scatterND(tf.tensor2d(ids, [n, 1], 'int32'), perLocation, [h * w, b, c]);
      return tf.reshape(tf.transpose(scattered, [1, 0, 2]), [b, h, w, c]);
    };
    return { value, gradFunc };
  });
  return op(feat) as tf.Tensor2D;
}

let registered = false;
/** Register Duet's custom layers with tfjs serialization (idempotent; done on import). */
export function registerDuetLayers(): void {
  if (registered) return;
  for (const cls of [
    ReflectionPad2d,
    InstanceNorm,
    CropTopLeft,
    SeededDropout,
    BlurDownsample,
    BlurUpsample,
    PaletteMix,
  ]) {
    tf.serialization.registerClass(
      cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
    );
  }
  registered = true;
}
registerDuetLayers();
