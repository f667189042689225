/**
 * The trivial baseline a translation model has to beat: predict the most common map colour everywhere.
 * Pure: works on raw RGB images.
 */
import { compareImages, type MetricSummary, type RawImage, summarizeMetrics } from '../eval/metrics.js';

export type Colour = [number, number, number];

/** The exact RGB value that covers the most pixels across `images` (ties: the smallest value). */
export function mostCommonColour(images: RawImage[]): Colour {
  if (images.length === 0) throw new Error('No images to find the most common colour in');
  const counts = new Map<number, number>();
  for (const img of images) {
    const { data, channels } = img;
    if (channels < 3) throw new Error(`Expected RGB images for the colour baseline (got ${channels} channels)`);
    for (let i = 0; i + 2 < data.length; i += channels) {
      const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  let best = -1;
  let bestCount = -1;
  for (const [key, c] of counts) {
    if (c > bestCount || (c === bestCount && key < best)) {
      best = key;
      bestCount = c;
    }
  }
  return [(best >> 16) & 255, (best >> 8) & 255, best & 255];
}

export function constantImage(colour: Colour, width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
  }
  return { data, width, height, channels: 3 };
}

/**
 * Scores the constant-colour prediction on held-out targets; the colour is taken from the training
 * maps, so the baseline never sees the test set.
 */
export function mostCommonColourBaseline(
  trainMaps: RawImage[],
  testMaps: RawImage[],
): { colour: Colour; metrics: MetricSummary } {
  if (testMaps.length === 0) throw new Error('No held-out maps to score the baseline on');
  const colour = mostCommonColour(trainMaps);
  const metrics = summarizeMetrics(
    testMaps.map((t) => compareImages(constantImage(colour, t.width, t.height), { ...t, channels: t.channels })),
  );
  return { colour, metrics };
}
