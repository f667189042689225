/**
 * A generator ready to translate: the function tiles call, what input sizes it needs, and an estimate of
 * its memory per pixel (to decide when an image must be tiled).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { GENERATOR_NAMES, type GeneratorName, generatorMultiple } from '../../../models/index.js';
import { PaletteMix } from '../../../models/layers.js';
import { snapToPalette } from '../../../models/palette.js';
import { type PatchFn, type PixelImage, type TileRunOptions, translatePixels } from '../../../models/tiling.js';
import { freezeInstanceNorm } from './global-norm.js';

export interface Translator {
  fn: PatchFn;
  /** Input sides must be multiples of this. */
  multiple: number;
  /** Peak activation bytes per input pixel, roughly. */
  bytesPerPixel: number;
  /**
   * Called before an image is translated in tiles of side `tile`: lets the network see the whole image
   * first (instance-norm statistics). Returns what undoes it after the image.
   */
  prepareTiles?(image: PixelImage, tile: number): Promise<(() => void) | undefined>;
  /** The flat colours (0–255) a generator with a palette output draws in. */
  palette?: number[][];
  dispose(): void;
}

/** Run `translatePixels` for one image, with the translator's whole-image preparation when it is tiled. */
export async function translateWith(
  translator: Translator,
  image: PixelImage,
  options: Omit<TileRunOptions, 'multiple'>,
): Promise<PixelImage> {
  const tiled = options.tile !== undefined && (image.width > options.tile || image.height > options.tile);
  const release = tiled ? await translator.prepareTiles?.(image, options.tile!) : undefined;
  try {
    const out = await translatePixels(translator.fn, image, { ...options, multiple: translator.multiple });
    // Tiles blend where they overlap, which mixes a flat-colour output's colours: put them back.
    if (tiled && translator.palette) return { ...out, data: snapToPalette(out.data, out.channels, translator.palette) };
    return out;
  } finally {
    release?.();
  }
}

/** The palette a generator draws in, when its last layer is a flat-colour output. */
export function paletteOf(model: tfl.LayersModel): number[][] | undefined {
  const last = model.layers.at(-1);
  return last instanceof PaletteMix ? last.palette : undefined;
}

/** Side multiple per generator architecture: 4 for the ResNet generators (two stride-2 convs), 2^downs for U-Nets. */
export function multipleForGenerator(generator: string): number {
  if (!(GENERATOR_NAMES as readonly string[]).includes(generator)) {
    throw new Error(`Unknown generator "${generator}"; Duet knows ${GENERATOR_NAMES.join(', ')}`);
  }
  return generatorMultiple(generator as GeneratorName);
}

/**
 * Peak memory per input pixel: several full-resolution float32 tensors of `ngf` channels are alive at
 * once (padding, convolution, normalisation temporaries, the backend's own buffers). Measured on wasm: a
 * 1024² image through the tiny generator (ngf 16) raised RSS by about 650 MiB, i.e. ~40 bytes per pixel
 * per ngf channel.
 */
export function bytesPerPixelFor(ngf: number): number {
  return 40 * Math.max(ngf, 3);
}

export function translatorFromModel(model: tfl.LayersModel, options: { multiple: number; ngf: number }): Translator {
  return {
    fn: (x: tf.Tensor4D) => model.predict(x) as tf.Tensor4D,
    multiple: options.multiple,
    bytesPerPixel: bytesPerPixelFor(options.ngf),
    prepareTiles: (image, tile) => freezeInstanceNorm(model, image, { maxSide: tile, multiple: options.multiple }),
    ...(paletteOf(model) ? { palette: paletteOf(model) } : {}),
    dispose: () => model.dispose(),
  };
}
