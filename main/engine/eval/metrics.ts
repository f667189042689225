/**
 * Quality metrics for paired test sets (DESIGN.md §5), on 8-bit images (values 0–255).
 *
 * Pure: no tfjs, no file system. Images are interleaved pixel buffers (HWC) of the same size and
 * channel count; only the first 3 channels are compared when an alpha channel is present, because a
 * translation never produces meaningful alpha.
 *
 * - RMSE: root of the mean squared difference over every pixel and channel, on 0–255.
 * - Pixel accuracy: share of pixels whose largest channel difference is below 5 (the protocol used for
 *   the maps dataset in the unpaired-translation literature).
 * - PSNR: 20·log10(255 / RMSE) in dB; identical images are capped at PSNR_CAP_DB so the value stays a
 *   finite JSON number.
 * - L1: mean absolute difference over every pixel and channel, on 0–255.
 */

export const PIXEL_ACCURACY_THRESHOLD = 5;
/** PSNR reported for identical images (and the ceiling for nearly identical ones). */
export const PSNR_CAP_DB = 100;

export interface RawImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
  channels: number;
}

export interface ImageMetrics {
  rmse: number;
  pixelAccuracy: number;
  psnr: number;
  l1: number;
}

export interface MetricSummary extends ImageMetrics {
  /** Number of image pairs averaged. */
  count: number;
}

export function psnrFromRmse(rmse: number): number {
  if (rmse <= 0) return PSNR_CAP_DB;
  return Math.min(PSNR_CAP_DB, 20 * Math.log10(255 / rmse));
}

/** Metrics for one pair: `output` is the translation, `target` the ground truth. */
export function compareImages(output: RawImage, target: RawImage): ImageMetrics {
  if (output.width !== target.width || output.height !== target.height) {
    throw new Error(
      `Cannot compare images of different sizes: ${output.width}×${output.height} and ${target.width}×${target.height}`,
    );
  }
  const pixels = output.width * output.height;
  if (pixels === 0) throw new Error('Cannot compare empty images');
  for (const [label, img] of [
    ['output', output],
    ['target', target],
  ] as const) {
    if (img.channels < 1) throw new Error(`The ${label} image has no channels`);
    if (img.data.length !== pixels * img.channels) {
      throw new Error(
        `The ${label} image holds ${img.data.length} values, expected ${pixels * img.channels} (${img.width}×${img.height}×${img.channels})`,
      );
    }
  }
  const channels = Math.min(3, output.channels, target.channels);
  let sumSq = 0;
  let sumAbs = 0;
  let accurate = 0;
  for (let p = 0; p < pixels; p++) {
    const oa = p * output.channels;
    const ta = p * target.channels;
    let worst = 0;
    for (let c = 0; c < channels; c++) {
      const d = Math.abs(output.data[oa + c]! - target.data[ta + c]!);
      sumSq += d * d;
      sumAbs += d;
      if (d > worst) worst = d;
    }
    if (worst < PIXEL_ACCURACY_THRESHOLD) accurate++;
  }
  const n = pixels * channels;
  const rmse = Math.sqrt(sumSq / n);
  return { rmse, pixelAccuracy: accurate / pixels, psnr: psnrFromRmse(rmse), l1: sumAbs / n };
}

/** Mean of per-image metrics (each image counts once, whatever its size). */
export function summarizeMetrics(items: ImageMetrics[]): MetricSummary {
  if (items.length === 0) throw new Error('No image pairs to summarise');
  const mean = (key: keyof ImageMetrics) => items.reduce((s, m) => s + m[key], 0) / items.length;
  return {
    rmse: mean('rmse'),
    pixelAccuracy: mean('pixelAccuracy'),
    psnr: mean('psnr'),
    l1: mean('l1'),
    count: items.length,
  };
}
