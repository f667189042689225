/**
 * The two training algorithms behind one interface. Each `step` is one iteration of the reference:
 *
 * CycleGAN (Zhu et al. 2017), `optimize_parameters`: forward both generators, update G_A and G_B together
 * on  L_G = L_GAN(G_A, D_A) + L_GAN(G_B, D_B) + λ_A·L_cyc(A) + λ_B·L_cyc(B) + λ_idt·(λ_B·L_idt(A) + λ_A·L_idt(B)),
 * then D_A and D_B on  ½·[L_GAN(D, real) + L_GAN(D, pooled fake)]  each.
 *
 * pix2pix (Isola et al. 2017): D on concat(A, B) first,  ½·[L_GAN(D(A, B), real) + L_GAN(D(A, G(A)), fake)],
 * then G on  L_GAN(D(A, G(A)), real) + λ_L1·‖G(A) − B‖₁.
 *
 * Tensors are NHWC in [−1, 1]. Everything random (initialisation, pool, dropout) flows from one seeded Rng
 * whose state is saved with the weights, so exportState → importState continues the exact same run.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type TrainingSettings, TrainingSettingsSchema } from '#contract';
import { Adam } from './adam.js';
import { CUT_VARIANT_DEFAULTS } from './cut-settings.js';
import { SeededDropout, samplePatches } from './layers.js';
import { cycleLoss, type GanMode, ganLoss, identityLoss, l1Loss, l2NormalizeRows, patchNceLoss } from './losses.js';
import {
  applyPatchHead,
  buildDiscriminator,
  buildGenerator,
  buildGeneratorWithLayers,
  generatorFeatures,
  initXavier,
  patchMlpHead,
  unetGenerator,
} from './networks.js';
import { ImagePool } from './pool.js';
import { Rng } from './rng.js';
import { packTensors, type TrainerState, unpackTensors } from './state.js';

export { CUT_VARIANT_DEFAULTS } from './cut-settings.js';
export type { TrainerState } from './state.js';

import { withOwnTape } from './tfjs-internals.js';

export type TrainerKind = TrainingSettings['model'];
export type TranslationDirection = 'AtoB' | 'BtoA';

export const CYCLEGAN_LOSS_NAMES = ['G_A', 'G_B', 'D_A', 'D_B', 'cycle_A', 'cycle_B', 'idt_A', 'idt_B'] as const;
export const PIX2PIX_LOSS_NAMES = ['G_GAN', 'G_L1', 'D_real', 'D_fake'] as const;
/** CUT's losses; NCE_Y (identity NCE on B) only when nceIdt is on, as in the reference. */
export const CUT_LOSS_NAMES = ['G_GAN', 'D_real', 'D_fake', 'NCE', 'NCE_Y'] as const;
export const FASTCUT_LOSS_NAMES = ['G_GAN', 'D_real', 'D_fake', 'NCE'] as const;

export interface TrainerOptions {
  /** Channels of domain A images (default 3). */
  channelsA?: number;
  /** Channels of domain B images (default 3). */
  channelsB?: number;
  /**
   * U-Net generators only: number of downsamplings instead of the name's (unet_256: 8, unet_128: 7), e.g. 6
   * to train a U-Net on 64 px crops. Saved models carry their own topology, so they load as built.
   */
  unetDownsamplings?: number;
  /**
   * Recompute each generator pass in the backward pass instead of keeping its activations (see
   * recomputedForward): about a third more generator work for a fraction of the memory. For crops
   * that do not fit otherwise, e.g. 256 px on WebAssembly.
   */
  recompute?: boolean;
}

export interface Trainer {
  readonly kind: TrainerKind;
  readonly lossNames: readonly string[];
  readonly settings: TrainingSettings;
  /** Completed iterations (restored by importState). */
  readonly iteration: number;
  /** One training iteration; tensors in [−1, 1], NHWC; the caller keeps ownership of a and b. */
  step(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, number>;
  /**
   * The same iteration, its losses read back asynchronously with one read. Works on every backend and is
   * the only way on webgpu, whose synchronous reads need a browser canvas.
   */
  stepAsync(a: tf.Tensor4D, b: tf.Tensor4D): Promise<Record<string, number>>;
  setLearningRate(lr: number): void;
  learningRate(): number;
  /** Inference-mode translation (batch norm uses its running statistics, no dropout). Caller disposes. */
  translate(x: tf.Tensor4D, direction: TranslationDirection): tf.Tensor4D;
  generators(): { AtoB: tfl.LayersModel; BtoA?: tfl.LayersModel };
  /** Every network by the reference's name: G_A, G_B, D_A, D_B (CycleGAN), G, D (pix2pix), G, D, F0… (CUT). */
  networks(): Record<string, tfl.LayersModel>;
  exportState(): Promise<TrainerState>;
  importState(state: TrainerState): void;
  dispose(): void;
}

/** Build the trainer for `settings.model`. `settings` may be partial: the contract's defaults fill it. */
export function createTrainer(
  settings: Partial<TrainingSettings> | TrainingSettings,
  options: TrainerOptions = {},
): Trainer {
  // CUT and FastCUT are one algorithm with two sets of defaults: what the caller leaves out comes from its mode.
  const model = settings.model;
  const withVariant =
    model === 'cut' || model === 'fastcut' ? { ...CUT_VARIANT_DEFAULTS[model], ...settings } : settings;
  const parsed = TrainingSettingsSchema.safeParse(withVariant);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `Invalid training settings: ${first ? `${first.path.join('.')}: ${first.message}` : parsed.error.message}`,
    );
  }
  const s = parsed.data;
  const channelsA = options.channelsA ?? 3;
  const channelsB = options.channelsB ?? 3;
  for (const [k, v] of [
    ['channelsA', channelsA],
    ['channelsB', channelsB],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
  }
  switch (s.model) {
    case 'cyclegan':
      return new CycleGanTrainer(s, channelsA, channelsB, options);
    case 'pix2pix':
      return new Pix2PixTrainer(s, channelsA, channelsB, options);
    case 'cut':
    case 'fastcut':
      return new CutTrainer(s, channelsA, channelsB, options);
  }
}

// ---------------------------------------------------------------------------------------------------

function variablesOf(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

function forward(model: tfl.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor4D {
  return model.apply(x, { training }) as tf.Tensor4D;
}

/**
 * A training forward pass whose activations are not kept for the backward pass: the network's inner
 * ops run inside one custom-gradient op (so the tape holds only its input and output), and the backward
 * pass runs the network again to take the gradients. One more forward pass per use buys a peak of one
 * network's activations instead of all of them: what lets a 256-px ResNet CycleGAN step fit in
 * WebAssembly's 4 GB. The second pass sees the same dropout seeds and batch-norm statistics, so its
 * gradients are those of the first.
 */
export function recomputedForward(model: tfl.LayersModel, x: tf.Tensor4D): tf.Tensor4D {
  const weights = variablesOf(model);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor4D;
    // Saved, so that an input made inside the taped function (a concat, a flip) outlives it.
    (args[args.length - 1] as tf.GradSaveFunc)([input]);
    const value = forward(model, input, true);
    // The pass again, for its gradients only: batch norm's running statistics were updated once above.
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      keepingRunningStats(model, () =>
        withOwnTape(() =>
          tf.grads((xi: tf.Tensor) => tf.sum(tf.mul(forward(model, xi, true), dy)))([saved[0]!, ...weights]),
        ),
      );
    return { value, gradFunc };
  });
  return op(x, ...weights) as tf.Tensor4D;
}

function dropoutLayers(model: tfl.LayersModel): SeededDropout[] {
  return model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
}

/** Run `fn` and put the model's non-trainable weights (batch-norm running statistics) back afterwards. */
function keepingRunningStats<T>(model: tfl.LayersModel, fn: () => T): T {
  const weights = model.nonTrainableWeights;
  if (weights.length === 0) return fn();
  const saved = weights.map((w) => w.read().clone());
  try {
    return fn();
  } finally {
    weights.forEach((w, i) => {
      w.write(saved[i]!);
    });
    for (const t of saved) t.dispose();
  }
}

function checkBatch(name: string, x: tf.Tensor4D, channels: number): void {
  if (x.rank !== 4) throw new Error(`${name} must be a 4-D NHWC tensor, got rank ${x.rank}`);
  if (x.shape[3] !== channels) throw new Error(`${name} must have ${channels} channels, got ${x.shape[3]}`);
  if (x.dtype !== 'float32') throw new Error(`${name} must be float32, got ${x.dtype}`);
}

/** Read several scalars with one sync, in `names` order (0 for a missing one), and dispose them. */
function readScalars(named: Record<string, tf.Scalar>, names: readonly string[]): Record<string, number> {
  const stacked = stackScalars(named, names);
  try {
    return nameValues(stacked.dataSync(), names);
  } finally {
    stacked.dispose();
  }
}

/** readScalars with an asynchronous read: one readback from the device, the loop free meanwhile. */
async function readScalarsAsync(
  named: Record<string, tf.Scalar>,
  names: readonly string[],
): Promise<Record<string, number>> {
  const stacked = stackScalars(named, names);
  try {
    return nameValues(await stacked.data(), names);
  } finally {
    stacked.dispose();
  }
}

function stackScalars(named: Record<string, tf.Scalar>, names: readonly string[]): tf.Tensor1D {
  const scalars = Object.values(named);
  const stacked = tf.tidy(() => tf.stack(names.map((n) => named[n] ?? tf.scalar(0))) as tf.Tensor1D);
  for (const t of scalars) t.dispose();
  return stacked;
}

function nameValues(values: ArrayLike<number>, names: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    out[n] = values[i]!;
  });
  return out;
}

/**
 * A term of a loss summed term by term: its function, or, when all of it is weighted zero, what runs in
 * its place (whatever its passes leave behind besides the loss).
 */
type LossTerm = (() => tf.Scalar) | { zeroWeighted: () => void };

/** Gradients of `loss` with respect to `vars`, in `vars` order; kept tensors survive via tf.keep in `loss`. */
function gradientsOf(loss: () => tf.Scalar, vars: tf.Variable[]): Array<tf.Tensor | undefined> {
  const { value, grads } = tf.variableGrads(loss, vars);
  value.dispose();
  return vars.map((v) => grads[v.name]);
}

function disposeAll(ts: Array<tf.Tensor | undefined>): void {
  for (const t of ts) t?.dispose();
}

abstract class BaseTrainer implements Trainer {
  abstract readonly kind: TrainerKind;
  abstract readonly lossNames: readonly string[];
  protected readonly rng: Rng;
  protected readonly nets: Record<string, tfl.LayersModel> = {};
  protected readonly optimizers: Record<string, Adam> = {};
  protected readonly pools: Record<string, ImagePool> = {};
  protected iterations = 0;
  protected disposed = false;

  constructor(
    readonly settings: TrainingSettings,
    protected readonly channelsA: number,
    protected readonly channelsB: number,
    protected readonly options: TrainerOptions,
  ) {
    this.rng = new Rng(settings.seed);
  }

  get iteration(): number {
    return this.iterations;
  }

  protected generator(inputChannels: number, outputChannels: number, palette?: number[][]): tfl.LayersModel {
    const s = this.settings;
    const common = {
      inputChannels,
      outputChannels,
      ngf: s.ngf,
      norm: s.norm,
      dropout: s.dropout,
      antialias: s.antialias,
      palette,
      seed: this.rng.uint32(),
    };
    const downsamplings = this.options.unetDownsamplings;
    if (downsamplings !== undefined && s.generator.startsWith('unet')) {
      return unetGenerator({ ...common, downsamplings, name: `unet_${2 ** downsamplings}` });
    }
    return buildGenerator(s.generator, common);
  }

  protected discriminator(inputChannels: number): tfl.LayersModel {
    const s = this.settings;
    return buildDiscriminator(s.discriminator, {
      inputChannels,
      ndf: s.ndf,
      norm: s.norm,
      nLayers: s.nLayersD,
      antialias: s.antialias,
      seed: this.rng.uint32(),
    });
  }

  protected adam(models: tfl.LayersModel[]): Adam {
    const s = this.settings;
    return new Adam(
      models.flatMap((m) => variablesOf(m)),
      { lr: s.lr, beta1: s.beta1, beta2: s.beta2 },
    );
  }

  /** A generator's training forward pass whose gradients are wanted (recomputed when asked to be). */
  protected generate(model: tfl.LayersModel, x: tf.Tensor4D): tf.Tensor4D {
    return this.options.recompute ? recomputedForward(model, x) : forward(model, x, true);
  }

  /** Draw fresh dropout seeds for a model's next training forward pass. */
  protected reseedDropout(model: tfl.LayersModel): void {
    for (const layer of dropoutLayers(model)) layer.seed = this.rng.uint32();
  }

  protected get ganMode(): GanMode {
    return this.settings.ganMode;
  }

  protected checkAlive(): void {
    if (this.disposed) throw new Error('This trainer has been disposed');
  }

  /** One iteration's updates; returns the loss scalars, still on the device (the caller reads them). */
  protected abstract runStep(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, tf.Scalar>;

  step(a: tf.Tensor4D, b: tf.Tensor4D): Record<string, number> {
    return readScalars(this.runStep(a, b), this.lossNames);
  }

  async stepAsync(a: tf.Tensor4D, b: tf.Tensor4D): Promise<Record<string, number>> {
    return readScalarsAsync(this.runStep(a, b), this.lossNames);
  }
  abstract generators(): { AtoB: tfl.LayersModel; BtoA?: tfl.LayersModel };

  translate(x: tf.Tensor4D, direction: TranslationDirection): tf.Tensor4D {
    this.checkAlive();
    const g = this.generators();
    const model = direction === 'AtoB' ? g.AtoB : g.BtoA;
    if (!model) throw new Error(`A ${this.kind} model translates A→B only; it has no B→A generator`);
    checkBatch('The image to translate', x, direction === 'AtoB' ? this.channelsA : this.channelsB);
    return tf.tidy(() => forward(model, x, false));
  }

  networks(): Record<string, tfl.LayersModel> {
    return { ...this.nets };
  }

  setLearningRate(lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`Learning rate must be a finite number ≥ 0, got ${lr}`);
    for (const o of Object.values(this.optimizers)) o.lr = lr;
  }

  learningRate(): number {
    return Object.values(this.optimizers)[0]?.lr ?? this.settings.lr;
  }

  async exportState(): Promise<TrainerState> {
    this.checkAlive();
    const named: Array<{ name: string; tensor: tf.Tensor }> = [];
    for (const [netName, net] of Object.entries(this.nets)) {
      net.weights.forEach((w, i) => {
        named.push({ name: `net/${netName}/${i}`, tensor: w.read() });
      });
    }
    const optimizers: TrainerState['optimizers'] = {};
    // The optimizers' moments come out as copies (they are stored flat), freed once packed.
    const copies: tf.Tensor[] = [];
    for (const [optName, opt] of Object.entries(this.optimizers)) {
      optimizers[optName] = { step: opt.step };
      const moments = opt.moments();
      copies.push(...moments);
      moments.forEach((t, i) => {
        named.push({ name: `opt/${optName}/${i}`, tensor: t });
      });
    }
    const pools: TrainerState['pools'] = {};
    for (const [poolName, pool] of Object.entries(this.pools)) {
      pools[poolName] = { size: pool.size, count: pool.count };
      pool.stored().forEach((t, i) => {
        named.push({ name: `pool/${poolName}/${i}`, tensor: t });
      });
    }
    let packed: Awaited<ReturnType<typeof packTensors>>;
    try {
      packed = await packTensors(named);
    } finally {
      for (const t of copies) t.dispose();
    }
    const { tensors, data } = packed;
    return {
      format: 'duet-trainer-state',
      version: 1,
      kind: this.kind,
      settings: this.settings,
      channels: { A: this.channelsA, B: this.channelsB },
      iteration: this.iterations,
      learningRate: this.learningRate(),
      rng: this.rng.getState(),
      optimizers,
      pools,
      tensors,
      data,
    };
  }

  importState(state: TrainerState): void {
    this.checkAlive();
    if (state?.format !== 'duet-trainer-state' || state.version !== 1) {
      throw new Error('Not a Duet training state (format "duet-trainer-state", version 1 expected)');
    }
    if (state.kind !== this.kind) throw new Error(`This training state is for ${state.kind}, not ${this.kind}`);
    if (state.channels.A !== this.channelsA || state.channels.B !== this.channelsB) {
      throw new Error(
        `This training state has ${state.channels.A}/${state.channels.B} channels (A/B), the trainer ${this.channelsA}/${this.channelsB}`,
      );
    }
    const structural = [
      'generator',
      'discriminator',
      'ngf',
      'ndf',
      'nLayersD',
      'norm',
      'dropout',
      'antialias',
      'nceLayers',
      'nceMlpUnits',
      'palettes',
    ] as const;
    for (const key of structural) {
      if (JSON.stringify(state.settings[key]) !== JSON.stringify(this.settings[key])) {
        throw new Error(
          `This training state was made with ${key} = ${String(state.settings[key])}, the trainer has ${String(this.settings[key])}`,
        );
      }
    }
    const tensors = unpackTensors({ tensors: state.tensors, data: state.data });
    const take = (name: string): tf.Tensor => {
      const t = tensors.get(name);
      if (!t) throw new Error(`The training state lacks "${name}"`);
      return t;
    };
    try {
      for (const [netName, net] of Object.entries(this.nets)) {
        net.setWeights(net.weights.map((_, i) => take(`net/${netName}/${i}`)));
      }
      for (const [optName, opt] of Object.entries(this.optimizers)) {
        const info = state.optimizers[optName];
        if (!info) throw new Error(`The training state lacks optimizer "${optName}"`);
        opt.restore(
          info.step,
          Array.from({ length: opt.momentCount }, (_, i) => take(`opt/${optName}/${i}`)),
        );
      }
      for (const [poolName, pool] of Object.entries(this.pools)) {
        const info = state.pools[poolName];
        if (!info) throw new Error(`The training state lacks image pool "${poolName}"`);
        const images: tf.Tensor4D[] = [];
        for (let i = 0; i < info.count; i++) {
          const name = `pool/${poolName}/${i}`;
          images.push(take(name) as tf.Tensor4D);
          tensors.delete(name); // now owned by the pool
        }
        pool.restore(images);
      }
      this.rng.setState(state.rng);
      this.iterations = state.iteration;
      this.setLearningRate(state.learningRate);
    } finally {
      for (const t of tensors.values()) t.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const n of Object.values(this.nets)) n.dispose();
    for (const o of Object.values(this.optimizers)) o.dispose();
    for (const p of Object.values(this.pools)) p.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------

class CycleGanTrainer extends BaseTrainer {
  readonly kind = 'cyclegan' as const;
  readonly lossNames = CYCLEGAN_LOSS_NAMES;
  private readonly G_A: tfl.LayersModel;
  private readonly G_B: tfl.LayersModel;
  private readonly D_A: tfl.LayersModel;
  private readonly D_B: tfl.LayersModel;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(settings: TrainingSettings, channelsA: number, channelsB: number, options: TrainerOptions) {
    super(settings, channelsA, channelsB, options);
    if (settings.lambdaIdentity > 0 && channelsA !== channelsB) {
      throw new Error(
        `The identity loss needs the same channel count in both domains (A has ${channelsA}, B ${channelsB}); set lambdaIdentity to 0`,
      );
    }
    // G_A: A → B, judged by D_A (which sees domain B); G_B: B → A, judged by D_B.
    this.G_A = this.generator(channelsA, channelsB, settings.palettes?.B);
    this.G_B = this.generator(channelsB, channelsA, settings.palettes?.A);
    this.D_A = this.discriminator(channelsB);
    this.D_B = this.discriminator(channelsA);
    Object.assign(this.nets, { G_A: this.G_A, G_B: this.G_B, D_A: this.D_A, D_B: this.D_B });
    this.gVars = [...variablesOf(this.G_A), ...variablesOf(this.G_B)];
    this.dVars = [...variablesOf(this.D_A), ...variablesOf(this.D_B)];
    this.optimizers.G = this.adam([this.G_A, this.G_B]);
    this.optimizers.D = this.adam([this.D_A, this.D_B]);
    this.pools.fakeA = new ImagePool(settings.poolSize, this.rng);
    this.pools.fakeB = new ImagePool(settings.poolSize, this.rng);
  }

  generators() {
    return { AtoB: this.G_A, BtoA: this.G_B };
  }

  /**
   * A generator pass whose loss term is weighted zero, skipped: the term becomes the constant 0, as it added
   * 0 to the loss and 0 to every gradient. A training pass through batch norm moves its running statistics
   * (the reference's pass does), so such a generator still runs forward, off the tape; the backward pass,
   * and the whole pass through a generator without them, is saved.
   */
  private skipPass(model: tfl.LayersModel, x: tf.Tensor4D): tf.Scalar {
    if (model.nonTrainableWeights.length > 0) {
      withOwnTape(() =>
        tf.tidy(() => {
          forward(model, x, true);
        }),
      );
    }
    return tf.scalar(0);
  }

  /**
   * Sum of the gradients of several loss terms (fresh dropout masks for each). A term weighted zero as a
   * whole still draws its dropout seeds and runs its side effects, so the random stream and the batch-norm
   * statistics, and with them every later iteration, are what the computed term would have left.
   */
  private accumulate(vars: tf.Variable[], terms: Array<LossTerm>): Array<tf.Tensor | undefined> {
    let total: Array<tf.Tensor | undefined> = vars.map(() => undefined);
    for (const term of terms) {
      this.reseedDropout(this.G_A);
      this.reseedDropout(this.G_B);
      if (typeof term !== 'function') {
        term.zeroWeighted();
        continue;
      }
      const grads = gradientsOf(term, vars);
      total = total.map((t, i) => {
        const g = grads[i];
        if (!t) return g;
        if (!g) return t;
        const sum = tf.add(t, g);
        t.dispose();
        g.dispose();
        return sum;
      });
    }
    return total;
  }

  /**
   * What the generator translating back sees in the cycle that starts from domain `cycle`: the first
   * translation itself, or (cycleDetach) a copy of it made off the tape — a constant there, so that cycle's
   * loss trains only the generator translating back. The copy belongs to the caller's scope.
   */
  private cycleInput(translated: tf.Tensor4D, cycle: 'A' | 'B'): tf.Tensor4D {
    const detach = this.settings.cycleDetach;
    return detach === cycle || detach === 'both' ? withOwnTape(() => tf.clone(translated)) : translated;
  }

  protected runStep(realA: tf.Tensor4D, realB: tf.Tensor4D): Record<string, tf.Scalar> {
    this.checkAlive();
    checkBatch('Image batch A', realA, this.channelsA);
    checkBatch('Image batch B', realB, this.channelsB);
    const s = this.settings;
    const mode = this.ganMode;
    const kept: Record<string, tf.Scalar> = {};
    let fakeA: tf.Tensor4D | undefined;
    let fakeB: tf.Tensor4D | undefined;
    let poolA: tf.Tensor4D | undefined;
    let poolB: tf.Tensor4D | undefined;
    try {
      // backward_G: both generators, discriminators fixed (only G variables receive gradients). L_G is a
      // sum, so its gradient is taken term group by term group and added up: the same update with a
      // third of the activations alive at once (what lets 128 px fit in WebAssembly's 4 GB).
      // λ_A = 0 weighs cycle_A and idt_B zero, λ_B = 0 cycle_B and idt_A: such a term is the constant 0
      // (skipPass), a generator pass and its backward fewer for the same update.
      const identity = (): tf.Scalar => {
        // G_A should leave an image already in domain B unchanged, and G_B one in A.
        const idtA =
          s.lambdaB > 0
            ? identityLoss(this.generate(this.G_A, realB), realB, s.lambdaB, s.lambdaIdentity)
            : this.skipPass(this.G_A, realB);
        const idtB =
          s.lambdaA > 0
            ? identityLoss(this.generate(this.G_B, realA), realA, s.lambdaA, s.lambdaIdentity)
            : this.skipPass(this.G_B, realA);
        Object.assign(kept, { idt_A: tf.keep(idtA), idt_B: tf.keep(idtB) });
        return tf.add(idtA, idtB) as tf.Scalar;
      };
      const gGrads = this.accumulate(this.gVars, [
        () => {
          const fB = this.generate(this.G_A, realA);
          const gA = ganLoss(mode, forward(this.D_A, fB, true), true, false);
          const cycA =
            s.lambdaA > 0
              ? cycleLoss(this.generate(this.G_B, this.cycleInput(fB, 'A')), realA, s.lambdaA)
              : this.skipPass(this.G_B, fB);
          fakeB = tf.keep(fB);
          Object.assign(kept, { G_A: tf.keep(gA), cycle_A: tf.keep(cycA) });
          return tf.add(gA, cycA) as tf.Scalar;
        },
        () => {
          const fA = this.generate(this.G_B, realB);
          const gB = ganLoss(mode, forward(this.D_B, fA, true), true, false);
          const cycB =
            s.lambdaB > 0
              ? cycleLoss(this.generate(this.G_A, this.cycleInput(fA, 'B')), realB, s.lambdaB)
              : this.skipPass(this.G_A, fA);
          fakeA = tf.keep(fA);
          Object.assign(kept, { G_B: tf.keep(gB), cycle_B: tf.keep(cycB) });
          return tf.add(gB, cycB) as tf.Scalar;
        },
        // Both identity terms weighted zero (λ_A = λ_B = 0) leave nothing to differentiate.
        ...(s.lambdaIdentity > 0
          ? [
              s.lambdaA > 0 || s.lambdaB > 0
                ? identity
                : {
                    zeroWeighted: () => tf.dispose([this.skipPass(this.G_A, realB), this.skipPass(this.G_B, realA)]),
                  },
            ]
          : []),
      ]);
      if (!kept.idt_A) Object.assign(kept, { idt_A: tf.scalar(0), idt_B: tf.scalar(0) });
      this.optimizers.G!.apply(gGrads);
      disposeAll(gGrads);

      // backward_D_A and backward_D_B on fakes from the pools (detached: only D variables get gradients).
      poolB = this.pools.fakeB!.query(fakeB!);
      poolA = this.pools.fakeA!.query(fakeA!);
      const pB = poolB;
      const pA = poolA;
      const dGrads = this.accumulate(this.dVars, [
        () => {
          const dA = tf.mul(
            tf.add(
              ganLoss(mode, forward(this.D_A, realB, true), true),
              ganLoss(mode, forward(this.D_A, pB, true), false),
            ),
            0.5,
          ) as tf.Scalar;
          kept.D_A = tf.keep(dA.clone()); // the returned loss itself is disposed with the tape
          return dA;
        },
        () => {
          const dB = tf.mul(
            tf.add(
              ganLoss(mode, forward(this.D_B, realA, true), true),
              ganLoss(mode, forward(this.D_B, pA, true), false),
            ),
            0.5,
          ) as tf.Scalar;
          kept.D_B = tf.keep(dB.clone());
          return dB;
        },
      ]);
      this.optimizers.D!.apply(dGrads);
      disposeAll(dGrads);
      this.iterations += 1;
    } finally {
      disposeAll([fakeA, fakeB, poolA, poolB]);
    }
    return kept;
  }
}

class Pix2PixTrainer extends BaseTrainer {
  readonly kind = 'pix2pix' as const;
  readonly lossNames = PIX2PIX_LOSS_NAMES;
  private readonly G: tfl.LayersModel;
  private readonly D: tfl.LayersModel;
  private readonly gVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(settings: TrainingSettings, channelsA: number, channelsB: number, options: TrainerOptions) {
    super(settings, channelsA, channelsB, options);
    this.G = this.generator(channelsA, channelsB, settings.palettes?.B);
    // Conditional discriminator: it sees the input and the (real or generated) output side by side.
    this.D = this.discriminator(channelsA + channelsB);
    Object.assign(this.nets, { G: this.G, D: this.D });
    this.gVars = variablesOf(this.G);
    this.dVars = variablesOf(this.D);
    this.optimizers.G = this.adam([this.G]);
    this.optimizers.D = this.adam([this.D]);
  }

  generators() {
    return { AtoB: this.G };
  }

  protected runStep(realA: tf.Tensor4D, realB: tf.Tensor4D): Record<string, tf.Scalar> {
    this.checkAlive();
    checkBatch('Image batch A', realA, this.channelsA);
    checkBatch('Image batch B', realB, this.channelsB);
    if (!tf.util.arraysEqual(realA.shape.slice(0, 3), realB.shape.slice(0, 3))) {
      throw new Error(`pix2pix needs A and B of the same size, got [${realA.shape}] and [${realB.shape}]`);
    }
    const s = this.settings;
    const mode = this.ganMode;
    const kept: Record<string, tf.Scalar> = {};
    // One dropout mask for this iteration (G runs once).
    for (const l of dropoutLayers(this.G)) l.seed = this.rng.uint32();
    // G's forward pass is recorded once and serves both updates, as in the reference: backward_D sees the
    // generated pair detached (D's update runs off G's tape, so nothing flows back into G), then
    // backward_G scores the same fake against the updated D.
    const gGrads = gradientsOf(() => {
      const fake = this.generate(this.G, realA);
      withOwnTape(() => {
        // backward_D: ½·[L_GAN(D(A, B), real) + L_GAN(D(A, G(A)), fake)].
        const dGrads = gradientsOf(() => {
          const dFake = ganLoss(mode, forward(this.D, tf.concat([realA, fake], 3), true), false);
          const dReal = ganLoss(mode, forward(this.D, tf.concat([realA, realB], 3), true), true);
          Object.assign(kept, { D_fake: tf.keep(dFake), D_real: tf.keep(dReal) });
          return tf.mul(tf.add(dFake, dReal), 0.5) as tf.Scalar;
        }, this.dVars);
        this.optimizers.D!.apply(dGrads);
        disposeAll(dGrads);
      });
      // backward_G: L_GAN(D(A, G(A)), real) + λ_L1·‖G(A) − B‖₁.
      const gan = ganLoss(mode, forward(this.D, tf.concat([realA, fake], 3), true), true, false);
      const l1 = tf.mul(l1Loss(fake, realB), s.lambdaL1) as tf.Scalar;
      Object.assign(kept, { G_GAN: tf.keep(gan), G_L1: tf.keep(l1) });
      return tf.add(gan, l1) as tf.Scalar;
    }, this.gVars);
    this.optimizers.G!.apply(gGrads);
    disposeAll(gGrads);
    this.iterations += 1;
    return kept;
  }
}

/**
 * CUT and FastCUT (Park, Efros, Zhang, Zhu, ECCV 2020), `optimize_parameters` of the reference's cut_model:
 * one generator G: A → B, one discriminator D, and the projection head H (one MLP per NCE layer). Each
 * step: G(x) (x = A, or A and B together with identity NCE; FastCUT flips x half the time), then D on
 *   L_D = ½·[L_GAN(D(B), real) + L_GAN(D(G(A)), fake)],
 * then G and H together on
 *   L_G = λ_GAN·L_GAN(D(G(A)), real) + λ_NCE·PatchNCE(G, H, A, G(A))            (FastCUT)
 *   L_G = λ_GAN·L_GAN(D(G(A)), real) + λ_NCE·½·[PatchNCE(A, G(A)) + PatchNCE(B, G(B))]  (CUT)
 * where PatchNCE averages patchNceLoss over the NCE layers: features of the output (queries) against the
 * input's at the same sampled locations (keys, detached), both through H and L2-normalised.
 */
class CutTrainer extends BaseTrainer {
  readonly kind: 'cut' | 'fastcut';
  readonly lossNames: readonly string[];
  private readonly G: tfl.LayersModel;
  /** G's encoder outputs at the NCE layers (shares G's weights; not a network of its own). */
  private readonly encoder: tfl.LayersModel;
  private readonly D: tfl.LayersModel;
  private readonly H: tfl.LayersModel[];
  private readonly gVars: tf.Variable[];
  private readonly hVars: tf.Variable[];
  private readonly dVars: tf.Variable[];

  constructor(settings: TrainingSettings, channelsA: number, channelsB: number, options: TrainerOptions) {
    super(settings, channelsA, channelsB, options);
    this.kind = settings.model as 'cut' | 'fastcut';
    this.lossNames = settings.nceIdt ? CUT_LOSS_NAMES : FASTCUT_LOSS_NAMES;
    if (settings.nceIdt && channelsA !== channelsB) {
      throw new Error(
        `Identity NCE runs B images through the A → B generator: it needs the same channels in both domains (A has ${channelsA}, B ${channelsB}); set nceIdt to false`,
      );
    }
    const built = buildGeneratorWithLayers(settings.generator, {
      inputChannels: channelsA,
      outputChannels: channelsB,
      ngf: settings.ngf,
      norm: settings.norm,
      dropout: settings.dropout,
      antialias: settings.antialias,
      palette: settings.palettes?.B,
      seed: this.rng.uint32(),
    });
    this.G = built.model;
    this.D = this.discriminator(channelsB);
    try {
      this.encoder = generatorFeatures(built, settings.nceLayers);
    } catch (err) {
      this.G.dispose();
      this.D.dispose();
      throw err;
    }
    const channels = this.encoder.outputs.map((o) => o.shape[3] as number);
    this.H = patchMlpHead(channels, settings.nceMlpUnits, this.rng.uint32());
    // The reference initialises CUT's networks with xavier_normal (gain 0.02), not N(0, 0.02).
    for (const net of [this.G, this.D, ...this.H]) initXavier(net, 0.02, this.rng.uint32());
    Object.assign(this.nets, { G: this.G, D: this.D });
    this.H.forEach((h, i) => {
      this.nets[`F${i}`] = h;
    });
    this.gVars = variablesOf(this.G);
    this.hVars = this.H.flatMap((h) => variablesOf(h));
    this.dVars = variablesOf(this.D);
    this.optimizers.G = this.adam([this.G]);
    this.optimizers.F = this.adam(this.H);
    this.optimizers.D = this.adam([this.D]);
  }

  generators() {
    return { AtoB: this.G };
  }

  /** G's features at the NCE layers, one tensor per layer. */
  private features(x: tf.Tensor4D): tf.Tensor4D[] {
    const out = forward(this.encoder, x, true) as unknown as tf.Tensor4D | tf.Tensor4D[];
    return Array.isArray(out) ? out : [out];
  }

  /** Up to ncePatches distinct locations of an H×W map (a prefix of a random permutation, as torch.randperm). */
  private drawLocations(count: number): Int32Array {
    const all = Int32Array.from({ length: count }, (_, i) => i);
    const n = Math.min(this.settings.ncePatches, count);
    for (let i = 0; i < n; i++) {
      const j = this.rng.int(i, count - 1);
      const t = all[i]!;
      all[i] = all[j]!;
      all[j] = t;
    }
    return all.slice(0, n);
  }

  /** H(features) at the sampled locations, L2-normalised. */
  private project(feats: tf.Tensor4D[], ids: Int32Array[]): tf.Tensor2D[] {
    return feats.map((f, i) => l2NormalizeRows(applyPatchHead(this.H[i]!, samplePatches(f, ids[i]!))));
  }

  /**
   * The keys: projected features of the real input at freshly drawn locations. Computed off the gradient
   * tape (the reference detaches them); the caller disposes `keys`.
   */
  private keys(real: tf.Tensor4D): { ids: Int32Array[]; keys: tf.Tensor2D[] } {
    let ids: Int32Array[] = [];
    const keys = tf.tidy(() => {
      const feats = this.features(real);
      ids = feats.map((f) => this.drawLocations(f.shape[1] * f.shape[2]));
      return this.project(feats, ids);
    });
    return { ids, keys };
  }

  /** λ_NCE · mean over layers of patchNceLoss(queries of `output`, keys of its input). */
  private nce(output: tf.Tensor4D, source: { ids: Int32Array[]; keys: tf.Tensor2D[] }, flipped: boolean): tf.Scalar {
    const s = this.settings;
    let feats = this.features(output);
    // FastCUT fed G a flipped input: flip the output's features back, so they line up with the input's.
    if (flipped) feats = feats.map((f) => tf.reverse(f, 2));
    const queries = this.project(feats, source.ids);
    const perLayer = queries.map((q, i) => patchNceLoss(q, source.keys[i]!, output.shape[0], s.nceTemperature));
    return tf.mul(tf.div(tf.addN(perLayer), perLayer.length), s.lambdaNCE) as tf.Scalar;
  }

  protected runStep(realA: tf.Tensor4D, realB: tf.Tensor4D): Record<string, tf.Scalar> {
    this.checkAlive();
    checkBatch('Image batch A', realA, this.channelsA);
    checkBatch('Image batch B', realB, this.channelsB);
    const s = this.settings;
    const idt = s.nceIdt;
    if (idt && !tf.util.arraysEqual(realA.shape, realB.shape)) {
      throw new Error(
        `CUT's identity NCE runs A and B through the generator together: they need the same shape, got [${realA.shape}] and [${realB.shape}]`,
      );
    }
    const mode = this.ganMode;
    const batch = realA.shape[0];
    const kept: Record<string, tf.Scalar> = {};
    this.reseedDropout(this.G);
    const flipped = s.flipEquivariance && this.rng.chance(0.5);
    const keysA = this.keys(realA);
    const keysB = idt ? this.keys(realB) : undefined;
    try {
      const grads = gradientsOf(() => {
        // forward: G on A (and B, for identity NCE) in one batch, flipped for FastCUT half the time.
        const joined = idt ? tf.concat([realA, realB], 0) : realA;
        const input = flipped ? tf.reverse(joined, 2) : joined;
        const out = this.generate(this.G, input as tf.Tensor4D);
        const fakeB = idt ? tf.slice(out, [0, 0, 0, 0], [batch, -1, -1, -1]) : out;
        const idtB = idt ? tf.slice(out, [batch, 0, 0, 0], [batch, -1, -1, -1]) : undefined;
        withOwnTape(() => {
          // compute_D_loss: ½·[L_GAN(D(B), real) + L_GAN(D(G(A)), fake)], G(A) detached (D's own tape).
          const dGrads = gradientsOf(() => {
            const dFake = ganLoss(mode, forward(this.D, fakeB, true), false);
            const dReal = ganLoss(mode, forward(this.D, realB, true), true);
            Object.assign(kept, { D_fake: tf.keep(dFake), D_real: tf.keep(dReal) });
            return tf.mul(tf.add(dFake, dReal), 0.5) as tf.Scalar;
          }, this.dVars);
          this.optimizers.D!.apply(dGrads);
          disposeAll(dGrads);
        });
        // compute_G_loss against the updated D.
        const gan = tf.mul(ganLoss(mode, forward(this.D, fakeB, true), true, false), s.lambdaGAN) as tf.Scalar;
        const nce = this.nce(fakeB, keysA, flipped);
        Object.assign(kept, { G_GAN: tf.keep(gan), NCE: tf.keep(nce) });
        if (!idtB || !keysB) return tf.add(gan, nce) as tf.Scalar;
        const nceY = this.nce(idtB, keysB, flipped);
        kept.NCE_Y = tf.keep(nceY);
        return tf.add(gan, tf.mul(tf.add(nce, nceY), 0.5)) as tf.Scalar;
      }, [...this.gVars, ...this.hVars]);
      this.optimizers.G!.apply(grads.slice(0, this.gVars.length));
      this.optimizers.F!.apply(grads.slice(this.gVars.length));
      disposeAll(grads);
    } finally {
      disposeAll([...keysA.keys, ...(keysB?.keys ?? [])]);
    }
    this.iterations += 1;
    return kept;
  }
}
