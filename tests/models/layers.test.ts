import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import {
  BlurDownsample,
  BlurUpsample,
  blurDownsample,
  blurUpsample,
  CropTopLeft,
  InstanceNorm,
  instanceNorm,
  ReflectionPad2d,
  reflectPad,
  SeededDropout,
  samplePatches,
} from '../../models/layers.js';
import { resnetGenerator, unetGenerator } from '../../models/networks.js';
import { Rng } from '../../models/rng.js';
import { onTestBackend, tidyValues, values } from '../support/backend.js';

// On cpu by default; DUET_TEST_BACKEND=webgpu (or wasm) runs the same checks there. Every read is
// asynchronous: webgpu has no synchronous read in Node.
onTestBackend();

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** Central finite differences of scalar f at x, every element. */
async function finiteDifferences(
  f: (x: tf.Tensor) => tf.Scalar,
  x: Float32Array,
  shape: number[],
  eps = 1e-2,
): Promise<Float32Array> {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = Float32Array.from(x);
    const minus = Float32Array.from(x);
    plus[i]! += eps;
    minus[i]! -= eps;
    const fp = (await tidyValues(() => f(tf.tensor(plus, shape))))[0]!;
    const fm = (await tidyValues(() => f(tf.tensor(minus, shape))))[0]!;
    out[i] = (fp - fm) / (2 * eps);
  }
  return out;
}

function analytic(f: (x: tf.Tensor) => tf.Scalar, x: Float32Array, shape: number[]): Promise<Float32Array> {
  return tidyValues(() => tf.grad(f)(tf.tensor(x, shape)));
}

function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

describe('reflection padding', () => {
  it('matches hand-computed values', async () => {
    const padded = tf.tidy(() => reflectPad(tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]), 1));
    const y = await padded.array();
    padded.dispose();
    // Rows r1 r0 r1 r0 (the edge row is not repeated), columns c1 c0 c1 c2 c1.
    expect(y[0]!.map((row) => row.map((c) => c[0]))).toEqual([
      [5, 4, 5, 6, 5],
      [2, 1, 2, 3, 2],
      [5, 4, 5, 6, 5],
      [2, 1, 2, 3, 2],
    ]);
  });

  it('its gradient matches finite differences (p = 1, 2, 3; non-square)', async () => {
    for (const p of [1, 2, 3]) {
      const shape = [1, 5, 7, 2];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(n, p);
      const weights = tf.tensor(randomArray((5 + 2 * p) * (7 + 2 * p) * 2, 100 + p), [1, 5 + 2 * p, 7 + 2 * p, 2]);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(reflectPad(t as tf.Tensor4D, p), weights)) as tf.Scalar;
      const err = maxRelativeError(await analytic(f, x, shape), await finiteDifferences(f, x, shape));
      expect(err).toBeLessThan(1e-3);
      weights.dispose();
    }
  });

  it("tfjs's own mirrorPad gradient fails the same check (so the check can fail)", async () => {
    const shape = [1, 5, 6, 1];
    const x = randomArray(30, 3);
    const weights = tf.tensor(randomArray(7 * 8, 4), [1, 7, 8, 1]);
    const stock = (t: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.mirrorPad(
            t,
            [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ],
            'reflect',
          ),
          weights,
        ),
      ) as tf.Scalar;
    const err = maxRelativeError(await analytic(stock, x, shape), await finiteDifferences(stock, x, shape));
    expect(err).toBeGreaterThan(0.1);
    weights.dispose();
  });

  it('refuses padding as large as the image', () => {
    expect(() => tf.tidy(() => reflectPad(tf.zeros([1, 3, 3, 1]), 3))).toThrow(/larger than 3 px/);
  });
});

describe('instance norm', () => {
  it('matches hand-computed values (eps 1e-5, biased variance)', async () => {
    const y = await tidyValues(() => instanceNorm(tf.tensor4d([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2])));
    const expected = (v: number, mean: number, variance: number) => (v - mean) / Math.sqrt(variance + 1e-5);
    // channel 0: 1,2,3,4 (mean 2.5, var 1.25); channel 1: 10..40 (mean 25, var 125)
    const want = [
      expected(1, 2.5, 1.25),
      expected(10, 25, 125),
      expected(2, 2.5, 1.25),
      expected(20, 25, 125),
      expected(3, 2.5, 1.25),
      expected(30, 25, 125),
      expected(4, 2.5, 1.25),
      expected(40, 25, 125),
    ];
    for (const [i, v] of Array.from(y).entries()) expect(v).toBeCloseTo(want[i]!, 5);
  });

  it('normalises each sample on its own', async () => {
    const [meanT, varianceT] = tf.tidy(() => {
      const x = tf.concat([
        tf.randomNormal([1, 4, 4, 3], 5, 2, 'float32', 1),
        tf.randomNormal([1, 4, 4, 3], -3, 9, 'float32', 2),
      ]);
      const { mean, variance } = tf.moments(instanceNorm(x as tf.Tensor4D), [1, 2]);
      return [mean, variance];
    });
    const m0 = await values(meanT!);
    const m1 = await values(varianceT!);
    tf.dispose([meanT!, varianceT!]);
    for (const v of m0!) expect(Math.abs(v)).toBeLessThan(1e-5);
    for (const v of m1!) expect(v).toBeCloseTo(1, 3);
  });

  it('its gradient matches finite differences', async () => {
    const shape = [2, 3, 4, 2];
    const x = randomArray(48, 11);
    const weights = tf.tensor(randomArray(48, 12), shape);
    const f = (t: tf.Tensor) => tf.sum(tf.mul(instanceNorm(t as tf.Tensor4D), weights)) as tf.Scalar;
    const err = maxRelativeError(await analytic(f, x, shape), await finiteDifferences(f, x, shape, 1e-2));
    expect(err).toBeLessThan(2e-2);
    weights.dispose();
  });

  it('its fused gradient equals the gradient of the plain composite ops, leaving no tensors behind', async () => {
    const shape: [number, number, number, number] = [2, 5, 3, 4];
    const x = tf.tensor4d(randomArray(120, 31), shape);
    const dy = tf.tensor4d(randomArray(120, 32), shape);
    const plain = (t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, [1, 2], true);
      return tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5)));
    };
    const before = tf.memory().numTensors;
    const fused = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(instanceNorm(t as tf.Tensor4D), dy)))(x));
    expect(tf.memory().numTensors).toBe(before + 1);
    const reference = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(plain(t), dy)))(x));
    const a = await values(fused);
    const b = await values(reference);
    let err = 0;
    for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
    expect(err).toBeLessThan(1e-5);
    tf.dispose([x, dy, fused, reference]);
  });

  it('has no weights by default and gamma/beta when affine', () => {
    const plain = tfl.sequential({ layers: [new InstanceNorm({ inputShape: [4, 4, 3] } as never)] });
    expect(plain.countParams()).toBe(0);
    const affine = tfl.sequential({ layers: [new InstanceNorm({ affine: true, inputShape: [4, 4, 3] } as never)] });
    expect(affine.countParams()).toBe(6);
    plain.dispose();
    affine.dispose();
  });
});

describe('transposed convolution = PyTorch ConvTranspose2d(k3, s2, p1, output_padding 1)', () => {
  it('valid Conv2DTranspose + CropTopLeft equals the definition', async () => {
    const [h, w, cin, cout] = [3, 4, 2, 3];
    const x = randomArray(h * w * cin, 21);
    const kernel = randomArray(3 * 3 * cout * cin, 22); // tfjs layout [kh, kw, out, in]
    const bias = randomArray(cout, 23);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2dTranspose({
          filters: cout,
          kernelSize: 3,
          strides: 2,
          padding: 'valid',
          inputShape: [h, w, cin],
        }),
        new CropTopLeft({ crop: 1 }),
      ],
    });
    model.layers[0]!.setWeights([tf.tensor(kernel, [3, 3, cout, cin]), tf.tensor(bias, [cout])]);
    const out = tf.tidy(() => model.predict(tf.tensor(x, [1, h, w, cin])) as tf.Tensor);
    const y = (await out.array()) as number[][][][];
    out.dispose();
    expect([y[0]!.length, y[0]![0]!.length]).toEqual([2 * h, 2 * w]);
    // PyTorch: out[oy, ox] = b + Σ x[iy, ix] · k[ky, kx] over oy + 1 = 2·iy + ky, ox + 1 = 2·ix + kx.
    for (let oy = 0; oy < 2 * h; oy++) {
      for (let ox = 0; ox < 2 * w; ox++) {
        for (let co = 0; co < cout; co++) {
          let want = bias[co]!;
          for (let iy = 0; iy < h; iy++) {
            for (let ix = 0; ix < w; ix++) {
              const ky = oy + 1 - 2 * iy;
              const kx = ox + 1 - 2 * ix;
              if (ky < 0 || ky > 2 || kx < 0 || kx > 2) continue;
              for (let ci = 0; ci < cin; ci++) {
                want += x[(iy * w + ix) * cin + ci]! * kernel[((ky * 3 + kx) * cout + co) * cin + ci]!;
              }
            }
          }
          expect(y[0]![oy]![ox]![co]).toBeCloseTo(want, 4);
        }
      }
    }
    model.dispose();
  });

  it("CropTopLeft's gradient matches finite differences", async () => {
    const shape = [1, 4, 5, 1];
    const x = randomArray(20, 31);
    const weights = tf.tensor(randomArray(12, 32), [1, 3, 4, 1]);
    const crop = new CropTopLeft({ crop: 1 });
    const f = (t: tf.Tensor) => tf.sum(tf.mul(crop.apply(t) as tf.Tensor, weights)) as tf.Scalar;
    expect(maxRelativeError(await analytic(f, x, shape), await finiteDifferences(f, x, shape))).toBeLessThan(1e-3);
    weights.dispose();
  });
});

describe('seeded dropout', () => {
  it('drops about half in training with the same mask for the same seed, none in inference', async () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 5 });
    const x = tf.ones([1, 16, 16, 4]);
    const a = await tidyValues(() => layer.apply(x, { training: true }) as tf.Tensor);
    const b = await tidyValues(() => layer.apply(x, { training: true }) as tf.Tensor);
    layer.seed = 6;
    const c = await tidyValues(() => layer.apply(x, { training: true }) as tf.Tensor);
    const inference = await tidyValues(() => layer.apply(x, { training: false }) as tf.Tensor);
    x.dispose();
    const zeros = Array.from(a!).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(1024 * 0.4);
    expect(zeros).toBeLessThan(1024 * 0.6);
    expect(Array.from(a!).every((v) => v === 0 || v === 2)).toBe(true);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
    expect(Array.from(inference!).every((v) => v === 1)).toBe(true);
  });
});

describe('whole networks', () => {
  /** Gradient of sum(G(x)·R) for every trainable weight. */
  async function weightGradients(model: tfl.LayersModel, inputShape: number[]): Promise<Map<string, Float32Array>> {
    const kept = new Map<string, tf.Tensor>();
    tf.tidy(() => {
      const x = tf.randomNormal(inputShape, 0, 1, 'float32', 1);
      const r = tf.randomNormal([...inputShape.slice(0, 3), 3], 0, 1, 'float32', 2);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
        vars,
      );
      model.trainableWeights.forEach((w, i) => {
        kept.set(w.name, tf.keep(grads[vars[i]!.name]!));
      });
    });
    const out = new Map<string, Float32Array>();
    for (const [name, g] of kept) out.set(name, await values(g));
    tf.dispose([...kept.values()]);
    return out;
  }

  it('gradients reach every trainable weight (batch norm: all non-zero)', async () => {
    const model = unetGenerator({ ngf: 2, downsamplings: 5, norm: 'batch' });
    const grads = await weightGradients(model, [2, 32, 32, 3]);
    expect(grads.size).toBe(model.trainableWeights.length);
    for (const [name, g] of grads)
      expect(
        Array.from(g).some((v) => v !== 0),
        name,
      ).toBe(true);
    model.dispose();
  });

  it('gradients reach every kernel under instance norm (biases before a norm are dead, as in the reference)', async () => {
    const model = resnetGenerator({ ngf: 2, blocks: 1 });
    const grads = await weightGradients(model, [1, 16, 16, 3]);
    for (const [name, g] of grads) {
      if (name.endsWith('kernel'))
        expect(
          Array.from(g).some((v) => v !== 0),
          name,
        ).toBe(true);
    }
    model.dispose();
  });

  it('the ResNet generator’s weight gradients match finite differences', async () => {
    const model = resnetGenerator({ ngf: 2, blocks: 1, seed: 3 });
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 5);
    const r = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 6);
    const loss = () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar;
    const grads = await weightGradients(model, [1, 8, 8, 3]);
    // weightGradients uses its own seeded x and r; recompute here with ours.
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ownTensors = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(loss, vars);
      return vars.map((v) => g[v.name]!);
    });
    const own = await Promise.all(ownTensors.map(values));
    tf.dispose(ownTensors);
    expect(grads.size).toBe(vars.length);
    // Check the largest-gradient element of each kernel (the first layer's kernel touches the padding).
    let checked = 0;
    for (const [i, v] of vars.entries()) {
      if (!model.trainableWeights[i]!.name.endsWith('kernel')) continue;
      const g = own[i]!;
      let k = 0;
      for (let j = 1; j < g.length; j++) if (Math.abs(g[j]!) > Math.abs(g[k]!)) k = j;
      const original = await values(v);
      // Instance norm over 2×2 maps is strongly curved: a small step is needed (measured: 1e-2 is 50% off).
      const eps = 1e-3;
      const at = async (delta: number) => {
        const changed = Float32Array.from(original);
        changed[k]! += delta;
        tf.tidy(() => v.assign(tf.tensor(changed, v.shape)));
        return (await tidyValues(loss))[0]!;
      };
      const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(original, v.shape)));
      expect(Math.abs(fd - g[k]!) / Math.abs(g[k]!), model.trainableWeights[i]!.name).toBeLessThan(6e-2);
      checked++;
    }
    expect(checked).toBe(8);
    x.dispose();
    r.dispose();
    model.dispose();
  });
});

/** Plain-loop H×W×C images (one image) for the blur definitions. */
type Image = number[][][];
function toImage(x: Float32Array, h: number, w: number, c: number): Image {
  return Array.from({ length: h }, (_, i) =>
    Array.from({ length: w }, (_, j) => Array.from({ length: c }, (_, k) => x[(i * w + j) * c + k]!)),
  );
}

/** The reference's Downsample(channels, 'reflect', filt 3, stride 2), by its definition. */
function referenceDownsample(x: Image): Image {
  const h = x.length;
  const w = x[0]!.length;
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const a = [1, 2, 1];
  const out: Image = [];
  for (let oi = 0; oi < Math.floor((h + 2 - 3) / 2) + 1; oi++) {
    const row: number[][] = [];
    for (let oj = 0; oj < Math.floor((w + 2 - 3) / 2) + 1; oj++) {
      row.push(
        x[0]![0]!.map((_, c) => {
          let s = 0;
          for (let u = 0; u < 3; u++) {
            for (let v = 0; v < 3; v++)
              s += (a[u]! * a[v]! * x[refl(2 * oi + u - 1, h)]![refl(2 * oj + v - 1, w)]![c]!) / 16;
          }
          return s;
        }),
      );
    }
    out.push(row);
  }
  return out;
}

/**
 * The reference's Upsample(channels, 'repl', filt 4, stride 2), by its definition: replicate-pad 1,
 * conv_transpose2d(stride 2, padding 2) with [1,3,3,1]⊗[1,3,3,1]/64·4, then [1:, 1:] and [:-1, :-1].
 */
function referenceUpsample(x: Image): Image {
  const h = x.length;
  const w = x[0]!.length;
  const c = x[0]![0]!.length;
  const a = [1, 3, 3, 1];
  const ph = h + 2;
  const pw = w + 2;
  const padded = (i: number, j: number) =>
    x[Math.min(h - 1, Math.max(0, i - 1))]![Math.min(w - 1, Math.max(0, j - 1))]!;
  // Full transposed convolution: (ph − 1)·2 + 4 per side, then PyTorch's padding 2 removes 2 each side.
  const fh = (ph - 1) * 2 + 4;
  const fw = (pw - 1) * 2 + 4;
  const full = Array.from({ length: fh }, () => Array.from({ length: fw }, () => new Array<number>(c).fill(0)));
  for (let i = 0; i < ph; i++) {
    for (let j = 0; j < pw; j++) {
      for (let u = 0; u < 4; u++) {
        for (let v = 0; v < 4; v++) {
          for (let k = 0; k < c; k++) full[2 * i + u]![2 * j + v]![k]! += (a[u]! * a[v]! * 4 * padded(i, j)[k]!) / 64;
        }
      }
    }
  }
  // padding 2, then [1:], then [:-1]: rows 3 .. 3 + 2h.
  return full.slice(3, 3 + 2 * h).map((row) => row.slice(3, 3 + 2 * w));
}

function closeImages(a: Image, b: Image): number {
  let worst = 0;
  a.forEach((row, i) => {
    row.forEach((px, j) => {
      px.forEach((v, k) => {
        worst = Math.max(worst, Math.abs(v - b[i]![j]![k]!));
      });
    });
  });
  return worst;
}

describe('anti-aliasing blurs (CUT)', () => {
  for (const [h, w] of [
    [6, 8],
    [7, 5],
  ] as const) {
    it(`downsampling equals the reference's definition (${h}×${w})`, async () => {
      const x = randomArray(h * w * 2, h);
      const y = tf.tidy(() => blurDownsample(tf.tensor4d(x, [1, h, w, 2])));
      const got = toImage(await values(y), y.shape[1], y.shape[2], 2);
      expect(y.shape).toEqual([1, Math.ceil(h / 2), Math.ceil(w / 2), 2]);
      expect(closeImages(got, referenceDownsample(toImage(x, h, w, 2)))).toBeLessThan(1e-5);
      y.dispose();
    });

    it(`upsampling equals the reference's definition (${h}×${w})`, async () => {
      const x = randomArray(h * w * 2, 10 + h);
      const y = tf.tidy(() => blurUpsample(tf.tensor4d(x, [1, h, w, 2])));
      expect(y.shape).toEqual([1, 2 * h, 2 * w, 2]);
      const got = toImage(await values(y), 2 * h, 2 * w, 2);
      expect(closeImages(got, referenceUpsample(toImage(x, h, w, 2)))).toBeLessThan(1e-5);
      y.dispose();
    });
  }

  it('their gradients match finite differences', async () => {
    for (const [name, op, grow] of [
      ['down', blurDownsample, 0.5],
      ['up', blurUpsample, 2],
    ] as const) {
      const shape = [1, 5, 6, 2];
      const n = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(n, 7);
      const outShape = [1, Math.ceil(5 * grow), Math.ceil(6 * grow), 2];
      const weights = tf.tensor(
        randomArray(
          outShape.reduce((a, b) => a * b, 1),
          8,
        ),
        outShape,
      );
      const f = (t: tf.Tensor) => tf.sum(tf.mul(op(t as tf.Tensor4D), weights)) as tf.Scalar;
      const err = maxRelativeError(await analytic(f, x, shape), await finiteDifferences(f, x, shape));
      expect(err, name).toBeLessThan(1e-2);
      weights.dispose();
    }
  });

  it('the layers have no weights and keep unknown sizes open', () => {
    const input = tfl.input({ shape: [null, null, 4] });
    const down = new BlurDownsample({});
    const up = new BlurUpsample({});
    const out = up.apply(down.apply(input)) as tfl.SymbolicTensor;
    expect(out.shape).toEqual([null, null, null, 4]);
    expect(down.countParams() + up.countParams()).toBe(0);
    expect(down.computeOutputShape([1, 7, 8, 3])).toEqual([1, 4, 4, 3]);
  });
});

describe('patch sampling (CUT)', () => {
  it('picks the feature vectors at the given locations, image by image, and its gradient is gather’s', async () => {
    const x = randomArray(2 * 3 * 4 * 5, 12);
    const ids = Int32Array.from([7, 0, 11, 4]);
    const feat = tf.tensor4d(x, [2, 3, 4, 5]);
    const picked = await values(tf.tidy(() => samplePatches(feat, ids)));
    // image 1, location 11 (row 2, column 3), channel 2:
    expect(picked[(4 + 2) * 5 + 2]).toBeCloseTo(x[(12 + 11) * 5 + 2]!, 6);
    const weights = tf.tensor2d(randomArray(8 * 5, 13), [8, 5]);
    const ours = await tidyValues(() =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(samplePatches(t as tf.Tensor4D, ids), weights)))(feat),
    );
    const gathers = await tidyValues(() =>
      tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.reshape(tf.gather(tf.reshape(t, [2, 12, 5]), tf.tensor1d(ids, 'int32'), 1), [8, 5]), weights)),
      )(feat),
    );
    expect(Array.from(ours)).toEqual(Array.from(gathers));
    expect(() => samplePatches(feat, Int32Array.from([12]))).toThrow(/outside 3×4/);
    tf.dispose([feat, weights]);
  });
});

describe('serialization', () => {
  it('custom layers round-trip through their config', () => {
    const pad = new ReflectionPad2d({ padding: 2 });
    expect(pad.getConfig().padding).toBe(2);
    const norm = new InstanceNorm({ affine: true });
    expect(norm.getConfig()).toMatchObject({ affine: true, epsilon: 1e-5 });
  });
});
