import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { findRun, saveModelFromRun } from '../../../../main/engine/library/from-run.js';
import { resolveModel } from '../../../../main/engine/library/resolve.js';
import { loadGenerator } from '../../../../main/engine/library/store.js';
import { writeCheckpoint } from '../../../../main/engine/runs/checkpoints.js';
import { runDir, runPaths } from '../../../../main/engine/runs/layout.js';
import { encodeState } from '../../../../main/engine/runs/state-codec.js';
import { createTrainer } from '../../../../models/index.js';

let ws: string;
beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});
beforeEach(async () => {
  ws = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-from-run-'));
});
afterEach(async () => {
  await fs.rm(ws, { recursive: true, force: true });
});

const settings = {
  model: 'cyclegan' as const,
  generator: 'tiny' as const,
  discriminator: 'tiny' as const,
  size: 16,
  loadSize: 16,
};

async function makeRunFolder(runId: string, name: string): Promise<string> {
  const root = runDir(ws, 'maps', runId);
  await fs.mkdir(root, { recursive: true });
  // The fields of the run's config.json the card reads.
  await fs.writeFile(
    runPaths(root).config,
    JSON.stringify({
      format: 'duet-run',
      name,
      data: { a: path.join(ws, 'data', 'aerial'), b: path.join(ws, 'data', 'map') },
      dataset: { sampling: 'unpaired', samplesPerEpoch: 3, batchesPerEpoch: 3 },
      backend: { candidate: 'cpu', backend: 'cpu', gpu: false },
    }),
  );
  return root;
}

/** A run folder with one checkpoint of a tiny CycleGAN (freshly initialised: a training step is slow here). */
async function makeRun(runId: string, name: string) {
  const trainer = createTrainer(settings);
  const state = await trainer.exportState();
  const root = await makeRunFolder(runId, name);
  await fs.mkdir(path.join(ws, 'projects', 'maps'), { recursive: true });
  await fs.writeFile(
    path.join(ws, 'projects', 'maps', 'project.json'),
    JSON.stringify({ domainA: '/data/aerial', domainB: '/data/map' }),
  );
  const files = encodeState({
    trainer: state,
    run: { iteration: state.iteration, epoch: 0, position: { seed: 1, epoch: 0, index: 0 }, sampleInputs: null },
  });
  await writeCheckpoint(root, state.iteration, files);
  return trainer;
}

describe('runs as models', () => {
  it('resolves a run by name and translates with its latest checkpoint, both directions', async () => {
    const trainer = await makeRun('20261123-130000-maps', 'Maps quick');
    const x = tf.randomUniform([1, 12, 20, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    const resolved = await resolveModel(ws, 'maps quick');
    expect(resolved).toMatchObject({ source: 'run', id: 'maps/20261123-130000-maps', iterations: 0 });
    expect(resolved.directions).toEqual(['AtoB', 'BtoA']);
    for (const d of ['AtoB', 'BtoA'] as const) {
      const t = await resolved.translator(d);
      const got = t.fn(x);
      const want = trainer.translate(x, d);
      expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
      tf.dispose([got, want]);
      t.dispose();
    }
    resolved.dispose();
    tf.dispose(x);
    trainer.dispose();
  });

  it('saves a run as a library model with a card from the run and project', async () => {
    const trainer = await makeRun('20261123-140000-maps', 'Maps v1');
    for (const [dir, files] of [
      ['aerial', ['1.jpg', '2.png', 'notes.txt']],
      ['map', ['1.png', '2.png', '3.png']],
    ] as const) {
      await fs.mkdir(path.join(ws, 'data', dir), { recursive: true });
      for (const f of files) await fs.writeFile(path.join(ws, 'data', dir, f), 'x');
    }
    // Found by the end of its id, as typed from the run's name.
    const card = await saveModelFromRun(ws, 'maps', { name: 'Aerial to map' });
    expect(card).toMatchObject({
      id: 'aerial-to-map',
      model: 'cyclegan',
      iterations: 0,
      architecture: { generator: 'tiny', discriminator: 'tiny', norm: 'instance' },
      directions: { A: 'aerial', B: 'map' },
      data: { countA: 2, countB: 3, pairing: 'unpaired' },
      backend: 'cpu',
      source: { projectId: 'maps', runId: '20261123-140000-maps' },
    });
    const x = tf.randomUniform([1, 8, 8, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const g = await loadGenerator(ws, card.id, 'BtoA');
    const got = g.predict(x) as tf.Tensor;
    const want = trainer.translate(x, 'BtoA');
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    tf.dispose([x, got, want]);
    g.dispose();
    trainer.dispose();
  });

  it('names what is missing or ambiguous', async () => {
    await expect(resolveModel(ws, 'nothing')).rejects.toThrow(/No model or run "nothing".*library is empty/);
    await makeRunFolder('20261123-150000-a', 'Same');
    await makeRunFolder('20261123-150001-b', 'Same');
    await expect(findRun(ws, 'same')).rejects.toThrow(/names 2 runs: maps\/20261123-150000-a, maps\/20261123-150001-b/);
    await fs.mkdir(path.join(ws, 'projects', 'maps', 'runs', 'empty'), { recursive: true });
    await expect(saveModelFromRun(ws, 'empty')).rejects.toThrow(/Run "empty" has no usable checkpoint/);
  });
});
