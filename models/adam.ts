/**
 * Adam as PyTorch computes it (β1, β2, eps 1e-8 added after the bias-corrected square root), with its
 * state — step count and both moments — readable and writable synchronously for exact resume.
 * tfjs's own Adam restores its moments asynchronously and matches slots by position only.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon?: number;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Updates applied so far (PyTorch's `step`). */
  step = 0;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];

  constructor(
    private readonly variables: tf.Variable[],
    options: AdamOptions,
  ) {
    this.lr = options.lr;
    this.beta1 = options.beta1;
    this.beta2 = options.beta2;
    this.epsilon = options.epsilon ?? 1e-8;
    this.m = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
    this.v = tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
  }

  /** Apply one update; `grads[i]` belongs to `variables[i]` (a missing gradient skips that variable). */
  apply(grads: Array<tf.Tensor | undefined>): void {
    if (grads.length !== this.variables.length) {
      throw new Error(`Adam got ${grads.length} gradients for ${this.variables.length} variables`);
    }
    this.step += 1;
    const c1 = 1 - this.beta1 ** this.step;
    const c2 = 1 - this.beta2 ** this.step;
    // One scope per variable, so the update's temporaries never exist for all weights at once.
    grads.forEach((g, i) => {
      if (!g) return;
      tf.tidy(() => {
        const m = this.m[i]!;
        const v = this.v[i]!;
        const variable = this.variables[i]!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), this.epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denom), this.lr / c1)));
      });
    });
  }

  /** The moments, first all m then all v, in variable order (owned by the optimizer). */
  moments(): tf.Variable[] {
    return [...this.m, ...this.v];
  }

  /** Restore step count and moments (copied; the caller keeps ownership of `moments`). */
  restore(step: number, moments: tf.Tensor[]): void {
    const n = this.variables.length;
    if (moments.length !== 2 * n) throw new Error(`Adam state has ${moments.length} moments, expected ${2 * n}`);
    moments.forEach((t, i) => {
      const target = i < n ? this.m[i]! : this.v[i - n]!;
      if (!tf.util.arraysEqual(t.shape, target.shape)) {
        throw new Error(`Adam moment ${i} has shape [${t.shape}], expected [${target.shape}]`);
      }
      target.assign(t);
    });
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
    this.m = [];
    this.v = [];
  }
}
