/**
 * The "no GAN" baseline of the quality figure: pix2pix's generator trained on ‖G(A) − B‖₁ alone, with the
 * same network, optimiser and settings as the run it is compared with. If a GAN run cannot beat this,
 * the adversarial loss is not earning its keep on this data.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingSettings } from '#contract';
import { Adam, buildGenerator, l1Loss, Rng } from '../../../models/index.js';

export interface L1Trainer {
  readonly iteration: number;
  step(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, number>;
  translate(x: tf.Tensor4D): tf.Tensor4D;
  setLearningRate(lr: number): void;
  dispose(): void;
}

export function createL1Trainer(settings: TrainingSettings): L1Trainer {
  const rng = new Rng(settings.seed);
  // Same architecture as the GAN run's generator; no dropout, since nothing here needs the noise.
  const G: tfl.LayersModel = buildGenerator(settings.generator, {
    ngf: settings.ngf,
    norm: settings.norm,
    dropout: false,
    seed: rng.uint32(),
  });
  const vars = G.trainableWeights.map((w) => w.read() as tf.Variable);
  const adam = new Adam(vars, { lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2 });
  let iteration = 0;
  let disposed = false;
  const alive = () => {
    if (disposed) throw new Error('This L1 trainer has been disposed');
  };
  return {
    get iteration() {
      return iteration;
    },
    step(a, b) {
      alive();
      const { value, grads } = tf.variableGrads(
        () => l1Loss(G.apply(a, { training: true }) as tf.Tensor, b) as tf.Scalar,
        vars,
      );
      adam.apply(vars.map((v) => grads[v.name]));
      for (const g of Object.values(grads)) g.dispose();
      const l1 = value.dataSync()[0]!;
      value.dispose();
      iteration++;
      return { G_L1: l1 };
    },
    setLearningRate(lr) {
      adam.lr = lr;
    },
    translate(x) {
      alive();
      return tf.tidy(() => G.apply(x, { training: false }) as tf.Tensor4D);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      G.dispose();
      adam.dispose();
    },
  };
}
