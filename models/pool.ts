/**
 * The image pool of past generated images (Shrivastava et al.), exactly as the reference's ImagePool:
 * while the pool is not full every image is stored and returned; after that, each image is, with
 * probability 0.5, swapped for a random stored one (which is returned) and otherwise returned as is.
 * A discriminator then sees a history of generators, which damps oscillation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng.js';

export const DEFAULT_POOL_SIZE = 50;

export class ImagePool {
  private images: tf.Tensor4D[] = [];

  constructor(
    readonly size: number,
    private readonly rng: Rng,
  ) {
    if (!Number.isInteger(size) || size < 0) throw new Error(`Image pool size must be an integer ≥ 0, got ${size}`);
  }

  /** Number of images stored. */
  get count(): number {
    return this.images.length;
  }

  /** Stored images, oldest slot first (owned by the pool: do not dispose). */
  stored(): readonly tf.Tensor4D[] {
    return this.images;
  }

  /**
   * Returns a batch of the same shape as `batch` (a new tensor the caller disposes) drawn per the
   * reference's rule. `batch` is not kept: the pool stores its own copies.
   */
  query(batch: tf.Tensor4D): tf.Tensor4D {
    if (this.size === 0) return batch.clone();
    const out: tf.Tensor4D[] = [];
    const n = batch.shape[0];
    for (let i = 0; i < n; i++) {
      const image = tf.keep(tf.slice(batch, [i, 0, 0, 0], [1, -1, -1, -1]));
      if (this.images.length < this.size) {
        this.images.push(image);
        out.push(image);
      } else if (this.rng.next() > 0.5) {
        const id = this.rng.int(0, this.size - 1);
        const previous = this.images[id]!;
        this.images[id] = image;
        out.push(previous);
      } else {
        out.push(image);
      }
    }
    const result = tf.concat(out, 0) as tf.Tensor4D;
    // Release what is neither stored nor returned (images that went back out without being stored,
    // and old images swapped out).
    const kept = new Set(this.images);
    for (const t of out) if (!kept.has(t)) t.dispose();
    return result;
  }

  /** Replace the contents (resume). Takes ownership of the given tensors. */
  restore(images: tf.Tensor4D[]): void {
    if (images.length > this.size) {
      throw new Error(`Cannot restore ${images.length} images into a pool of size ${this.size}`);
    }
    this.clear();
    this.images = images.map((t) => tf.keep(t));
  }

  clear(): void {
    for (const t of this.images) t.dispose();
    this.images = [];
  }

  dispose(): void {
    this.clear();
  }
}
