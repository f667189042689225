import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../main/engine/backend.js';
import {
  applyPatchHead,
  buildDiscriminator,
  buildGenerator,
  buildGeneratorWithLayers,
  countParameters,
  generatorFeatures,
  generatorMultiple,
  initXavier,
  patchDiscriminator,
  patchMlpHead,
  pixelDiscriminator,
  resnetGenerator,
  resnetLayerCount,
  unetGenerator,
} from '../../models/networks.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});

function withModel<T>(build: () => tfl.LayersModel, fn: (m: tfl.LayersModel) => T): T {
  const m = build();
  try {
    return fn(m);
  } finally {
    m.dispose();
  }
}

function outputShape(m: tfl.LayersModel, shape: number[]): number[] {
  return tf.tidy(() => (m.predict(tf.zeros(shape)) as tf.Tensor).shape);
}

describe('parameter counts equal the reference (DESIGN.md §4)', () => {
  const cases: Array<[string, () => tfl.LayersModel, number]> = [
    ['ResNet 9 blocks, instance norm', () => buildGenerator('resnet_9blocks', { norm: 'instance' }), 11_378_179],
    ['ResNet 6 blocks, instance norm', () => buildGenerator('resnet_6blocks', { norm: 'instance' }), 7_837_699],
    ['U-Net 256, batch norm', () => buildGenerator('unet_256', { norm: 'batch', dropout: true }), 54_413_955],
    ['U-Net 128, batch norm', () => buildGenerator('unet_128', { norm: 'batch', dropout: true }), 41_828_995],
    ['PatchGAN 70×70, 3 channels, instance norm', () => buildDiscriminator('basic', { norm: 'instance' }), 2_764_737],
    [
      'PatchGAN 70×70, 6 channels, batch norm',
      () => buildDiscriminator('basic', { inputChannels: 6, norm: 'batch' }),
      2_768_705,
    ],
  ];
  for (const [name, build, expected] of cases) {
    it(name, () => {
      withModel(build, (m) => expect(countParameters(m)).toBe(expected));
    });
  }

  it('CUT: anti-aliased ResNet 9 blocks as the reference (the blurs hold no parameters)', () => {
    withModel(
      () => buildGenerator('resnet_9blocks', { norm: 'instance', antialias: true }),
      (m) => expect(countParameters(m)).toBe(11_378_179),
    );
  });

  it('CUT: anti-aliased PatchGAN 70×70 as the reference', () => {
    withModel(
      () => buildDiscriminator('basic', { norm: 'instance', antialias: true }),
      (m) => expect(countParameters(m)).toBe(2_764_737),
    );
  });

  it('CUT: applyPatchHead is the head’s own function, with the same gradients', () => {
    const [head] = patchMlpHead([5], 7, 3);
    const h = head!;
    const vars = h.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 11) as tf.Tensor2D;
    const weights = tf.randomNormal([6, 7], 0, 1, 'float32', 12);
    const loss = (f: (t: tf.Tensor2D) => tf.Tensor) => () => tf.sum(tf.mul(f(x), weights)) as tf.Scalar;
    // Large enough weights that some ReLUs are on and some off.
    for (const v of vars) v.assign(tf.randomNormal(v.shape, 0, 0.7, 'float32', v.shape.length * 5));
    const ours = tf.variableGrads(
      loss((t) => applyPatchHead(h, t)),
      vars,
    );
    const theirs = tf.variableGrads(
      loss((t) => h.apply(t) as tf.Tensor),
      vars,
    );
    expect(ours.value.dataSync()[0]).toBeCloseTo(theirs.value.dataSync()[0]!, 4);
    for (const v of vars) {
      const a = ours.grads[v.name]!.dataSync();
      const b = theirs.grads[v.name]!.dataSync();
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 4);
    }
    const dx = tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(applyPatchHead(h, t as tf.Tensor2D), weights)))(x)
      .dataSync();
    const dxRef = tf
      .grad((t: tf.Tensor) => tf.sum(tf.mul(h.apply(t) as tf.Tensor, weights)))(x)
      .dataSync();
    for (let i = 0; i < dx.length; i++) expect(dx[i]).toBeCloseTo(dxRef[i]!, 4);
    tf.dispose([x, weights, ours.value, theirs.value, ...Object.values(ours.grads), ...Object.values(theirs.grads)]);
    h.dispose();
  });

  it('CUT: the projection head on layers 0,4,8,12,16 (channels 3, 128, 256, 256, 256) has 560,384', () => {
    const built = buildGeneratorWithLayers('resnet_9blocks', { antialias: true });
    const features = generatorFeatures(built, [0, 4, 8, 12, 16]);
    const channels = features.outputs.map((o) => o.shape[3] as number);
    expect(channels).toEqual([3, 128, 256, 256, 256]);
    const head = patchMlpHead(channels, 256);
    expect(head.reduce((n, h) => n + countParameters(h), 0)).toBe(560_384);
    for (const h of head) h.dispose();
    built.model.dispose(); // the features model shares its layers
  });

  it('instance norm adds no parameters', () => {
    const plain = withModel(() => patchDiscriminator({ ndf: 8, norm: 'none' }), countParameters);
    const inst = withModel(() => patchDiscriminator({ ndf: 8, norm: 'instance' }), countParameters);
    // 'none' and 'instance' both keep conv biases; instance norm itself has no affine weights.
    expect(inst).toBe(plain);
  });
});

describe('output shapes', () => {
  it('ResNet generators keep the input size, square or not', () => {
    withModel(
      () => resnetGenerator({ ngf: 4, blocks: 2 }),
      (m) => {
        expect(outputShape(m, [1, 32, 32, 3])).toEqual([1, 32, 32, 3]);
        expect(outputShape(m, [2, 24, 40, 3])).toEqual([2, 24, 40, 3]);
        expect(outputShape(m, [1, 16, 64, 3])).toEqual([1, 16, 64, 3]);
      },
    );
  });

  it('generators map between different channel counts', () => {
    withModel(
      () => resnetGenerator({ ngf: 4, blocks: 1, inputChannels: 1, outputChannels: 3 }),
      (m) => expect(outputShape(m, [1, 16, 20, 1])).toEqual([1, 16, 20, 3]),
    );
  });

  it('U-Net keeps the input size for multiples of 2^downsamplings', () => {
    withModel(
      () => unetGenerator({ ngf: 2, downsamplings: 5, norm: 'batch', dropout: true }),
      (m) => {
        expect(outputShape(m, [1, 32, 32, 3])).toEqual([1, 32, 32, 3]);
        expect(outputShape(m, [1, 64, 96, 3])).toEqual([1, 64, 96, 3]);
      },
    );
  });

  it('the named small U-Nets keep the input size and need their own multiple', () => {
    for (const [which, multiple] of [
      ['unet_64', 64],
      ['unet_32', 32],
    ] as const) {
      expect(generatorMultiple(which)).toBe(multiple);
      withModel(
        () => buildGenerator(which, { ngf: 2, norm: 'instance' }),
        (m) => {
          expect(outputShape(m, [1, multiple, multiple * 2, 3])).toEqual([1, multiple, multiple * 2, 3]);
          // One fewer halving than the name says would leave a 1-px map to halve again.
          expect(m.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(Math.log2(multiple));
        },
      );
    }
  });

  it('PatchGAN 70×70 gives 30×30 for 256 px and follows the reference sizes otherwise', () => {
    withModel(
      () => patchDiscriminator({ ndf: 4 }),
      (m) => {
        expect(outputShape(m, [1, 256, 256, 3])).toEqual([1, 30, 30, 1]);
        // 64×96: 32×48 → 16×24 → 8×12 → 7×11 → 6×10, as PyTorch's padding-1 4×4 convs give.
        expect(outputShape(m, [1, 64, 96, 3])).toEqual([1, 6, 10, 1]);
      },
    );
  });

  it('the pixel discriminator gives one logit per pixel', () => {
    withModel(
      () => pixelDiscriminator({ ndf: 4 }),
      (m) => expect(outputShape(m, [1, 12, 20, 3])).toEqual([1, 12, 20, 1]),
    );
  });

  it('tiny networks are small', () => {
    const g = withModel(() => buildGenerator('tiny', { ngf: 64 }), countParameters);
    const d = withModel(() => buildDiscriminator('tiny', { ndf: 64 }), countParameters);
    expect(g).toBeLessThan(200_000);
    expect(d).toBeLessThan(50_000);
  });
});

describe('initialisation', () => {
  it('conv weights are N(0, 0.02), biases zero, batch-norm gamma N(1, 0.02)', () => {
    withModel(
      () => unetGenerator({ ngf: 8, downsamplings: 5, norm: 'batch' }),
      (m) => {
        const kernels = m.weights.filter((w) => w.name.endsWith('kernel'));
        const values = kernels.flatMap((w) => Array.from(w.read().dataSync()));
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
        expect(Math.abs(mean)).toBeLessThan(0.002);
        expect(std).toBeGreaterThan(0.018);
        expect(std).toBeLessThan(0.022);
        const gammas = m.weights
          .filter((w) => w.name.endsWith('gamma'))
          .flatMap((w) => Array.from(w.read().dataSync()));
        const gMean = gammas.reduce((a, b) => a + b, 0) / gammas.length;
        expect(gMean).toBeGreaterThan(0.99);
        expect(gMean).toBeLessThan(1.01);
        const biases = m.weights.filter((w) => w.name.endsWith('bias')).flatMap((w) => Array.from(w.read().dataSync()));
        expect(biases.every((b) => b === 0)).toBe(true);
      },
    );
  });

  it('the same seed builds the same weights; another seed does not', () => {
    const weights = (seed: number) =>
      withModel(
        () => resnetGenerator({ ngf: 4, blocks: 1, seed }),
        (m) => m.weights.map((w) => Array.from(w.read().dataSync())),
      );
    expect(weights(7)).toEqual(weights(7));
    expect(weights(7)).not.toEqual(weights(8));
  });
});

describe('named configurations', () => {
  it('unknown names are refused with the choices', () => {
    expect(() => buildGenerator('resnet_12blocks' as never)).toThrow(/Unknown generator.*resnet_9blocks/);
    expect(() => buildDiscriminator('huge' as never)).toThrow(/Unknown discriminator.*basic/);
  });

  it('bad options are refused with their name', () => {
    expect(() => resnetGenerator({ ngf: 0 })).toThrow(/ngf/);
    expect(() => unetGenerator({ downsamplings: 3 })).toThrow(/downsamplings/);
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    withModel(
      () => buildGenerator('tiny', { ngf: 4 }),
      (m) => outputShape(m, [1, 16, 16, 3]),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('CUT feature layers', () => {
  it('are numbered as the reference numbers its modules, anti-aliased or not', () => {
    for (const antialias of [true, false]) {
      const built = buildGeneratorWithLayers('resnet_6blocks', { ngf: 4, antialias });
      expect(built.layers.length).toBe(resnetLayerCount(6, antialias));
      const shapes = tf.tidy(() => {
        const out = generatorFeatures(built, [0, 4, 12, 16]).predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor[];
        return out.map((t) => t.shape);
      });
      // 0: the reflection-padded input; 4: the first downsampling's conv (stride 1 when anti-aliased, so
      // at full size). Anti-aliased (4 modules per resampling step): 12 is the first residual block, 16 the
      // fifth; plain (3 per step): 12 is the third block, 16 the first upsampling.
      expect(shapes[0]).toEqual([1, 38, 38, 3]);
      expect(shapes[1]).toEqual(antialias ? [1, 32, 32, 8] : [1, 16, 16, 8]);
      expect(shapes[2]).toEqual([1, 8, 8, 16]);
      expect(shapes[3]).toEqual(antialias ? [1, 8, 8, 16] : [1, 16, 16, 8]);
      // Same output size as the plain generator.
      expect(outputShape(built.model, [1, 32, 32, 3])).toEqual([1, 32, 32, 3]);
      built.model.dispose();
    }
  });

  it('xavier initialisation draws N(0, gain²·2/(fan_in + fan_out)) and zeroes biases', () => {
    const m = buildGenerator('tiny', { ngf: 8, antialias: true });
    initXavier(m, 0.02, 3);
    const kernel = m.trainableWeights.find((w) => w.shape.length === 4 && w.shape[2] === 32 && w.shape[3] === 32)!;
    const v = Array.from(kernel.read().dataSync());
    const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(std).toBeCloseTo(0.02 * Math.sqrt(2 / (9 * 64)), 4);
    const bias = m.trainableWeights.find((w) => w.shape.length === 1)!;
    expect(Math.max(...Array.from(bias.read().dataSync()).map(Math.abs))).toBe(0);
    m.dispose();
  });
});
