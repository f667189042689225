import { describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import {
  type CheckpointState,
  decodeState,
  encodeState,
  STATE_FILE,
} from '../../../../main/engine/runs/state-codec.js';

const toMap = (files: { name: string; data: Uint8Array }[]) => new Map(files.map((f) => [f.name, f.data]));

function checkpointState(): CheckpointState {
  const weights = new Float32Array([0.1, -2.5e-8, Math.PI, 1e30, -0, 7]);
  return {
    trainer: {
      format: 'duet-trainer-state',
      version: 1,
      kind: 'cyclegan',
      settings: TrainingSettingsSchema.parse({}),
      channels: { A: 3, B: 3 },
      iteration: 12,
      learningRate: 2e-4,
      rng: 4294967295,
      optimizers: { G: { step: 12 } },
      pools: { A: { size: 50, count: 1 } },
      tensors: [{ name: 'net/G_A/0', shape: [2, 3], dtype: 'float32' }],
      data: weights.buffer,
    },
    run: {
      iteration: 12,
      epoch: 1,
      position: { seed: 7, epoch: 1, index: 3 },
      trainingSeconds: 41.25,
      sampleInputs: {
        a: new Float32Array([1, -1, 0.5]),
        b: new Float32Array([0.25, 0, -0.75]),
        height: 1,
        width: 1,
        channels: 3,
      },
    },
  };
}

/** The parts of state.json the tests below change. */
interface StateJson {
  state: {
    trainer: { format: string; data: { buffer?: true } };
    run: { position: { index: number }; sampleInputs: { b: { offset: number } } };
  };
}

function withStateJson(files: Map<string, Uint8Array>, edit: (json: StateJson) => unknown) {
  const json = JSON.parse(Buffer.from(files.get(STATE_FILE)!).toString('utf8')) as StateJson;
  const next = new Map(files);
  next.set(STATE_FILE, Buffer.from(JSON.stringify(edit(json) ?? json)));
  return next;
}

describe('checkpoint state codec', () => {
  it('round-trips a checkpoint state bit for bit, in trainer.bin, run.bin and state.json', () => {
    const state = checkpointState();
    const files = encodeState(state);
    expect(files.map((f) => f.name).sort()).toEqual(['run.bin', 'trainer.bin', STATE_FILE].sort());
    const back = decodeState(toMap(files));
    expect(new Uint8Array(back.trainer.data)).toEqual(new Uint8Array(state.trainer.data));
    expect(Object.is(new Float32Array(back.trainer.data)[4], -0)).toBe(true);
    const { data: _a, ...meta } = back.trainer;
    const { data: _b, ...metaBefore } = state.trainer;
    expect(meta).toEqual(metaBefore);
    expect(back.run).toEqual(state.run);
    expect(back.run.sampleInputs!.a).toBeInstanceOf(Float32Array);
  });

  it('leaves run.bin out when there are no sample inputs', () => {
    const state = checkpointState();
    state.run.sampleInputs = null;
    const files = encodeState(state);
    expect(files.map((f) => f.name).sort()).toEqual(['trainer.bin', STATE_FILE].sort());
    expect(decodeState(toMap(files)).run.sampleInputs).toBeNull();
  });

  it('reads state.json as the earlier codec wrote it (tensor bytes as a plain uint8 array)', () => {
    const files = toMap(encodeState(checkpointState()));
    const older = withStateJson(files, (json) => {
      delete json.state.trainer.data.buffer;
    });
    expect(new Float32Array(decodeState(older).trainer.data)[2]).toBeCloseTo(Math.PI, 6);
  });

  it('reads a checkpoint written before time budgets: no training seconds', () => {
    const state = checkpointState();
    delete state.run.trainingSeconds;
    expect(decodeState(toMap(encodeState(state))).run.trainingSeconds).toBeUndefined();
  });

  it('refuses a state.json that is not JSON, or not a checkpoint state, naming the field', () => {
    const files = toMap(encodeState(checkpointState()));
    const garbled = new Map(files);
    garbled.set(STATE_FILE, Buffer.from('{"version": 1, "state": {'));
    expect(() => decodeState(garbled)).toThrow(/state\.json is not JSON/);
    const foreign = withStateJson(files, (json) => {
      json.state.trainer.format = 'someone-elses-state';
      json.state.run.position.index = -1;
    });
    expect(() => decodeState(foreign)).toThrow(/not a Duet checkpoint state/);
    expect(() => decodeState(foreign)).toThrow(/state\.trainer\.format/);
    expect(() => decodeState(foreign)).toThrow(/state\.run\.position\.index/);
    expect(() => decodeState(withStateJson(files, () => ({ hello: 'world' })))).toThrow(/not a Duet checkpoint state/);
    expect(() => decodeState(new Map())).toThrow(/has no state\.json/);
  });

  it('refuses numbers that point outside their file, or at a missing one', () => {
    const files = toMap(encodeState(checkpointState()));
    const outside = withStateJson(files, (json) => {
      json.state.run.sampleInputs.b.offset = 1 << 20;
    });
    expect(() => decodeState(outside)).toThrow(/run\.sampleInputs\.b lies outside run\.bin/);
    const missing = new Map(files);
    missing.delete('trainer.bin');
    expect(() => decodeState(missing)).toThrow(/trainer\.data points at a missing file trainer\.bin/);
  });

  it('refuses to write what JSON cannot hold', () => {
    const state = checkpointState();
    state.trainer.learningRate = Number.NaN;
    expect(() => encodeState(state)).toThrow(/Cannot write this checkpoint state.*learningRate/s);
  });
});
