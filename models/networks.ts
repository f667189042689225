/**
 * The reference networks as tfjs-layers models (NHWC), one builder per network taking the same few
 * options. Spatial sizes are left open (fully convolutional), so a generator trained at 256 px translates
 * any size that is a multiple of what it needs (4 for ResNet, 2^downsamplings for U-Net).
 *
 * Initialisation follows the reference: conv weights N(0, 0.02), zero bias, batch-norm gamma N(1, 0.02),
 * with every initialiser seeded from one Rng so a seed rebuilds the same network.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { z } from 'zod';
import { DiscriminatorNameSchema, GeneratorNameSchema } from '#contract';
import { resnetBlocks, resnetLayerCount, TINY_GENERATOR_BLOCKS } from './cut-settings.js';
import {
  BlurDownsample,
  BlurUpsample,
  CropTopLeft,
  InstanceNorm,
  PaletteMix,
  ReflectionPad2d,
  SeededDropout,
} from './layers.js';
import { Rng } from './rng.js';

export { resnetBlocks, resnetLayerCount, TINY_GENERATOR_BLOCKS };

export type NormKind = 'instance' | 'batch' | 'none';
type SymbolicTensor = tfl.SymbolicTensor;

interface CommonOptions {
  /** Seed for the weight initialisers (default 0). */
  seed?: number;
  /** Model name (tfjs). */
  name?: string;
}

export interface ResnetGeneratorOptions extends CommonOptions {
  inputChannels?: number;
  outputChannels?: number;
  ngf?: number;
  norm?: NormKind;
  dropout?: boolean;
  /** Residual blocks (reference: 9 for 256 px, 6 for 128 px). */
  blocks?: number;
  /**
   * Anti-aliased resampling, the CUT reference's default: each stride-2 conv becomes a stride-1 conv then
   * a fixed blur at stride 2, each transposed conv a fixed blur upsampling then a 3×3 conv. The same
   * parameters (the blurs have none), a smoother, shift-steadier output.
   */
  antialias?: boolean;
  /**
   * Draw the output in these flat colours (0–255 per channel): the last conv gives one logit per colour
   * and a PaletteMix layer mixes them (training) or picks the likeliest (inference), in place of tanh.
   */
  palette?: number[][];
}

export interface UnetGeneratorOptions extends CommonOptions {
  inputChannels?: number;
  outputChannels?: number;
  ngf?: number;
  norm?: NormKind;
  dropout?: boolean;
  /** Number of stride-2 downsamplings (unet_256: 8, unet_128: 7); input sides must be multiples of 2^n. */
  downsamplings?: number;
}

export interface PatchDiscriminatorOptions extends CommonOptions {
  inputChannels?: number;
  ndf?: number;
  norm?: NormKind;
  /** Stride-2 conv layers (70×70 PatchGAN: 3). */
  layers?: number;
  /** Stride-1 conv then a fixed blur at stride 2 in place of each stride-2 conv (CUT reference). */
  antialias?: boolean;
}

export interface PixelDiscriminatorOptions extends CommonOptions {
  inputChannels?: number;
  ndf?: number;
  norm?: NormKind;
}

/** Builds layers with the reference initialisation, each initialiser seeded from one Rng. */
class LayerFactory {
  private readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  private weights() {
    return tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: this.rng.uint32() });
  }

  conv(filters: number, kernel: number, stride: number, useBias: boolean, padding: 'valid' | 'same' = 'valid') {
    return tfl.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding,
      useBias,
      kernelInitializer: this.weights(),
      biasInitializer: 'zeros',
    });
  }

  convTranspose(filters: number, kernel: number, stride: number, useBias: boolean, padding: 'valid' | 'same') {
    return tfl.layers.conv2dTranspose({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding,
      useBias,
      kernelInitializer: this.weights(),
      biasInitializer: 'zeros',
    });
  }

  /** Applies the chosen normalisation (or nothing for 'none'). */
  norm(kind: NormKind, x: SymbolicTensor): SymbolicTensor {
    if (kind === 'instance') return new InstanceNorm().apply(x) as SymbolicTensor;
    if (kind === 'batch') {
      // PyTorch BatchNorm2d: momentum 0.1 (tfjs counts the other way: 0.9), eps 1e-5.
      return tfl.layers
        .batchNormalization({
          momentum: 0.9,
          epsilon: 1e-5,
          gammaInitializer: tfl.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: this.rng.uint32() }),
          betaInitializer: 'zeros',
        })
        .apply(x) as SymbolicTensor;
    }
    return x;
  }

  dropout(x: SymbolicTensor): SymbolicTensor {
    return new SeededDropout({ rate: 0.5 }).apply(x) as SymbolicTensor;
  }
}

/** The reference gives convs a bias only under instance norm (batch norm's beta makes it redundant). */
function convBiasFor(norm: NormKind): boolean {
  return norm !== 'batch';
}

function checkPositive(what: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${v}`);
}

function apply(layer: tfl.layers.Layer, x: SymbolicTensor): SymbolicTensor {
  return layer.apply(x) as SymbolicTensor;
}

/**
 * A ResNet generator with its layer outputs indexed as the reference's nn.Sequential indexes its modules
 * (a norm counts even when it is 'none', a residual block is one module), so CUT's `nce_layers` (default
 * 0,4,8,12,16) name the same features here as there.
 */
export interface ResnetGeneratorWithLayers {
  model: tfl.LayersModel;
  /** Output of the reference's module i, for every i. */
  layers: SymbolicTensor[];
}

/**
 * ResNet generator: c7s1-ngf, two stride-2 downsamplings, N residual blocks, two stride-2 upsamplings,
 * c7s1-out with tanh.
 */
export function resnetGenerator(options: ResnetGeneratorOptions = {}): tfl.LayersModel {
  return resnetGeneratorWithLayers(options).model;
}

export function resnetGeneratorWithLayers(options: ResnetGeneratorOptions = {}): ResnetGeneratorWithLayers {
  const {
    inputChannels = 3,
    outputChannels = 3,
    ngf = 64,
    norm = 'instance',
    dropout = false,
    blocks = 9,
    antialias = false,
    palette,
  } = options;
  checkPositive('inputChannels', inputChannels);
  if (palette && palette[0]?.length !== outputChannels) {
    throw new Error(`The output palette's colours have ${palette[0]?.length} channels, the output ${outputChannels}`);
  }
  checkPositive('outputChannels', outputChannels);
  checkPositive('ngf', ngf);
  checkPositive('blocks', blocks, 0);
  const f = new LayerFactory(options.seed ?? 0);
  const bias = convBiasFor(norm);
  const input = tfl.input({ shape: [null, null, inputChannels] });
  const layers: SymbolicTensor[] = [];
  const mark = (x: SymbolicTensor): SymbolicTensor => {
    layers.push(x);
    return x;
  };

  let x = mark(apply(new ReflectionPad2d({ padding: 3 }), input));
  x = mark(apply(f.conv(ngf, 7, 1, bias), x));
  x = mark(f.norm(norm, x));
  x = mark(apply(tfl.layers.reLU(), x));
  for (let i = 0; i < 2; i++) {
    const filters = ngf * 2 ** (i + 1);
    // PyTorch padding=1 pads both sides; tfjs 'same' at stride 2 pads only the bottom/right.
    x = apply(tfl.layers.zeroPadding2d({ padding: 1 }), x);
    x = mark(apply(f.conv(filters, 3, antialias ? 1 : 2, bias), x));
    x = mark(f.norm(norm, x));
    x = mark(apply(tfl.layers.reLU(), x));
    if (antialias) x = mark(apply(new BlurDownsample({}), x));
  }
  const width = ngf * 4;
  for (let b = 0; b < blocks; b++) {
    let y = apply(new ReflectionPad2d({ padding: 1 }), x);
    y = apply(f.conv(width, 3, 1, bias), y);
    y = apply(tfl.layers.reLU(), f.norm(norm, y));
    if (dropout) y = f.dropout(y);
    y = apply(new ReflectionPad2d({ padding: 1 }), y);
    y = apply(f.conv(width, 3, 1, bias), y);
    y = f.norm(norm, y);
    x = mark(tfl.layers.add().apply([x, y]) as SymbolicTensor);
  }
  for (let i = 0; i < 2; i++) {
    const filters = ngf * 2 ** (1 - i);
    if (antialias) {
      x = mark(apply(new BlurUpsample({}), x));
      x = mark(apply(f.conv(filters, 3, 1, bias, 'same'), x));
    } else {
      // ConvTranspose2d(k3, s2, p1, output_padding 1) = full ('valid') transposed conv minus its first row/column.
      x = apply(f.convTranspose(filters, 3, 2, bias, 'valid'), x);
      x = mark(apply(new CropTopLeft({ crop: 1 }), x));
    }
    x = mark(f.norm(norm, x));
    x = mark(apply(tfl.layers.reLU(), x));
  }
  x = mark(apply(new ReflectionPad2d({ padding: 3 }), x));
  if (palette) {
    x = mark(apply(f.conv(palette.length, 7, 1, true), x));
    x = mark(apply(new PaletteMix({ palette }), x));
  } else {
    x = mark(apply(f.conv(outputChannels, 7, 1, true), x));
    x = mark(apply(tfl.layers.activation({ activation: 'tanh' }), x));
  }
  const name = options.name ?? `resnet_${blocks}blocks${antialias ? '_antialiased' : ''}`;
  return { model: tfl.model({ inputs: input, outputs: x, name }), layers };
}

/**
 * The encoder half CUT reads its features from: the same layers (shared weights) as `built.model`, its
 * outputs the reference modules numbered `indices`, in that order.
 */
export function generatorFeatures(built: ResnetGeneratorWithLayers, indices: readonly number[]): tfl.LayersModel {
  const last = built.layers.length - 1;
  const outputs = indices.map((i) => {
    const t = built.layers[i];
    if (!Number.isInteger(i) || !t) {
      throw new Error(`NCE layer ${i} does not exist: this generator's layers are numbered 0 to ${last}`);
    }
    return t;
  });
  return tfl.model({ inputs: built.model.inputs, outputs, name: `${built.model.name}_features` });
}

/**
 * CUT's projection head H (reference PatchSampleF with mlp_sample): for each feature layer a 2-layer MLP,
 * Linear(C, units) → ReLU → Linear(units, units), applied to feature vectors sampled at patch locations.
 */
export function patchMlpHead(channels: readonly number[], units = 256, seed = 0): tfl.LayersModel[] {
  checkPositive('units', units);
  const rng = new Rng(seed);
  return channels.map((c, i) => {
    checkPositive('feature channels', c);
    const init = () => tfl.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: rng.uint32() });
    return tfl.sequential({
      name: `patch_mlp_${i}`,
      layers: [
        tfl.layers.dense({
          inputShape: [c],
          units,
          activation: 'relu',
          kernelInitializer: init(),
          biasInitializer: 'zeros',
        }),
        tfl.layers.dense({ units, kernelInitializer: init(), biasInitializer: 'zeros' }),
      ],
    });
  });
}

/**
 * x·W + b with its gradient written in plain products (dx = dy·Wᵀ, dW = xᵀ·dy with the transposes made
 * first): tfjs's WebAssembly backend multiplies transposed operands about 10× slower than plain ones.
 */
function denseForward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    save([input, w]);
    const value = tf.add(tf.matMul(input, w), b);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [
        tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy as tf.Tensor2D),
        tf.sum(dy, 0),
      ];
    };
    return { value, gradFunc };
  });
  return op(x, kernel, bias) as tf.Tensor2D;
}

/**
 * One projection head of patchMlpHead applied for training: the same function as `head.apply(x)`
 * (Linear → ReLU → Linear on its own variables, so gradients reach them), with the faster gradient above.
 */
export function applyPatchHead(head: tfl.LayersModel, x: tf.Tensor2D): tf.Tensor2D {
  const weights = head.layers.flatMap((l) => l.trainableWeights.map((w) => w.read()));
  if (head.layers.length !== 2 || weights.length !== 4) {
    throw new Error(`A patch head has two dense layers with kernel and bias, "${head.name}" does not`);
  }
  const [w1, b1, w2, b2] = weights as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  return tf.tidy(() => denseForward(tf.relu(denseForward(x, w1, b1)), w2, b2));
}

/**
 * Re-draw every conv and dense kernel as PyTorch's xavier_normal_(gain) does — N(0, gain²·2 / (fan_in +
 * fan_out)) — and zero the biases: the CUT reference's initialisation (init_type xavier, init_gain 0.02).
 */
export function initXavier(model: tfl.LayersModel, gain: number, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights) {
      const shape = w.shape as number[];
      const isBias = shape.length === 1 && /bias/.test(w.name);
      if (isBias) {
        const zeros = tf.zeros(shape);
        w.write(zeros);
        zeros.dispose();
        continue;
      }
      if (shape.length < 2) continue;
      // tfjs kernels: [kh, kw, in, out] (conv), [kh, kw, out, in] (transposed), [in, out] (dense).
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fans = receptive * (shape[shape.length - 2]! + shape[shape.length - 1]!);
      const std = gain * Math.sqrt(2 / fans);
      const drawn = tf.randomNormal(shape, 0, std, 'float32', rng.uint32());
      w.write(drawn);
      drawn.dispose();
    }
  }
}

/**
 * U-Net generator built from the innermost block outwards, as the reference does: 4×4 stride-2 convs,
 * LeakyReLU 0.2 down, ReLU up, skip connections concatenated, no norm innermost/outermost, dropout in the
 * middle ngf·8 blocks.
 */
export function unetGenerator(options: UnetGeneratorOptions = {}): tfl.LayersModel {
  const {
    inputChannels = 3,
    outputChannels = 3,
    ngf = 64,
    norm = 'batch',
    dropout = false,
    downsamplings = 8,
  } = options;
  checkPositive('inputChannels', inputChannels);
  checkPositive('outputChannels', outputChannels);
  checkPositive('ngf', ngf);
  checkPositive('downsamplings', downsamplings, 5);
  const f = new LayerFactory(options.seed ?? 0);
  const bias = convBiasFor(norm);

  // Block specs from outermost to innermost: [outer channels, inner channels, dropout].
  const specs: Array<{ outer: number; inner: number; dropout: boolean }> = [
    { outer: outputChannels, inner: ngf, dropout: false },
    { outer: ngf, inner: ngf * 2, dropout: false },
    { outer: ngf * 2, inner: ngf * 4, dropout: false },
    { outer: ngf * 4, inner: ngf * 8, dropout: false },
  ];
  for (let i = 0; i < downsamplings - 5; i++) specs.push({ outer: ngf * 8, inner: ngf * 8, dropout });
  specs.push({ outer: ngf * 8, inner: ngf * 8, dropout: false }); // innermost

  const last = specs.length - 1;
  const block = (level: number, x: SymbolicTensor): SymbolicTensor => {
    const spec = specs[level]!;
    const outermost = level === 0;
    const innermost = level === last;
    // The reference's down-LeakyReLU is in place, so its skip connection carries LeakyReLU(x), not x.
    const d = outermost ? x : apply(tfl.layers.leakyReLU({ alpha: 0.2 }), x);
    let h = apply(f.conv(spec.inner, 4, 2, bias, 'same'), d);
    if (!outermost && !innermost) h = f.norm(norm, h);
    if (!innermost) h = block(level + 1, h);
    h = apply(tfl.layers.reLU(), h);
    h = apply(f.convTranspose(spec.outer, 4, 2, outermost ? true : bias, 'same'), h);
    if (outermost) return apply(tfl.layers.activation({ activation: 'tanh' }), h);
    h = f.norm(norm, h);
    if (spec.dropout) h = f.dropout(h);
    return tfl.layers.concatenate({ axis: -1 }).apply([d, h]) as SymbolicTensor;
  };

  const input = tfl.input({ shape: [null, null, inputChannels] });
  const output = block(0, input);
  return tfl.model({ inputs: input, outputs: output, name: options.name ?? `unet_${2 ** downsamplings}` });
}

/** PatchGAN: 4×4 convs ndf (no norm) → … (stride 2) → ndf·min(2^n, 8) (stride 1) → 1 logit per patch. */
export function patchDiscriminator(options: PatchDiscriminatorOptions = {}): tfl.LayersModel {
  const { inputChannels = 3, ndf = 64, norm = 'instance', layers = 3, antialias = false } = options;
  checkPositive('inputChannels', inputChannels);
  checkPositive('ndf', ndf);
  checkPositive('layers', layers);
  const f = new LayerFactory(options.seed ?? 0);
  const bias = convBiasFor(norm);
  const input = tfl.input({ shape: [null, null, inputChannels] });
  // PyTorch padding=1 on a 4×4 kernel: explicit zero pad then 'valid', so sizes match the reference.
  const conv = (x: SymbolicTensor, filters: number, stride: number, withBias: boolean) =>
    apply(f.conv(filters, 4, stride, withBias), apply(tfl.layers.zeroPadding2d({ padding: 1 }), x));
  const lrelu = (x: SymbolicTensor) => apply(tfl.layers.leakyReLU({ alpha: 0.2 }), x);
  // Anti-aliased: the stride-2 conv becomes conv (stride 1) → LeakyReLU/norm → blur at stride 2.
  const down = (x: SymbolicTensor) => (antialias ? apply(new BlurDownsample({}), x) : x);
  const stride = antialias ? 1 : 2;

  let x = down(lrelu(conv(input, ndf, stride, true)));
  let mult = 1;
  for (let n = 1; n < layers; n++) {
    mult = Math.min(2 ** n, 8);
    x = down(lrelu(f.norm(norm, conv(x, ndf * mult, stride, bias))));
  }
  mult = Math.min(2 ** layers, 8);
  x = lrelu(f.norm(norm, conv(x, ndf * mult, 1, bias)));
  x = conv(x, 1, 1, true);
  return tfl.model({
    inputs: input,
    outputs: x,
    name: options.name ?? `patchgan_${layers}layers${antialias ? '_antialiased' : ''}`,
  });
}

/** PixelGAN: 1×1 convs, one logit per pixel. */
export function pixelDiscriminator(options: PixelDiscriminatorOptions = {}): tfl.LayersModel {
  const { inputChannels = 3, ndf = 64, norm = 'instance' } = options;
  checkPositive('inputChannels', inputChannels);
  checkPositive('ndf', ndf);
  const f = new LayerFactory(options.seed ?? 0);
  const bias = convBiasFor(norm);
  const input = tfl.input({ shape: [null, null, inputChannels] });
  let x = apply(f.conv(ndf, 1, 1, true), input);
  x = apply(tfl.layers.leakyReLU({ alpha: 0.2 }), x);
  x = apply(f.conv(ndf * 2, 1, 1, bias), x);
  x = apply(tfl.layers.leakyReLU({ alpha: 0.2 }), f.norm(norm, x));
  x = apply(f.conv(1, 1, 1, bias), x);
  return tfl.model({ inputs: input, outputs: x, name: options.name ?? 'pixelgan' });
}

// ---------------------------------------------------------------------------------------------------
// Named configurations (the names in TrainingSettings.generator / .discriminator)

// The contract's schemas are the one list of names: settings, the window and the networks agree.
export type GeneratorName = z.infer<typeof GeneratorNameSchema>;
export type DiscriminatorName = z.infer<typeof DiscriminatorNameSchema>;
export const GENERATOR_NAMES: readonly GeneratorName[] = GeneratorNameSchema.options;
export const DISCRIMINATOR_NAMES: readonly DiscriminatorName[] = DiscriminatorNameSchema.options;

/**
 * 'tiny' (for tests and the quick preset): a ResNet generator with 2 residual blocks and ngf capped at
 * 16, and a PatchGAN with 2 layers and ndf capped at 16 (receptive field 34 px). Pass a smaller ngf/ndf
 * for smaller still.
 */
export const TINY_MAX_FILTERS = 16;
export const TINY_DISCRIMINATOR_LAYERS = 2;

export interface GeneratorOptions {
  inputChannels?: number;
  outputChannels?: number;
  ngf?: number;
  norm?: NormKind;
  dropout?: boolean;
  /** ResNet generators only: anti-aliased resampling (see ResnetGeneratorOptions). */
  antialias?: boolean;
  /** ResNet generators only: a flat-colour output (see ResnetGeneratorOptions). */
  palette?: number[][];
  seed?: number;
  name?: string;
}

export function buildGenerator(which: GeneratorName, options: GeneratorOptions = {}): tfl.LayersModel {
  if (options.palette && which.startsWith('unet')) {
    throw new Error(`A flat-colour (palette) output is built on ResNet generators, not "${which}"`);
  }
  switch (which) {
    case 'resnet_9blocks':
      return resnetGenerator({ ...options, blocks: 9 });
    case 'resnet_6blocks':
      return resnetGenerator({ ...options, blocks: 6 });
    case 'unet_256':
      return unetGenerator({ ...options, downsamplings: 8 });
    case 'unet_128':
      return unetGenerator({ ...options, downsamplings: 7 });
    case 'unet_64':
      return unetGenerator({ ...options, downsamplings: 6 });
    case 'unet_32':
      return unetGenerator({ ...options, downsamplings: 5 });
    case 'tiny':
      return resnetGenerator({
        ...options,
        ngf: Math.min(options.ngf ?? TINY_MAX_FILTERS, TINY_MAX_FILTERS),
        blocks: TINY_GENERATOR_BLOCKS,
        name: options.name ?? 'tiny_generator',
      });
    default:
      throw new Error(`Unknown generator "${String(which)}". Choose one of: ${GENERATOR_NAMES.join(', ')}`);
  }
}

/** A ResNet generator by name with its reference-indexed layers (what CUT reads features from). */
export function buildGeneratorWithLayers(
  which: GeneratorName,
  options: GeneratorOptions = {},
): ResnetGeneratorWithLayers {
  switch (which) {
    case 'resnet_9blocks':
      return resnetGeneratorWithLayers({ ...options, blocks: 9 });
    case 'resnet_6blocks':
      return resnetGeneratorWithLayers({ ...options, blocks: 6 });
    case 'tiny':
      return resnetGeneratorWithLayers({
        ...options,
        ngf: Math.min(options.ngf ?? TINY_MAX_FILTERS, TINY_MAX_FILTERS),
        blocks: TINY_GENERATOR_BLOCKS,
        name: options.name ?? 'tiny_generator',
      });
    default:
      throw new Error(
        `CUT reads its features from a ResNet generator, not "${String(which)}": choose resnet_9blocks, resnet_6blocks or tiny`,
      );
  }
}

export interface DiscriminatorOptions {
  inputChannels?: number;
  ndf?: number;
  norm?: NormKind;
  /** Layers for 'n_layers' (ignored by the others). */
  nLayers?: number;
  /** PatchGANs only: blur before each stride-2 step (see PatchDiscriminatorOptions). */
  antialias?: boolean;
  seed?: number;
  name?: string;
}

export function buildDiscriminator(which: DiscriminatorName, options: DiscriminatorOptions = {}): tfl.LayersModel {
  const { nLayers = 3, ...rest } = options;
  switch (which) {
    case 'basic':
      return patchDiscriminator({ ...rest, layers: 3 });
    case 'n_layers':
      return patchDiscriminator({ ...rest, layers: nLayers });
    case 'pixel':
      return pixelDiscriminator(rest);
    case 'tiny':
      return patchDiscriminator({
        ...rest,
        ndf: Math.min(rest.ndf ?? TINY_MAX_FILTERS, TINY_MAX_FILTERS),
        layers: TINY_DISCRIMINATOR_LAYERS,
        name: rest.name ?? 'tiny_discriminator',
      });
    default:
      throw new Error(`Unknown discriminator "${String(which)}". Choose one of: ${DISCRIMINATOR_NAMES.join(', ')}`);
  }
}

/** What a generator needs of its input: spatial sides must be multiples of this. */
export function generatorMultiple(which: GeneratorName): number {
  if (which === 'unet_256') return 256;
  if (which === 'unet_128') return 128;
  if (which === 'unet_64') return 64;
  if (which === 'unet_32') return 32;
  return 4;
}

/** Trainable parameters (what PyTorch's sum of p.numel() counts; batch-norm running stats excluded). */
export function countParameters(model: tfl.LayersModel): number {
  let n = 0;
  for (const w of model.trainableWeights) n += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  return n;
}
