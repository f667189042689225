/**
 * Adam as PyTorch computes it (β1, β2, eps 1e-8 added after the bias-corrected square root), with its
 * state — step count and both moments — readable and writable synchronously for exact resume.
 * tfjs's own Adam restores its moments asynchronously and matches slots by position only.
 *
 * The moments are kept flat, one pair of vectors per chunk of consecutive variables (up to
 * CHUNK_ELEMENTS values, a larger variable alone): one update is then ~10 element-wise kernels per
 * chunk plus a subtract per variable, instead of ~14 kernels per variable. On small networks, where
 * kernel dispatch rather than arithmetic is the cost, that is most of the optimizer's time (28
 * variables of the quick pix2pix: 392 kernels → about 100); the chunk bound keeps the temporaries of
 * a reference-size network as small as one variable's at a time.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon?: number;
  /** Values per flat chunk of moments (default CHUNK_ELEMENTS). */
  chunkElements?: number;
}

/** Values per flat chunk of moments (4 MB of float32). */
export const CHUNK_ELEMENTS = 1 << 20;

interface Chunk {
  /** Indices into the variable list, consecutive. */
  members: number[];
  sizes: number[];
  m: tf.Variable;
  v: tf.Variable;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far (PyTorch's `step`). */
  step = 0;
  private chunks: Chunk[] = [];

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2;
    this.epsilon = options.epsilon ?? 1e-8;
    const limit = options.chunkElements ?? CHUNK_ELEMENTS;
    let members: number[] = [];
    let total = 0;
    const close = () => {
      if (members.length === 0) return;
      const sizes = members.map((i) => variables[i]!.size);
      const n = sizes.reduce((a, b) => a + b, 0);
      this.chunks.push({
        members,
        sizes,
        m: tf.tidy(() => tf.variable(tf.zeros([n]), false)),
        v: tf.tidy(() => tf.variable(tf.zeros([n]), false)),
      });
      members = [];
      total = 0;
    };
    variables.forEach((variable, i) => {
      if (total > 0 && total + variable.size > limit) close();
      members.push(i);
      total += variable.size;
    });
    close();
  }

  /** Apply one update; `grads[i]` belongs to `variables[i]` (a missing gradient skips that variable). */
  apply(grads: Array<tf.Tensor | undefined>): void {
    if (grads.length !== this.variables.length) {
      throw new Error(`Adam got ${grads.length} gradients for ${this.variables.length} variables`);
    }
    this.step += 1;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    // One scope per chunk, so the update's temporaries never exist for all weights at once.
    for (const chunk of this.chunks) {
      if (chunk.members.every((i) => !grads[i])) continue;
      tf.tidy(() => {
        // A missing gradient counts as zero for the moments and leaves its variable as it is (below).
        const flat = chunk.members.map((i, k) =>
          grads[i] ? tf.reshape(grads[i]!, [-1]) : tf.zeros([chunk.sizes[k]!]),
        );
        const g = flat.length === 1 ? flat[0]! : tf.concat(flat);
        const { m, v } = chunk;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), Math.sqrt(c2)), this.epsilon);
        const update = tf.mul(tf.div(mNew, denom), this.lr / c1);
        const parts = chunk.members.length === 1 ? [update] : tf.split(update, chunk.sizes);
        chunk.members.forEach((i, k) => {
          if (!grads[i]) return;
          const variable = this.variables[i]!;
          variable.assign(tf.sub(variable, tf.reshape(parts[k]!, variable.shape)));
        });
        if (chunk.members.some((i) => !grads[i])) {
          // Keep the moments of variables without a gradient this step as they were.
          const keep = (next: tf.Tensor, old: tf.Variable) => {
            const a = tf.split(next, chunk.sizes);
            const b = tf.split(old, chunk.sizes);
            return tf.concat(chunk.members.map((i, k) => (grads[i] ? a[k]! : b[k]!)));
          };
          const mKeep = keep(mNew, m);
          const vKeep = keep(vNew, v);
          m.assign(mKeep);
          v.assign(vKeep);
        } else {
          m.assign(mNew);
          v.assign(vNew);
        }
      });
    }
  }

  /**
   * The moments, first all m then all v, one tensor per variable in variable order, shaped like it.
   * These are copies: the caller disposes them.
   */
  moments(): tf.Tensor[] {
    const split = (which: 'm' | 'v') =>
      this.chunks.flatMap((c) =>
        tf.tidy(() => {
          const parts = c.members.length === 1 ? [c[which].clone()] : tf.split(c[which], c.sizes);
          return parts.map((p, k) => tf.reshape(p, this.variables[c.members[k]!]!.shape));
        }),
      );
    return [...split('m'), ...split('v')];
  }

  /** Number of flat chunks the moments are kept in. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Number of moment tensors moments() gives (two per variable). */
  get momentCount(): number {
    return 2 * this.variables.length;
  }

  /** Restore step count and moments (copied; the caller keeps ownership of `moments`). */
  restore(step: number, moments: tf.Tensor[]): void {
    const n = this.variables.length;
    if (moments.length !== 2 * n) throw new Error(`Adam state has ${moments.length} moments, expected ${2 * n}`);
    moments.forEach((t, i) => {
      const shape = this.variables[i < n ? i : i - n]!.shape;
      if (!tf.util.arraysEqual(t.shape, shape)) {
        throw new Error(`Adam moment ${i} has shape [${t.shape}], expected [${shape}]`);
      }
    });
    for (const c of this.chunks) {
      for (const [which, base] of [
        ['m', 0],
        ['v', n],
      ] as const) {
        tf.tidy(() => {
          const flat = c.members.map((i) => tf.reshape(moments[base + i]!, [-1]));
          c[which].assign(flat.length === 1 ? flat[0]! : tf.concat(flat));
        });
      }
    }
    this.step = step;
  }

  dispose(): void {
    for (const c of this.chunks) {
      c.m.dispose();
      c.v.dispose();
    }
    this.chunks = [];
  }
}
