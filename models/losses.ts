/**
 * The loss terms, named as in the papers. Every function returns a scalar and is differentiable.
 */
import * as tf from '@tensorflow/tfjs-core';

export type GanMode = 'lsgan' | 'vanilla' | 'hinge';
export const GAN_MODES: readonly GanMode[] = ['lsgan', 'vanilla', 'hinge'];

/**
 * Adversarial loss on a discriminator's raw output (logits for 'vanilla').
 * - lsgan:   mean((D − t)²), t = 1 for real, 0 for fake (Mao et al.)
 * - vanilla: BCE with logits against t (Goodfellow et al.)
 * - hinge:   for D, mean(relu(1 − D)) on real and mean(relu(1 + D)) on fake; for G, −mean(D)
 *            (Lim & Ye; Miyato et al.)
 * `forDiscriminator` matters for hinge only: the generator's hinge loss is not a hinge.
 */
export function ganLoss(
  mode: GanMode,
  prediction: tf.Tensor,
  targetIsReal: boolean,
  forDiscriminator = true,
): tf.Scalar {
  return tf.tidy(() => {
    switch (mode) {
      case 'lsgan':
        return tf.mean(tf.square(tf.sub(prediction, targetIsReal ? 1 : 0))) as tf.Scalar;
      case 'vanilla':
        return bceWithLogits(prediction, targetIsReal ? 1 : 0);
      case 'hinge':
        if (!forDiscriminator) {
          if (!targetIsReal) throw new Error('The generator’s hinge loss is only defined against the "real" target');
          return tf.neg(tf.mean(prediction)) as tf.Scalar;
        }
        return tf.mean(tf.relu(targetIsReal ? tf.sub(1, prediction) : tf.add(1, prediction))) as tf.Scalar;
      default:
        throw new Error(`Unknown GAN loss "${String(mode)}". Choose one of: ${GAN_MODES.join(', ')}`);
    }
  });
}

/** Mean binary cross-entropy with logits, in the numerically stable form max(x,0) − x·t + log(1 + e^−|x|). */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.tidy(
    () =>
      tf.mean(
        tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
      ) as tf.Scalar,
  );
}

/** Mean absolute error, PyTorch's L1Loss. */
export function l1Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar);
}

/** Cycle-consistency: λ · ‖G_B(G_A(a)) − a‖₁ (Zhu et al., eq. 2). */
export function cycleLoss(reconstructed: tf.Tensor, real: tf.Tensor, lambda: number): tf.Scalar {
  return tf.tidy(() => tf.mul(l1Loss(reconstructed, real), lambda) as tf.Scalar);
}

/** Identity: λ · λ_idt · ‖G_A(b) − b‖₁ (keeps colours when the input is already in the target domain). */
export function identityLoss(same: tf.Tensor, real: tf.Tensor, lambda: number, lambdaIdentity: number): tf.Scalar {
  return tf.tidy(() => tf.mul(l1Loss(same, real), lambda * lambdaIdentity) as tf.Scalar);
}

// ---------------------------------------------------------------------------------------------------
// Contrastive Unpaired Translation (Park, Efros, Zhang, Zhu, ECCV 2020)

/**
 * L2-normalise each row, as the reference's Normalize(2): x / (‖x‖₂ + 1e-7). The norm is taken as
 * √(Σx² + 1e-20): the same value, but a finite gradient for an all-zero row (a patch whose projection is
 * all ReLU zeros), where √'s gradient at 0 is infinite and times 0 gives NaN — which on the quick CUT
 * preset turned every weight to NaN from the second iteration.
 */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.add(tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-20)), 1e-7)) as tf.Tensor2D);
}

/**
 * PatchNCE (eq. 2 and 5 of the paper). q holds the projected, L2-normalised features of S patches of the
 * output, k those of the input at the same S locations, per image of the batch (rows image by image). For
 * each patch s, its positive is the input's patch at the same place and its negatives are the other
 * S − 1 patches of the same image:
 *
 *   ℓ(q_s) = −log [ exp(q_s·k_s / τ) / ( exp(q_s·k_s / τ) + Σ_{n≠s} exp(q_s·k_n / τ) ) ]
 *
 * a cross-entropy over S + 1 logits with the positive as the class. As in the reference, the diagonal
 * of the negatives is filled with −10 (not −∞) and the loss is the mean over all patches of the batch.
 * k receives no gradient in the reference (it is detached): compute it off the gradient tape.
 */
export function patchNceLoss(q: tf.Tensor2D, k: tf.Tensor2D, batch: number, temperature: number): tf.Scalar {
  if (!(temperature > 0)) throw new Error(`The NCE temperature must be above 0, got ${temperature}`);
  const [rows, dim] = q.shape;
  if (k.shape[0] !== rows || k.shape[1] !== dim) {
    throw new Error(`PatchNCE needs q and k of the same shape, got [${q.shape}] and [${k.shape}]`);
  }
  if (!Number.isInteger(batch) || batch < 1 || rows % batch !== 0) {
    throw new Error(`PatchNCE: ${rows} patch rows do not split into ${batch} images`);
  }
  const patches = rows / batch;
  return tf.tidy(() => {
    const positive = tf.reshape(tf.sum(tf.mul(q, k), 1), [batch, patches, 1]);
    const q3 = tf.reshape(q, [batch, patches, dim]);
    const k3 = tf.reshape(k, [batch, patches, dim]);
    const all = tf.matMul(q3, k3, false, true); // [B, S, S]: q_s · k_n
    const eye = tf.reshape(tf.eye(patches), [1, patches, patches]);
    const negatives = tf.add(tf.mul(all, tf.sub(1, eye)), tf.mul(eye, -10));
    const logits = tf.div(tf.concat([positive, negatives], 2), temperature);
    // Cross-entropy with class 0: logsumexp(logits) − logits[0].
    const first = tf.reshape(tf.slice(logits, [0, 0, 0], [-1, -1, 1]), [batch, patches]);
    return tf.mean(tf.sub(tf.logSumExp(logits, 2), first)) as tf.Scalar;
  });
}
