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
 * k receives no gradient (the reference detaches it): it is a constant here, so compute it off the tape.
 *
 * Written with its own gradient, in products without transposed operands: tfjs's WebAssembly backend
 * multiplies A·Bᵀ about 10× slower than A·B (only the plain product goes to XNNPACK), and autodiff of
 * q·kᵀ and of logsumexp would take two such products and a broadcast comparison per layer. With
 * P = softmax(logits) and N = B·S rows, the gradient is dℓ/d(q_s·k_n) = (P_s,n − [n = s]) / (τ·N), the
 * positive standing at n = s and the −10 diagonal having none — so dq = G·k, G that [B, S, S] matrix.
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
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const query = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const k3 = tf.reshape(k, [batch, patches, dim]);
    const parts = tf.tidy(() => {
      const all = tf.matMul(tf.reshape(query, [batch, patches, dim]), tf.transpose(k3, [0, 2, 1])); // q_s · k_n
      const eye = tf.reshape(tf.eye(patches), [1, patches, patches]);
      const positive = tf.sum(tf.mul(all, eye), 2, true); // [B, S, 1]
      const negatives = tf.add(tf.mul(all, tf.sub(1, eye)), tf.mul(eye, -10));
      const logits = tf.div(tf.concat([positive, negatives], 2), temperature);
      // logsumexp with the row's largest logit taken out (a constant for the gradient, written below).
      const top = tf.max(logits, 2, true);
      const shifted = tf.exp(tf.sub(logits, top));
      const total = tf.sum(shifted, 2, true);
      const lse = tf.add(tf.log(total), top); // [B, S, 1]
      const value = tf.mean(tf.sub(lse, tf.div(positive, temperature))) as tf.Scalar;
      const p = tf.div(shifted, total); // softmax over the S + 1 logits
      return { value, p, eye };
    });
    save([parts.p, parts.eye, k3]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [p, eye, keys] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      return tf.tidy(() => {
        const pPositive = tf.slice(p, [0, 0, 0], [-1, -1, 1]); // [B, S, 1]
        const pNegatives = tf.slice(p, [0, 0, 1], [-1, -1, patches]); // [B, S, S]
        const offDiagonal = tf.mul(pNegatives, tf.sub(1, eye));
        const g = tf.add(offDiagonal, tf.mul(eye, tf.sub(pPositive, 1)));
        const scaled = tf.mul(g, tf.div(dy, temperature * rows));
        return tf.reshape(tf.matMul(scaled, keys), [rows, dim]);
      });
    };
    return { value: parts.value, gradFunc };
  });
  return op(q) as tf.Scalar;
}
