/**
 * The "no GAN" baseline of the quality figure: pix2pix's generator trained on ‖G(A) − B‖₁ alone, with the
 * same network, optimiser and settings as the run it is compared with. If a GAN run cannot beat this,
 * the adversarial loss is not earning its keep on this data.
 *
 * It is not a run type: its trainer (one generator, one loss) exists only to measure what the GAN term
 * adds, so it keeps the small loop below instead of a run folder, checkpoints and a place in the window.
 * The loop takes its batches from the run job's data pipeline and its learning rate from the run job's
 * schedule, so the loss is the only difference from the run it is compared with.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { TrainingSettings } from '#contract';
import { Adam, buildGenerator, l1Loss, Rng } from '../../../models/index.js';
import { budgetProgress, learningRateAtTime } from '../../../models/schedule.js';
import { createPipeline, scanDataset } from '../dataset/index.js';

export interface L1Trainer {
  readonly iteration: number;
  /** The generator, for a translator (it stays the trainer's: dispose the trainer, not it). */
  readonly generator: tfl.LayersModel;
  step(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, number>;
  translate(x: tf.Tensor4D): tf.Tensor4D;
  setLearningRate(lr: number): void;
  dispose(): void;
}

export function createL1Trainer(settings: TrainingSettings): L1Trainer {
  const rng = new Rng(settings.seed);
  // Same architecture as the GAN run's generator (its flat-colour output too, when the run found one);
  // no dropout, since nothing here needs the noise.
  const G: tfl.LayersModel = buildGenerator(settings.generator, {
    ngf: settings.ngf,
    norm: settings.norm,
    dropout: false,
    palette: settings.palettes?.B,
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
    get generator() {
      alive();
      return G;
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

export interface L1BaselineOptions {
  /** Paired training data, as a run reads it (one folder holding trainA/ trainB/). */
  data: string;
  /** The compared run's settings; its `minutes` (and `iterations`, as a cap) bound this loop too. */
  settings: TrainingSettings;
  signal?: AbortSignal;
  onStep?: (step: { iteration: number; seconds: number; losses: Record<string, number> }) => void;
}

export interface L1BaselineRun {
  /** The trained generator's trainer; the caller disposes it. */
  trainer: L1Trainer;
  iterations: number;
  seconds: number;
}

/** Train the L1 baseline for the run's budget. Throws the signal's reason when aborted. */
export async function trainL1Baseline(options: L1BaselineOptions): Promise<L1BaselineRun> {
  const { settings } = options;
  if (settings.minutes === undefined && settings.iterations === undefined) {
    throw new Error('The L1 baseline needs a budget: minutes or iterations');
  }
  const budget = { minutes: settings.minutes ?? 24 * 60, iterations: settings.iterations };
  const pipeline = createPipeline({
    scan: await scanDataset(options.data),
    settings,
    seed: settings.seed,
    sampling: 'paired',
  });
  const trainer = createL1Trainer(settings);
  let seconds = 0;
  try {
    while (budgetProgress(budget, seconds, trainer.iteration) < 1) {
      options.signal?.throwIfAborted();
      const start = performance.now();
      const batch = await pipeline.next();
      if (!batch) throw new Error('The training data ran out');
      trainer.setLearningRate(learningRateAtTime({ ...settings, ...budget }, seconds, trainer.iteration));
      const shape: [number, number, number, number] = [batch.n, batch.height, batch.width, batch.channels];
      const a = tf.tensor4d(batch.a, shape);
      const b = tf.tensor4d(batch.b, shape);
      let losses: Record<string, number>;
      try {
        losses = trainer.step(a, b);
      } finally {
        a.dispose();
        b.dispose();
      }
      seconds += (performance.now() - start) / 1000;
      options.onStep?.({ iteration: trainer.iteration, seconds, losses });
    }
  } catch (err) {
    trainer.dispose();
    throw err;
  } finally {
    await pipeline.close();
  }
  return { trainer, iterations: trainer.iteration, seconds };
}
