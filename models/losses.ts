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
