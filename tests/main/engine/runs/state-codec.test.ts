import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { decodeState, encodeState, STATE_FILE, tensorsIn } from '../../../../main/engine/runs/state-codec.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});

const toMap = (files: { name: string; data: Uint8Array }[]) => new Map(files.map((f) => [f.name, f.data]));

describe('trainer state codec', () => {
  it('round-trips tensors, typed arrays and plain values bit for bit', async () => {
    const before = tf.memory().numTensors;
    const w = tf.tensor([0.1, -2.5e-8, Math.PI, 1e30], [2, 2]);
    const pool = [tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 7), tf.randomNormal([1, 4, 4, 3], 0, 1, 'float32', 8)];
    const counts = tf.tensor([1, 2, 3], [3], 'int32');
    const state = {
      G_A: { conv1: w, counts },
      pools: { A: pool, B: [] },
      optimizer: { step: 12, lr: 2e-4 },
      rng: 123456789,
      position: { epoch: 1, order: new Uint32Array([3, 1, 2]) },
      name: 'cyclegan',
      flag: true,
      nothing: null,
    };
    const files = await encodeState(state);
    expect(files.map((f) => f.name).sort()).toEqual(['G_A.bin', 'pools.bin', 'position.bin', STATE_FILE].sort());
    const back = decodeState(toMap(files));
    const bg = back.G_A as { conv1: tf.Tensor; counts: tf.Tensor };
    expect(bg.conv1.shape).toEqual([2, 2]);
    expect(Array.from(bg.conv1.dataSync())).toEqual(Array.from(w.dataSync()));
    expect(bg.counts.dtype).toBe('int32');
    expect(Array.from(bg.counts.dataSync())).toEqual([1, 2, 3]);
    const pools = back.pools as { A: tf.Tensor[]; B: tf.Tensor[] };
    expect(pools.A).toHaveLength(2);
    expect(Array.from(pools.A[1]!.dataSync())).toEqual(Array.from(pool[1]!.dataSync()));
    expect(pools.B).toEqual([]);
    expect(back.optimizer).toEqual({ step: 12, lr: 2e-4 });
    expect(back.rng).toBe(123456789);
    expect((back.position as { order: Uint32Array }).order).toEqual(new Uint32Array([3, 1, 2]));
    expect(back.name).toBe('cyclegan');
    expect(back.flag).toBe(true);
    expect(back.nothing).toBeNull();
    // Decoding made 4 tensors; the caller finds and disposes them all.
    const made = tensorsIn(back);
    expect(made).toHaveLength(4);
    for (const t of made) t.dispose();
    for (const t of [w, counts, ...pool]) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips a bare ArrayBuffer (the trainer packs its tensors into one)', async () => {
    const data = new Float32Array([1.5, -0, 3e-39]).buffer;
    const back = decodeState(toMap(await encodeState({ trainer: { data, tensors: [{ name: 'w' }] } })));
    const t = back.trainer as { data: ArrayBuffer; tensors: unknown };
    expect(t.data).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(t.data)).toEqual(new Uint8Array(data));
    expect(t.tensors).toEqual([{ name: 'w' }]);
  });

  it('can decode to typed arrays only', async () => {
    const before = tf.memory().numTensors;
    const t = tf.tensor([1, 2]);
    const back = decodeState(toMap(await encodeState({ x: t })), { tensors: false });
    t.dispose();
    expect(back.x).toBeInstanceOf(Float32Array);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses values a checkpoint cannot hold, naming where', async () => {
    await expect(encodeState({ a: { b: Number.NaN } })).rejects.toThrow(/a\.b is NaN/);
    const t = tf.tensor([1]);
    t.dispose();
    await expect(encodeState({ w: [t] })).rejects.toThrow(/w\[0\] is a disposed tensor/);
  });

  it('reports a reference outside its file', async () => {
    const files = toMap(await encodeState({ x: new Float32Array([1, 2, 3]) }));
    files.set('x.bin', new Uint8Array(4));
    expect(() => decodeState(files)).toThrow(/state\.x lies outside x\.bin/);
  });
});
