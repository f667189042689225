/**
 * Decoding one image for training, normalised whatever the file holds:
 *  - EXIF orientation applied (the image comes out upright);
 *  - any colour space (CMYK, grey, 16-bit, embedded ICC profiles) converted to 8-bit sRGB;
 *  - always 3 channels: grey images are replicated to RGB, as the reference's convert('RGB') does, so a
 *    model's input and output layers never depend on the data (a grey domain trains as grey-looking RGB);
 *  - alpha flattened onto white: transparent areas of scans, maps and cut-outs are meant to be seen on
 *    paper or a page (the reference drops alpha and exposes whatever colour hides under it, often black);
 *  - resized (bicubic, as the reference) and cropped by sharp on libuv's thread pool; the flip and the
 *    conversion to floats happen in `toTrainingFloats`, which guarantees crop-then-flip exactly.
 */
import sharp from 'sharp';
import type { AugmentPlan, Region } from './augment.js';
import { DEFAULT_PIXEL_LIMIT } from './probe.js';

export const TRAINING_CHANNELS = 3;
export const FLATTEN_BACKGROUND = '#ffffff';

export interface DecodeOptions {
  pixelLimit?: number;
}

/**
 * Decode `path` (or the `region` of it, e.g. one half of an A|B image, in upright coordinates), resize and
 * crop by `plan`. Returns crop.width × crop.height × 3 bytes, not yet flipped.
 */
export async function decodeCrop(
  path: string,
  plan: AugmentPlan,
  region: Region | null = null,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  let img = sharp(path, {
    failOn: 'truncated',
    limitInputPixels: options.pixelLimit ?? DEFAULT_PIXEL_LIMIT,
    autoOrient: true,
  });
  const { crop, resize } = plan;
  const needsResize = resize !== null && (!region || resize.width !== region.width || resize.height !== region.height);
  if (needsResize) {
    if (region) img = img.extract(region);
    img = img.resize(resize.width, resize.height, { fit: 'fill', kernel: 'cubic' }).extract(crop);
  } else {
    // One extract: a half's offset plus the crop inside it.
    img = img.extract({
      left: (region?.left ?? 0) + crop.left,
      top: (region?.top ?? 0) + crop.top,
      width: crop.width,
      height: crop.height,
    });
  }
  const { data, info } = await img
    .flatten({ background: FLATTEN_BACKGROUND })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== TRAINING_CHANNELS || info.width !== crop.width || info.height !== crop.height) {
    throw new Error(
      `decoded ${info.width}×${info.height}×${info.channels}, expected ${crop.width}×${crop.height}×${TRAINING_CHANNELS}`,
    );
  }
  return data;
}
