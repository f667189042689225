import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs-core's gradients.
import '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkTfjsVersions,
  isUsingGpuDevice,
  quietCpuBanner,
  TFJS_VERSION,
  TfjsVersionError,
  withOwnTape,
} from '../../models/tfjs-internals.js';

beforeAll(async () => {
  quietCpuBanner();
  await tf.setBackend('cpu');
});

describe('checkTfjsVersions', () => {
  it('accepts packages at the version the internals were written for', () => {
    expect(() =>
      checkTfjsVersions({ '@tensorflow/tfjs-core': TFJS_VERSION, '@tensorflow/tfjs-layers': TFJS_VERSION }),
    ).not.toThrow();
  });

  it('names every package at another version, and the version Duet needs', () => {
    let caught: unknown;
    try {
      checkTfjsVersions({
        '@tensorflow/tfjs-core': '4.23.0',
        '@tensorflow/tfjs-layers': TFJS_VERSION,
        '@tensorflow/tfjs-backend-wasm': '4.21.1',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TfjsVersionError);
    const message = (caught as Error).message;
    expect(message).toContain(`needs TensorFlow.js ${TFJS_VERSION} exactly`);
    expect(message).toContain('@tensorflow/tfjs-core 4.23.0');
    expect(message).toContain('@tensorflow/tfjs-backend-wasm 4.21.1');
    expect(message).not.toContain('tfjs-layers');
    expect((caught as TfjsVersionError).mismatched).toHaveLength(2);
  });

  it('holds for the tfjs-core that is loaded', () => {
    expect(tf.version_core).toBe(TFJS_VERSION);
  });
});

describe('withOwnTape', () => {
  it('takes an inner gradient inside an outer one without recording it on the outer tape', () => {
    const x = tf.scalar(3);
    // d/dx [x² + stopped(inner)] where inner = d(x³)/dx = 3x²: the inner result is a constant outside.
    const outer = tf.grad((v: tf.Tensor) => {
      const inner = withOwnTape(() => tf.grad((u: tf.Tensor) => tf.pow(u, 3))(v));
      return tf.add(tf.square(v), inner);
    })(x);
    expect(outer.dataSync()[0]).toBeCloseTo(6, 5);
    tf.dispose([x, outer]);
  });

  it('puts the outer tape back when the inner computation throws', () => {
    const x = tf.scalar(2);
    const g = tf.grad((v: tf.Tensor) => {
      expect(() =>
        withOwnTape(() => {
          throw new Error('inner failure');
        }),
      ).toThrow('inner failure');
      return tf.square(v);
    })(x);
    expect(g.dataSync()[0]).toBeCloseTo(4, 5);
    tf.dispose([x, g]);
  });
});

describe('isUsingGpuDevice', () => {
  it('is false on the cpu backend and true only where the backend says so', () => {
    expect(isUsingGpuDevice()).toBe(false);
    expect(isUsingGpuDevice({ isUsingGpuDevice: true } as unknown as tf.KernelBackend)).toBe(true);
  });
});
