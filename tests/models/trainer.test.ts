import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import { Adam } from '../../models/adam.js';
import { cycleLoss, ganLoss, identityLoss, l1Loss } from '../../models/losses.js';
import { CUT_VARIANT_DEFAULTS, createTrainer, type Trainer, type TrainerState } from '../../models/trainer.js';
import { onTestBackend, values } from '../support/backend.js';

// On cpu by default; DUET_TEST_BACKEND=webgpu (or wasm) runs the same tests there.
onTestBackend();

const tiny = {
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 4,
  ndf: 4,
  size: 16,
  seed: 5,
} as const;

const fastcutDefaults = CUT_VARIANT_DEFAULTS.fastcut;

function batch(seed: number, size = 16): tf.Tensor4D {
  return tf.randomUniform([1, size, size, 3], -1, 1, 'float32', seed) as tf.Tensor4D;
}

/** Every network's weights, or one network's (`net`: G_A, D_B, …). */
async function weightsOf(t: Trainer, net?: string): Promise<number[][]> {
  const nets = net === undefined ? Object.values(t.networks()) : [t.networks()[net]!];
  const weights = nets.flatMap((n) => n.weights);
  return Promise.all(weights.map(async (w) => Array.from(await values(w.read()))));
}

describe('createTrainer', () => {
  it('fills defaults from the contract and names the losses as the reference', () => {
    const c = createTrainer({ ...tiny, model: 'cyclegan' });
    expect(c.kind).toBe('cyclegan');
    expect(c.lossNames).toEqual(['G_A', 'G_B', 'D_A', 'D_B', 'cycle_A', 'cycle_B', 'idt_A', 'idt_B']);
    expect(c.settings).toEqual(TrainingSettingsSchema.parse({ ...tiny, model: 'cyclegan' }));
    expect(Object.keys(c.networks())).toEqual(['G_A', 'G_B', 'D_A', 'D_B']);
    expect(c.learningRate()).toBe(2e-4);
    c.dispose();
    const p = createTrainer({ ...tiny, model: 'pix2pix', norm: 'batch', dropout: true });
    expect(p.lossNames).toEqual(['G_GAN', 'G_L1', 'D_real', 'D_fake']);
    expect(Object.keys(p.networks())).toEqual(['G', 'D']);
    // The conditional discriminator sees A and B stacked: 6 input channels.
    expect(p.networks().D!.inputs[0]!.shape[3]).toBe(6);
    expect(p.generators().BtoA).toBeUndefined();
    p.dispose();
  });

  it('refuses bad settings and inputs with specific messages', async () => {
    expect(() => createTrainer({ generator: 'resnet_12' } as never)).toThrow(/Invalid training settings: generator/);
    expect(() => createTrainer({ ...tiny, model: 'cyclegan' }, { channelsA: 1 })).toThrow(
      /identity loss.*lambdaIdentity/,
    );
    const t = createTrainer({ ...tiny, model: 'pix2pix' });
    const a = batch(1);
    const gray = tf.zeros([1, 16, 16, 1]) as tf.Tensor4D;
    await expect(t.stepAsync(a, gray)).rejects.toThrow(/Image batch B must have 3 channels, got 1/);
    expect(() => t.translate(a, 'BtoA')).toThrow(/A→B only/);
    expect(() => t.setLearningRate(-1)).toThrow(/Learning rate/);
    t.dispose();
    await expect(t.stepAsync(a, a)).rejects.toThrow(/disposed/);
    tf.dispose([a, gray]);
  });
});

/** The largest difference between two trainers' weights (batch norm's running statistics included), or one network's. */
async function weightGap(a: Trainer, b: Trainer, net?: string): Promise<number> {
  const w1 = (await weightsOf(a, net)).flat();
  const w2 = (await weightsOf(b, net)).flat();
  let gap = 0;
  for (let i = 0; i < w1.length; i++) gap = Math.max(gap, Math.abs(w1[i]! - w2[i]!));
  return gap;
}

/** Counts a network's forward passes from here on (every call of its apply). */
function countPasses(model: tfl.LayersModel): { readonly count: number } {
  const counter = { count: 0 };
  const apply = model.apply.bind(model);
  model.apply = ((...args: Parameters<typeof model.apply>) => {
    counter.count++;
    return apply(...args);
  }) as typeof model.apply;
  return counter;
}

describe('pix2pix step', () => {
  it("runs G once and matches the reference's two updates written out pass by pass", async () => {
    const settings = { ...tiny, model: 'pix2pix' } as const;
    const trainer = createTrainer(settings);
    // The same networks (same seed) trained by the reference's optimize_parameters, spelled out here.
    const reference = createTrainer(settings);
    const { G, D } = reference.networks() as { G: tfl.LayersModel; D: tfl.LayersModel };
    const vars = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const s = trainer.settings;
    const adamG = new Adam(vars(G!), { lr: s.lr, beta1: s.beta1, beta2: s.beta2 });
    const adamD = new Adam(vars(D!), { lr: s.lr, beta1: s.beta1, beta2: s.beta2 });
    const mode = s.ganMode;
    const gPasses = countPasses(trainer.networks().G!);
    for (let i = 0; i < 3; i++) {
      const a = batch(50 + i);
      const b = batch(60 + i);
      const losses = await trainer.stepAsync(a, b);
      // forward(), then backward_D on the detached fake, D's step, then backward_G against the new D.
      const fake = tf.tidy(() => G!.apply(a, { training: true }) as tf.Tensor4D);
      const dGrads = tf.variableGrads(() => {
        const dFake = ganLoss(mode, D!.apply(tf.concat([a, fake], 3), { training: true }) as tf.Tensor, false);
        const dReal = ganLoss(mode, D!.apply(tf.concat([a, b], 3), { training: true }) as tf.Tensor, true);
        return tf.mul(tf.add(dFake, dReal), 0.5) as tf.Scalar;
      }, vars(D!));
      adamD.apply(vars(D!).map((v) => dGrads.grads[v.name]));
      const gGrads = tf.variableGrads(() => {
        const out = G!.apply(a, { training: true }) as tf.Tensor4D;
        const gan = ganLoss(mode, D!.apply(tf.concat([a, out], 3), { training: true }) as tf.Tensor, true, false);
        return tf.add(gan, tf.mul(l1Loss(out, b), s.lambdaL1)) as tf.Scalar;
      }, vars(G!));
      expect(losses.G_GAN! + losses.G_L1!).toBeCloseTo((await values(gGrads.value))[0]!, 4);
      adamG.apply(vars(G!).map((v) => gGrads.grads[v.name]));
      tf.dispose([
        a,
        b,
        fake,
        dGrads.value,
        gGrads.value,
        ...Object.values(dGrads.grads),
        ...Object.values(gGrads.grads),
      ]);
    }
    expect(gPasses.count).toBe(3);
    expect(await weightGap(trainer, reference)).toBeLessThan(1e-6);
    // and the weights did move: the comparison is not between two untouched networks
    const fresh = createTrainer(settings);
    expect(await weightGap(trainer, fresh)).toBeGreaterThan(1e-4);
    for (const t of [trainer, reference, fresh]) t.dispose();
    adamG.dispose();
    adamD.dispose();
  });
});

/** The sum of several loss terms' gradients, added term by term in order, and the summed loss. */
async function summedGradients(
  terms: Array<() => tf.Scalar>,
  vars: tf.Variable[],
): Promise<{ loss: number; grads: Array<tf.Tensor | undefined> }> {
  let loss = 0;
  let total: Array<tf.Tensor | undefined> = [];
  for (const term of terms) {
    const { value, grads } = tf.variableGrads(term, vars);
    // Read asynchronously: WebGPU under Node has no synchronous read-back.
    loss += (await value.data())[0]!;
    const next = vars.map((v, i) => {
      const t = total[i];
      const g = grads[v.name] ?? undefined; // none for a variable the term does not reach
      if (!t) return g;
      if (!g) return t;
      const sum = tf.add(t, g);
      tf.dispose([t, g]);
      return sum;
    });
    value.dispose();
    total = next;
  }
  return { loss, grads: total };
}

describe('CycleGAN step with a cycle weight at 0', () => {
  // λ_A = 0 weighs cycle_A (G_B(G_A(a))) and idt_B (G_B(a)) zero; λ_B = 0 cycle_B (G_A(G_B(b))) and idt_A (G_A(b)).
  const cases = [
    { name: 'λ_A = 0', lambdas: { lambdaA: 0 }, passes: { G_A: 3, G_B: 1 } },
    { name: 'λ_B = 0', lambdas: { lambdaB: 0 }, passes: { G_A: 1, G_B: 3 } },
    { name: 'λ_A = λ_B = 0 (GAN alone)', lambdas: { lambdaA: 0, lambdaB: 0 }, passes: { G_A: 1, G_B: 1 } },
    // A training pass through batch norm moves its running statistics: those passes still run, forward only.
    { name: 'λ_A = 0, batch norm', lambdas: { lambdaA: 0, norm: 'batch' }, passes: { G_A: 3, G_B: 3 } },
  ] as const;

  for (const { name, lambdas, passes } of cases) {
    it(`${name}: skips the passes weighted zero and matches the reference's updates with every term computed`, async () => {
      const start = tf.memory().numTensors;
      const settings = { ...tiny, model: 'cyclegan', poolSize: 0, lambdaIdentity: 0.5, ...lambdas } as const;
      const trainer = createTrainer(settings);
      // The same networks (same seed) trained by the reference's optimize_parameters, every term of L_G
      // computed, the zero-weighted ones too.
      const reference = createTrainer(settings);
      const nets = reference.networks() as Record<'G_A' | 'G_B' | 'D_A' | 'D_B', tfl.LayersModel>;
      const { G_A, G_B, D_A, D_B } = nets;
      const vars = (...ms: tfl.LayersModel[]) =>
        ms.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
      const s = trainer.settings;
      const adam = (ms: tfl.LayersModel[]) => new Adam(vars(...ms), { lr: s.lr, beta1: s.beta1, beta2: s.beta2 });
      const adamG = adam([G_A, G_B]);
      const adamD = adam([D_A, D_B]);
      const mode = s.ganMode;
      const run = (m: tfl.LayersModel, x: tf.Tensor) => m.apply(x, { training: true }) as tf.Tensor4D;
      const counted = { G_A: countPasses(trainer.networks().G_A!), G_B: countPasses(trainer.networks().G_B!) };
      for (let i = 0; i < 3; i++) {
        const a = batch(70 + i);
        const b = batch(80 + i);
        const losses = await trainer.stepAsync(a, b);
        // backward_G as the trainer sums it, term group by term group in the same order (so that the sums
        // round alike), every term computed: the zero-weighted ones add 0·‖…‖₁ and their gradients.
        let fB: tf.Tensor4D | undefined;
        let fA: tf.Tensor4D | undefined;
        const gTerms = [
          () => {
            fB = tf.keep(run(G_A, a));
            return tf.add(ganLoss(mode, run(D_A, fB), true, false), cycleLoss(run(G_B, fB), a, s.lambdaA)) as tf.Scalar;
          },
          () => {
            fA = tf.keep(run(G_B, b));
            return tf.add(ganLoss(mode, run(D_B, fA), true, false), cycleLoss(run(G_A, fA), b, s.lambdaB)) as tf.Scalar;
          },
          () =>
            tf.add(
              identityLoss(run(G_A, b), b, s.lambdaB, s.lambdaIdentity),
              identityLoss(run(G_B, a), a, s.lambdaA, s.lambdaIdentity),
            ) as tf.Scalar,
        ];
        const gGrads = await summedGradients(gTerms, vars(G_A, G_B));
        const reported = losses.G_A! + losses.G_B! + losses.cycle_A! + losses.cycle_B! + losses.idt_A! + losses.idt_B!;
        expect(reported).toBeCloseTo(gGrads.loss, 4);
        if (s.lambdaA === 0) expect([losses.cycle_A, losses.idt_B]).toEqual([0, 0]);
        if (s.lambdaB === 0) expect([losses.cycle_B, losses.idt_A]).toEqual([0, 0]);
        adamG.apply(gGrads.grads);
        // backward_D_A and backward_D_B on the fakes (pool size 0 hands them straight back).
        const dGrads = await summedGradients(
          [
            () =>
              tf.mul(tf.add(ganLoss(mode, run(D_A, b), true), ganLoss(mode, run(D_A, fB!), false)), 0.5) as tf.Scalar,
            () =>
              tf.mul(tf.add(ganLoss(mode, run(D_B, a), true), ganLoss(mode, run(D_B, fA!), false)), 0.5) as tf.Scalar,
          ],
          vars(D_A, D_B),
        );
        adamD.apply(dGrads.grads);
        tf.dispose([a, b, fB!, fA!, ...gGrads.grads, ...dGrads.grads].filter((t) => t !== undefined));
      }
      expect({ G_A: counted.G_A.count, G_B: counted.G_B.count }).toEqual({ G_A: 3 * passes.G_A, G_B: 3 * passes.G_B });
      // Every weight, batch norm's running statistics included.
      expect(await weightGap(trainer, reference)).toBe(0);
      // and the weights did move: the comparison is not between two untouched networks
      const fresh = createTrainer(settings);
      expect(await weightGap(trainer, fresh)).toBeGreaterThan(1e-4);
      for (const t of [trainer, reference, fresh]) t.dispose();
      adamG.dispose();
      adamD.dispose();
      expect(tf.memory().numTensors).toBe(start);
    });
  }

  it('keeps tf.memory().numTensors flat, draws the random numbers the computed terms draw, and resumes exactly', async () => {
    const start = tf.memory().numTensors;
    const a = batch(1);
    const b = batch(2);
    // Dropout draws its seeds from the trainer's random stream term group by term group, the identity
    // group's too when both its terms are weighted zero: later iterations must not depend on the skip.
    const base = { ...tiny, model: 'cyclegan', poolSize: 2, norm: 'batch', dropout: true } as const;
    for (const lambdas of [{ lambdaA: 0 }, { lambdaB: 0 }, { lambdaA: 0, lambdaB: 0 }]) {
      const skipping = createTrainer({ ...base, ...lambdas });
      const computing = createTrainer(base);
      let at3 = -1;
      for (let i = 1; i <= 10; i++) {
        const losses = await skipping.stepAsync(a, b);
        for (const n of skipping.lossNames) expect(Number.isFinite(losses[n]), n).toBe(true);
        if ('lambdaA' in lambdas) expect([losses.cycle_A, losses.idt_B]).toEqual([0, 0]);
        if ('lambdaB' in lambdas) expect([losses.cycle_B, losses.idt_A]).toEqual([0, 0]);
        // (The pools, size 2 here, are full from iteration 2 on.)
        if (i === 3) at3 = tf.memory().numTensors;
        await computing.stepAsync(a, b);
      }
      expect(tf.memory().numTensors).toBe(at3);
      const state = await skipping.exportState();
      expect(state.rng).toEqual((await computing.exportState()).rng);
      const resumed = createTrainer({ ...base, ...lambdas, seed: 999 });
      resumed.importState(state);
      expect(await resumed.stepAsync(a, b)).toEqual(await skipping.stepAsync(a, b));
      expect(await weightsOf(resumed)).toEqual(await weightsOf(skipping));
      for (const t of [skipping, computing, resumed]) t.dispose();
    }
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(start);
  }, 240_000);
});

describe('CycleGAN with a detached cycle (cycleDetach)', () => {
  const base = { ...tiny, model: 'cyclegan', poolSize: 0, lambdaIdentity: 0.5 } as const;

  it('takes the cycle loss off the generator that made the first translation, and only off it', async () => {
    const start = tf.memory().numTensors;
    const a = batch(11);
    const b = batch(12);
    const after: Record<string, Trainer> = {};
    const losses: Record<string, Record<string, number>> = {};
    for (const detach of ['none', 'A', 'B', 'both'] as const) {
      const t = createTrainer({ ...base, cycleDetach: detach });
      expect(t.settings.cycleDetach).toBe(detach);
      losses[detach] = await t.stepAsync(a, b);
      after[detach] = t;
    }
    // The loss values are the same: detaching changes which weights a cycle's gradient reaches, not the loss.
    for (const detach of ['A', 'B', 'both']) expect(losses[detach]).toEqual(losses.none);
    const gap = (x: string, y: string, net: string) => weightGap(after[x]!, after[y]!, net);
    // cycle_B = ‖G_A(G_B(b)) − b‖₁: detached, it still trains G_A exactly as before, and no longer G_B.
    expect(await gap('B', 'none', 'G_A')).toBeLessThan(1e-6);
    expect(await gap('B', 'none', 'G_B')).toBeGreaterThan(1e-5);
    // cycle_A = ‖G_B(G_A(a)) − a‖₁: the same the other way round.
    expect(await gap('A', 'none', 'G_B')).toBeLessThan(1e-6);
    expect(await gap('A', 'none', 'G_A')).toBeGreaterThan(1e-5);
    // Both: each generator loses exactly the one cycle it made the first translation of.
    expect(await gap('both', 'A', 'G_A')).toBeLessThan(1e-6);
    expect(await gap('both', 'B', 'G_B')).toBeLessThan(1e-6);
    // The discriminators see the same fakes in this first step whatever is detached.
    for (const net of ['D_A', 'D_B']) expect(await gap('both', 'none', net)).toBeLessThan(1e-6);
    for (const t of Object.values(after)) t.dispose();
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('keeps tf.memory().numTensors flat and resumes exactly', async () => {
    const start = tf.memory().numTensors;
    const a = batch(13);
    const b = batch(14);
    const settings = { ...base, poolSize: 2, cycleDetach: 'both' } as const;
    const trainer = createTrainer(settings);
    let at3 = -1;
    for (let i = 1; i <= 8; i++) {
      const losses = await trainer.stepAsync(a, b);
      for (const n of trainer.lossNames) expect(Number.isFinite(losses[n]), n).toBe(true);
      if (i === 3) at3 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(at3);
    const resumed = createTrainer({ ...settings, seed: 999 });
    resumed.importState(await trainer.exportState());
    expect(await resumed.stepAsync(a, b)).toEqual(await trainer.stepAsync(a, b));
    expect(await weightsOf(resumed)).toEqual(await weightsOf(trainer));
    for (const t of [trainer, resumed]) t.dispose();
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);
});

describe('CUT and FastCUT', () => {
  it('take the reference defaults of their mode, keep what is given, and name their losses', () => {
    const cut = createTrainer({ ...tiny, model: 'cut', ncePatches: 8, nceMlpUnits: 8 });
    expect(cut.lossNames).toEqual(['G_GAN', 'D_real', 'D_fake', 'NCE', 'NCE_Y']);
    expect(cut.settings).toMatchObject({ lambdaNCE: 1, nceIdt: true, flipEquivariance: false, antialias: true });
    expect(cut.settings).toMatchObject({ nceLayers: [0, 4, 8, 12, 16], nceTemperature: 0.07, poolSize: 0 });
    expect(Object.keys(cut.networks())).toEqual(['G', 'D', 'F0', 'F1', 'F2', 'F3', 'F4']);
    const fast = createTrainer({ ...tiny, model: 'fastcut', ncePatches: 8, nceMlpUnits: 8, lambdaNCE: 3 });
    expect(fast.lossNames).toEqual(['G_GAN', 'D_real', 'D_fake', 'NCE']);
    expect(fast.settings).toMatchObject({ lambdaNCE: 3, nceIdt: false, flipEquivariance: true });
    expect(fastcutDefaults.lambdaNCE).toBe(10);
    cut.dispose();
    fast.dispose();
  });

  it('refuse NCE layers the generator lacks, a U-Net, and identity NCE across channel counts', () => {
    expect(() => createTrainer({ ...tiny, model: 'cut', nceLayers: [0, 40] })).toThrow(
      /NCE layer 40 does not exist: this generator's layers are numbered 0 to 24/,
    );
    expect(() => createTrainer({ ...tiny, model: 'cut', generator: 'unet_128' })).toThrow(/ResNet generator/);
    expect(() => createTrainer({ ...tiny, model: 'cut' }, { channelsB: 1 })).toThrow(/set nceIdt to false/);
    expect(() => createTrainer({ ...tiny, model: 'cut', nceLayers: [4, 0] })).toThrow(/increasing order/);
  });

  it('translate A→B only, saying so when asked for B→A', () => {
    const t = createTrainer({ ...tiny, model: 'fastcut', ncePatches: 8, nceMlpUnits: 8 });
    const x = batch(1);
    expect(() => t.translate(x, 'BtoA')).toThrow(/A fastcut model translates A→B only/);
    x.dispose();
    t.dispose();
  });
});

for (const model of ['cyclegan', 'pix2pix', 'cut', 'fastcut'] as const) {
  const small = { ...tiny, model, ncePatches: 16, nceMlpUnits: 16 };
  const settings =
    model === 'pix2pix'
      ? { ...tiny, model, norm: 'batch', dropout: true }
      : model === 'cyclegan'
        ? { ...tiny, model, poolSize: 2 }
        : small;

  describe(`${model} trainer`, () => {
    it('keeps tf.memory().numTensors flat: the same after iteration 3 and 30', async () => {
      const before = tf.memory().numTensors;
      const t = createTrainer(settings as never);
      const a = batch(1);
      const b = batch(2);
      let at3 = -1;
      for (let i = 1; i <= 30; i++) {
        const losses = await t.stepAsync(a, b);
        for (const n of t.lossNames) expect(Number.isFinite(losses[n]), n).toBe(true);
        // (The CycleGAN pools, size 2 here, are full from iteration 2 on.)
        if (i === 3) at3 = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(at3);
      expect(t.iteration).toBe(30);
      t.dispose();
      tf.dispose([a, b]);
      expect(tf.memory().numTensors).toBe(before);
    }, 240_000);

    it('exportState → importState into a fresh trainer continues the run exactly', async () => {
      const a = [batch(11), batch(12), batch(13)];
      const b = [batch(21), batch(22), batch(23)];
      const first = createTrainer(settings as never);
      await first.stepAsync(a[0]!, b[0]!);
      await first.stepAsync(a[1]!, b[1]!);
      first.setLearningRate(1.5e-4);
      const state = await first.exportState();
      // The state survives JSON for everything but the data buffer (as main writes it).
      const { data, ...meta } = state;
      const copy: TrainerState = { ...JSON.parse(JSON.stringify(meta)), data: data.slice(0) };
      // A different seed: everything must come from the state, not from construction.
      const second = createTrainer({ ...settings, seed: 999 } as never);
      second.importState(copy);
      expect(second.iteration).toBe(2);
      expect(second.learningRate()).toBe(1.5e-4);
      expect(await weightsOf(second)).toEqual(await weightsOf(first));
      const l1 = await first.stepAsync(a[2]!, b[2]!);
      const l2 = await second.stepAsync(a[2]!, b[2]!);
      expect(l2).toEqual(l1);
      expect(await weightsOf(second)).toEqual(await weightsOf(first));
      // and an uninterrupted run without the round trip gives the same too (nothing is lost in export)
      const third = createTrainer(settings as never);
      await third.stepAsync(a[0]!, b[0]!);
      await third.stepAsync(a[1]!, b[1]!);
      third.setLearningRate(1.5e-4);
      expect(await third.stepAsync(a[2]!, b[2]!)).toEqual(l1);
      // and the synchronous step is the same iteration (cpu and wasm read synchronously)
      if (tf.getBackend() !== 'webgpu') {
        const fourth = createTrainer(settings as never);
        fourth.step(a[0]!, b[0]!);
        fourth.step(a[1]!, b[1]!);
        fourth.setLearningRate(1.5e-4);
        expect(fourth.step(a[2]!, b[2]!)).toEqual(l1);
        fourth.dispose();
      }
      for (const t of [first, second, third]) t.dispose();
      tf.dispose([...a, ...b]);
    });

    it('recomputing the generator passes in the backward pass gives the same training, leaking nothing', async () => {
      const start = tf.memory().numTensors;
      const a = [batch(31), batch(32), batch(33), batch(34)];
      const b = [batch(41), batch(42), batch(43), batch(44)];
      const plain = createTrainer(settings as never);
      const recomputing = createTrainer(settings as never, { recompute: true });
      let afterFirst = -1;
      for (let i = 0; i < 4; i++) {
        const l1 = await plain.stepAsync(a[i]!, b[i]!);
        const l2 = await recomputing.stepAsync(a[i]!, b[i]!);
        for (const n of plain.lossNames) expect(l2[n], n).toBeCloseTo(l1[n]!, 4);
        // (The CycleGAN pools, size 2 here, are full from the second iteration on.)
        if (i === 1) afterFirst = tf.memory().numTensors;
      }
      expect(tf.memory().numTensors).toBe(afterFirst);
      const w1 = (await weightsOf(plain)).flat();
      const w2 = (await weightsOf(recomputing)).flat();
      let err = 0;
      for (let i = 0; i < w1.length; i++) err = Math.max(err, Math.abs(w1[i]! - w2[i]!));
      expect(err).toBeLessThan(1e-5);
      recomputing.dispose();
      plain.dispose();
      tf.dispose([...a, ...b]);
      expect(tf.memory().numTensors).toBe(start);
    });

    it('refuses a state from another kind of model', async () => {
      const t = createTrainer(settings as never);
      const state = await t.exportState();
      const other = createTrainer({ ...tiny, model: model === 'cyclegan' ? 'pix2pix' : 'cyclegan' });
      expect(() => other.importState(state)).toThrow(/This training state is for/);
      const wider = createTrainer({ ...settings, ngf: 8 } as never);
      expect(() => wider.importState(state)).toThrow(/ngf = 4/);
      for (const x of [t, other, wider]) x.dispose();
    });

    it('translate runs in inference mode and leaves the inputs alone', async () => {
      const t = createTrainer(settings as never);
      const x = batch(3, 32);
      const y1 = t.translate(x, 'AtoB');
      const y2 = t.translate(x, 'AtoB');
      expect(y1.shape).toEqual([1, 32, 32, 3]);
      // Inference is deterministic (no dropout) and within tanh's range.
      const v1 = await values(y1);
      expect(v1).toEqual(await values(y2));
      expect(Math.max(...Array.from(v1).map(Math.abs))).toBeLessThanOrEqual(1);
      expect(x.isDisposed).toBe(false);
      tf.dispose([x, y1, y2]);
      t.dispose();
    }, 240_000); // a new input size compiles new shaders: slow on a software WebGPU adapter
  });
}
