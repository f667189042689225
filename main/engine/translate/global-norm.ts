/**
 * Instance normalisation across tiles. Each tile of a large image would normalise with its own
 * statistics, so neighbouring tiles come out in different tones. Instead, before tiling, the network runs
 * once on a copy of the whole image scaled to fit the memory budget, every instance-norm layer records
 * its per-channel mean and variance, and the tiles are normalised with those: (an estimate of) the whole
 * image's statistics, as the untiled network would use. Measured on the tiny generator, 64² gradient,
 * 32 px tiles, mean |error| against the untiled result on 0–255: per-tile statistics 29, statistics from
 * a half-size overview 18, from the full-size image 9 (the rest is the tiles' borders).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';
import type { PixelImage } from '../../../models/tiling.js';

const INSTANCE_NORM_CLASS = 'DuetInstanceNorm';

interface NormLayer {
  epsilon: number;
  gamma?: tfl.LayerVariable | null;
  beta?: tfl.LayerVariable | null;
  call: (inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => tf.Tensor;
}

function normLayers(model: tfl.LayersModel): NormLayer[] {
  return model.layers.filter((l) => l.getClassName() === INSTANCE_NORM_CLASS) as unknown as NormLayer[];
}

function affine(layer: NormLayer, y: tf.Tensor): tf.Tensor {
  if (!layer.gamma || !layer.beta) return y;
  return tf.add(tf.mul(y, layer.gamma.read()), layer.beta.read());
}

/** Downscale an 8-bit image so its longer side is at most `maxSide` (area-averaging), as a float [1, h, w, 3] in [-1, 1]. */
async function overview(image: PixelImage, maxSide: number, multiple: number): Promise<tf.Tensor4D> {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const round = (v: number) => Math.max(multiple, Math.round((v * scale) / multiple) * multiple);
  const width = round(image.width);
  const height = round(image.height);
  const { data } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: image.channels as 3 },
  })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const floats = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) floats[i] = data[i]! / 127.5 - 1;
  return tf.tensor4d(floats, [1, height, width, image.channels]);
}

/**
 * Freeze the model's instance-norm statistics to those of the whole `image` (seen at most `maxSide` px
 * wide). Returns a function that restores normal behaviour and frees the statistics, or undefined when
 * the model has no instance norm.
 */
export async function freezeInstanceNorm(
  model: tfl.LayersModel,
  image: PixelImage,
  options: { maxSide: number; multiple: number },
): Promise<(() => void) | undefined> {
  const layers = normLayers(model);
  if (layers.length === 0) return undefined;
  const stats = new Map<NormLayer, { mean: tf.Tensor; variance: tf.Tensor }>();
  const restore = () => {
    for (const l of layers) delete (l as Partial<NormLayer>).call;
    for (const s of stats.values()) tf.dispose([s.mean, s.variance]);
    stats.clear();
  };
  try {
    // Pass 1: normalise as usual, keeping each layer's statistics.
    for (const l of layers) {
      l.call = (inputs) =>
        tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0]! : inputs;
          const { mean, variance } = tf.moments(x, [1, 2], true);
          stats.set(l, { mean: tf.keep(mean), variance: tf.keep(variance) });
          return affine(l, tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, l.epsilon))));
        });
    }
    const small = await overview(image, options.maxSide, options.multiple);
    tf.dispose([model.predict(small) as tf.Tensor, small]);
    // Pass 2 onwards: every tile uses the whole image's statistics.
    for (const l of layers) {
      const s = stats.get(l);
      if (!s) throw new Error('an instance-norm layer did not run on the overview');
      l.call = (inputs) =>
        tf.tidy(() => {
          const x = Array.isArray(inputs) ? inputs[0]! : inputs;
          return affine(l, tf.mul(tf.sub(x, s.mean), tf.rsqrt(tf.add(s.variance, l.epsilon))));
        });
    }
  } catch (err) {
    restore();
    throw err;
  }
  return restore;
}
