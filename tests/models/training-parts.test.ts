import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend.js';
import { Adam } from '../../models/adam.js';
import { loadModel, saveModelArtifacts, weightBytes } from '../../models/io.js';
import {
  bceWithLogits,
  cycleLoss,
  ganLoss,
  identityLoss,
  l1Loss,
  l2NormalizeRows,
  patchNceLoss,
} from '../../models/losses.js';
import { buildGenerator, unetGenerator } from '../../models/networks.js';
import { ImagePool } from '../../models/pool.js';
import { Rng } from '../../models/rng.js';
import { packTensors, unpackTensors } from '../../models/state.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});

const scalar = (f: () => tf.Scalar) => tf.tidy(() => f().dataSync()[0]!);

describe('losses', () => {
  const pred = () => tf.tensor([0.5, -1, 2]);
  it('LSGAN is the mean squared distance to 1 (real) or 0 (fake)', () => {
    expect(scalar(() => ganLoss('lsgan', pred(), true))).toBeCloseTo((0.25 + 4 + 1) / 3, 6);
    expect(scalar(() => ganLoss('lsgan', pred(), false))).toBeCloseTo((0.25 + 1 + 4) / 3, 6);
  });
  it('vanilla is BCE with logits, stable for large logits', () => {
    const bce = (x: number, t: number) =>
      -(t * Math.log(1 / (1 + Math.exp(-x))) + (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-x))));
    expect(scalar(() => ganLoss('vanilla', pred(), true))).toBeCloseTo((bce(0.5, 1) + bce(-1, 1) + bce(2, 1)) / 3, 5);
    expect(scalar(() => ganLoss('vanilla', pred(), false))).toBeCloseTo((bce(0.5, 0) + bce(-1, 0) + bce(2, 0)) / 3, 5);
    expect(scalar(() => bceWithLogits(tf.tensor([200]), 1))).toBeCloseTo(0, 6);
    expect(scalar(() => bceWithLogits(tf.tensor([-200]), 1))).toBeCloseTo(200, 3);
  });
  it('hinge: relu(1 ∓ D) for the discriminator, −mean(D) for the generator', () => {
    expect(scalar(() => ganLoss('hinge', pred(), true))).toBeCloseTo((0.5 + 2 + 0) / 3, 6);
    expect(scalar(() => ganLoss('hinge', pred(), false))).toBeCloseTo((1.5 + 0 + 3) / 3, 6);
    expect(scalar(() => ganLoss('hinge', pred(), true, false))).toBeCloseTo(-0.5, 6);
    expect(() => ganLoss('hinge', pred(), false, false)).toThrow(/generator/);
    expect(() => ganLoss('wgan' as never, pred(), true)).toThrow(/Unknown GAN loss.*lsgan, vanilla, hinge/);
  });
  it('L1, cycle and identity scale the mean absolute error', () => {
    const a = () => tf.tensor([1, 2, 3]);
    const b = () => tf.tensor([1, 0, 4]);
    expect(scalar(() => l1Loss(a(), b()))).toBeCloseTo(1, 6);
    expect(scalar(() => cycleLoss(a(), b(), 10))).toBeCloseTo(10, 5);
    expect(scalar(() => identityLoss(a(), b(), 10, 0.5))).toBeCloseTo(5, 5);
  });
});

describe('PatchNCE', () => {
  // Rows of q and k: batch 2 × 3 patches × 4 channels, L2-normalised as the trainer feeds them.
  const rows = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 6 }, () => Array.from({ length: 4 }, () => rng.normal()));
  };
  const unit = (m: number[][]) => m.map((r) => r.map((v) => v / Math.hypot(...r)));

  it('equals the paper’s cross-entropy written out (positive: same patch; negatives: the other patches of the same image)', () => {
    const q = unit(rows(1));
    const k = unit(rows(2));
    const tau = 0.07;
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    let expected = 0;
    for (let img = 0; img < 2; img++) {
      for (let s = 0; s < 3; s++) {
        const qs = q[img * 3 + s]!;
        const pos = Math.exp(dot(qs, k[img * 3 + s]!) / tau);
        let neg = 0;
        for (let n = 0; n < 3; n++) if (n !== s) neg += Math.exp(dot(qs, k[img * 3 + n]!) / tau);
        neg += Math.exp(-10 / tau); // the reference fills the diagonal with −10, not −∞
        expected += -Math.log(pos / (pos + neg));
      }
    }
    expected /= 6;
    const got = scalar(() => patchNceLoss(tf.tensor2d(q), tf.tensor2d(k), 2, tau));
    expect(got).toBeCloseTo(expected, 3);
    // Matching patches make the loss small; shuffled ones make it large.
    const same = scalar(() => patchNceLoss(tf.tensor2d(k), tf.tensor2d(k), 2, tau));
    expect(same).toBeLessThan(got);
  });

  it('its gradient matches finite differences (through the L2 normalisation)', () => {
    const k = tf.tensor2d(unit(rows(4)));
    const x0 = rows(3).flat();
    const f = (x: tf.Tensor) => patchNceLoss(l2NormalizeRows(tf.reshape(x, [6, 4]) as tf.Tensor2D), k, 2, 0.5);
    const analytic = tf.tidy(() => tf.grad(f)(tf.tensor1d(x0)).dataSync());
    const eps = 1e-2;
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < x0.length; i++) {
      const plus = Float32Array.from(x0);
      const minus = Float32Array.from(x0);
      plus[i]! += eps;
      minus[i]! -= eps;
      const numeric = (scalar(() => f(tf.tensor1d(plus))) - scalar(() => f(tf.tensor1d(minus)))) / (2 * eps);
      worst = Math.max(worst, Math.abs(numeric - analytic[i]!));
      scale = Math.max(scale, Math.abs(analytic[i]!));
    }
    expect(scale).toBeGreaterThan(1e-3);
    expect(worst / scale).toBeLessThan(2e-2);
    k.dispose();
  });

  it('its written-out gradient equals autodiff of the plain formulation (q·kᵀ, −10 diagonal, logsumexp)', () => {
    const rng = new Rng(9);
    const [batch, patches, dim, tau] = [2, 5, 4, 0.07];
    const make = () =>
      tf.tidy(() =>
        l2NormalizeRows(
          tf.tensor2d(
            Array.from({ length: batch * patches * dim }, () => rng.normal()),
            [batch * patches, dim],
          ),
        ),
      );
    const q = make();
    const k = make();
    const plain = (x: tf.Tensor) => {
      const q3 = tf.reshape(x, [batch, patches, dim]);
      const k3 = tf.reshape(k, [batch, patches, dim]);
      const positive = tf.reshape(tf.sum(tf.mul(x, k), 1), [batch, patches, 1]);
      const all = tf.matMul(q3, k3, false, true);
      const eye = tf.reshape(tf.eye(patches), [1, patches, patches]);
      const negatives = tf.add(tf.mul(all, tf.sub(1, eye)), tf.mul(eye, -10));
      const logits = tf.div(tf.concat([positive, negatives], 2), tau);
      const first = tf.reshape(tf.slice(logits, [0, 0, 0], [-1, -1, 1]), [batch, patches]);
      return tf.mean(tf.sub(tf.logSumExp(logits, 2), first)) as tf.Scalar;
    };
    const ours = (x: tf.Tensor) => patchNceLoss(x as tf.Tensor2D, k, batch, tau);
    expect(scalar(() => ours(q))).toBeCloseTo(
      scalar(() => plain(q)),
      4,
    );
    const a = tf.tidy(() => tf.grad(ours)(q).dataSync());
    const b = tf.tidy(() => tf.grad(plain)(q).dataSync());
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
    tf.dispose([q, k]);
  });

  it('an all-zero feature row (every ReLU of the head off) has a finite gradient, not NaN', () => {
    const g = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(l2NormalizeRows(x as tf.Tensor2D), tf.ones([2, 3]))))(
          tf.tensor2d([
            [0, 0, 0],
            [1, 2, 2],
          ]),
        )
        .dataSync(),
    );
    for (const v of g) expect(Number.isFinite(v)).toBe(true);
    expect(scalar(() => tf.sum(l2NormalizeRows(tf.tensor2d([[3, 4]]))) as tf.Scalar)).toBeCloseTo(1.4, 5);
  });

  it('refuses mismatched inputs and a bad temperature', () => {
    const a = tf.zeros([6, 4]) as tf.Tensor2D;
    const b = tf.zeros([6, 3]) as tf.Tensor2D;
    expect(() => patchNceLoss(a, b, 2, 0.07)).toThrow(/same shape/);
    expect(() => patchNceLoss(a, a, 4, 0.07)).toThrow(/do not split into 4 images/);
    expect(() => patchNceLoss(a, a, 2, 0)).toThrow(/temperature must be above 0/);
    tf.dispose([a, b]);
  });
});

describe('Rng', () => {
  it('is reproducible from its state and well spread', () => {
    const r = new Rng(42);
    r.uint32();
    const state = r.getState();
    const a = [r.next(), r.next(), r.int(0, 9), r.normal()];
    const r2 = new Rng(0);
    r2.setState(state);
    expect([r2.next(), r2.next(), r2.int(0, 9), r2.normal()]).toEqual(a);
    const xs = Array.from({ length: 10_000 }, () => r.next());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Rng(1).next()).not.toBe(new Rng(2).next());
    expect(() => r.setState(-1)).toThrow(/unsigned 32-bit/);
  });
});

describe('image pool', () => {
  const image = (v: number) => tf.fill([1, 2, 2, 1], v) as tf.Tensor4D;
  const valuesOf = (t: tf.Tensor) => Array.from(t.dataSync()).filter((_, i) => i % 4 === 0);

  it('stores and returns images until full, then swaps about half for stored ones', () => {
    const rng = new Rng(3);
    const pool = new ImagePool(3, rng);
    const before = tf.memory().numTensors;
    for (let v = 0; v < 3; v++) {
      const x = image(v);
      const out = pool.query(x);
      expect(valuesOf(out)).toEqual([v]);
      out.dispose();
      x.dispose();
    }
    expect(pool.count).toBe(3);
    let fromPool = 0;
    const seen = new Set<number>();
    for (let v = 3; v < 203; v++) {
      const x = image(v);
      const out = pool.query(x);
      const got = valuesOf(out)[0]!;
      if (got !== v) {
        fromPool++;
        expect(got).toBeLessThan(v);
        expect(seen.has(got)).toBe(false); // a stored image is handed out once, when swapped out
        seen.add(got);
      }
      out.dispose();
      x.dispose();
    }
    expect(fromPool).toBeGreaterThan(70);
    expect(fromPool).toBeLessThan(130);
    expect(pool.count).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 3);
    pool.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('handles batches image by image and passes through at size 0', () => {
    const pool = new ImagePool(0, new Rng(1));
    const x = tf.concat([image(1), image(2)]) as tf.Tensor4D;
    const out = pool.query(x);
    expect(valuesOf(out)).toEqual([1, 2]);
    tf.dispose([x, out]);
    const p2 = new ImagePool(50, new Rng(1));
    const y = tf.concat([image(5), image(6)]) as tf.Tensor4D;
    const out2 = p2.query(y);
    expect(valuesOf(out2)).toEqual([5, 6]);
    expect(p2.count).toBe(2);
    tf.dispose([y, out2]);
    p2.dispose();
    expect(() => new ImagePool(-1, new Rng(1))).toThrow(/pool size/);
  });
});

describe('Adam', () => {
  it('matches a hand-computed PyTorch Adam update', () => {
    const v = tf.variable(tf.tensor1d([1, -2]));
    const adam = new Adam([v], { lr: 0.1, beta1: 0.5, beta2: 0.999 });
    // Two steps with gradients g1 = [1, 2], g2 = [3, -1], in closed form.
    const grads = [
      [1, 2],
      [3, -1],
    ];
    const want = [1, -2];
    const m = [0, 0];
    const s2 = [0, 0];
    grads.forEach((g, t) => {
      const gt = tf.tensor1d(g);
      adam.apply([gt]);
      gt.dispose();
      for (let i = 0; i < 2; i++) {
        m[i] = 0.5 * m[i]! + 0.5 * g[i]!;
        s2[i] = 0.999 * s2[i]! + 0.001 * g[i]! ** 2;
        const mh = m[i]! / (1 - 0.5 ** (t + 1));
        const vh = s2[i]! / (1 - 0.999 ** (t + 1));
        want[i] = want[i]! - (0.1 * mh) / (Math.sqrt(vh) + 1e-8);
      }
    });
    const got = Array.from(v.dataSync());
    for (const [i, x] of got.entries()) expect(x).toBeCloseTo(want[i]!, 5);
    expect(adam.step).toBe(2);
    adam.dispose();
    v.dispose();
  });
});

describe('Adam over flat chunks', () => {
  it('updates every variable as its own Adam would, across chunks, with a missing gradient, and restores', () => {
    const shapes = [[2, 3], [4], [3, 1, 2], [5]];
    const start = tf.memory().numTensors;
    const init = shapes.map((s, i) =>
      Array.from({ length: s.reduce((a, b) => a * b, 1) }, (_, k) => (i + 1) * 0.1 - k * 0.05),
    );
    const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(init[i]!, s))));
    // 6 + 4 | 6 | 5 values: three chunks at 10 values a chunk.
    const adam = new Adam(vars, { lr: 0.01, beta1: 0.5, beta2: 0.999, chunkElements: 10 });
    expect(adam.chunkCount).toBe(3);
    const want = init.map((a) => [...a]);
    const m = init.map((a) => a.map(() => 0));
    const s2 = init.map((a) => a.map(() => 0));
    for (let t = 1; t <= 3; t++) {
      // Variable 1 gets no gradient at step 2: it and its moments stay as they are.
      const g = init.map((a, i) => (t === 2 && i === 1 ? undefined : a.map((_, k) => Math.sin(t * 7 + i * 3 + k))));
      const gt = g.map((x, i) => (x ? tf.tensor(x, shapes[i]!) : undefined));
      adam.apply(gt);
      tf.dispose(gt.filter((x): x is tf.Tensor => !!x));
      g.forEach((gi, i) => {
        if (!gi) return;
        gi.forEach((gk, k) => {
          m[i]![k] = 0.5 * m[i]![k]! + 0.5 * gk;
          s2[i]![k] = 0.999 * s2[i]![k]! + 0.001 * gk ** 2;
          want[i]![k] =
            want[i]![k]! - (0.01 * m[i]![k]!) / (1 - 0.5 ** t) / (Math.sqrt(s2[i]![k]! / (1 - 0.999 ** t)) + 1e-8);
        });
      });
    }
    vars.forEach((v, i) => {
      for (const [k, x] of Array.from(v.dataSync()).entries()) expect(x).toBeCloseTo(want[i]![k]!, 6);
    });
    // moments() gives one m and one v per variable, shaped like it; restore() puts them back.
    const moments = adam.moments();
    expect(moments.map((t) => t.shape)).toEqual([...shapes, ...shapes]);
    moments.slice(0, 4).forEach((t, i) => {
      for (const [k, x] of Array.from(t.dataSync()).entries()) expect(x).toBeCloseTo(m[i]![k]!, 6);
    });
    const other = new Adam(vars, { lr: 0.01, beta1: 0.5, beta2: 0.999 });
    expect(other.chunkCount).toBe(1);
    other.restore(adam.step, moments);
    const again = other.moments();
    for (const [i, t] of again.entries()) expect(Array.from(t.dataSync())).toEqual(Array.from(moments[i]!.dataSync()));
    expect(() => other.restore(1, moments.slice(1))).toThrow(/7 moments, expected 8/);
    tf.dispose([...moments, ...again]);
    adam.dispose();
    other.dispose();
    tf.dispose(vars);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('state packing', () => {
  it('round-trips tensors and refuses truncated data', async () => {
    const a = tf.tensor([1.5, -2], [2]);
    const b = tf.tensor([[7]], [1, 1], 'int32');
    const packed = await packTensors([
      { name: 'a', tensor: a },
      { name: 'b', tensor: b },
    ]);
    expect(JSON.parse(JSON.stringify(packed.tensors))).toEqual(packed.tensors);
    const back = unpackTensors(packed);
    expect(Array.from(back.get('a')!.dataSync())).toEqual([1.5, -2]);
    expect(back.get('b')!.dtype).toBe('int32');
    expect(back.get('b')!.shape).toEqual([1, 1]);
    const before = tf.memory().numTensors;
    expect(() => unpackTensors({ tensors: packed.tensors, data: packed.data.slice(0, 8) })).toThrow(/truncated/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, ...back.values()]);
  });
});

describe('saving and loading generators', () => {
  for (const [name, build] of [
    [
      'tiny ResNet (instance norm, reflection padding, cropped transposed convs)',
      () => buildGenerator('tiny', { ngf: 4, seed: 9 }),
    ],
    [
      'anti-aliased tiny ResNet (CUT: blur downsampling and upsampling layers)',
      () => buildGenerator('tiny', { ngf: 4, seed: 9, antialias: true }),
    ],
    [
      'U-Net with batch norm and dropout',
      () => unetGenerator({ ngf: 2, downsamplings: 5, norm: 'batch', dropout: true, seed: 9 }),
    ],
  ] as const) {
    it(`${name}: save → load in a new model gives identical outputs`, async () => {
      const model = build();
      const artifacts = await saveModelArtifacts(model);
      expect(weightBytes(artifacts).byteLength).toBeGreaterThan(0);
      // Through JSON, as main will write model.json, so no live object survives.
      const json = JSON.parse(
        JSON.stringify({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }),
      );
      const loaded = await loadModel({ ...json, weightData: weightBytes(artifacts).slice(0) });
      expect(loaded).not.toBe(model);
      const [a, b] = tf.tidy(() => {
        const x = tf.randomUniform([1, 32, 64, 3], -1, 1, 'float32', 4);
        return [(model.predict(x) as tf.Tensor).dataSync(), (loaded.predict(x) as tf.Tensor).dataSync()];
      });
      expect(Array.from(b!)).toEqual(Array.from(a!));
      model.dispose();
      loaded.dispose();
    });
  }

  it('a broken model file is refused', async () => {
    await expect(loadModel({ modelTopology: { nonsense: true } } as never)).rejects.toThrow();
  });
});
