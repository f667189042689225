import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, TrainingSettings } from '#contract';
import { selectBackend } from '../../../../main/engine/backend.js';
import { exportModel, importModel } from '../../../../main/engine/library/archive.js';
import { saveModelFromRun } from '../../../../main/engine/library/from-run.js';
import { resolveModel } from '../../../../main/engine/library/resolve.js';
import { loadGenerator } from '../../../../main/engine/library/store.js';
import { loadCheckpoint } from '../../../../main/engine/runs/checkpoints.js';
import {
  type DomainImages,
  detectOutputPalettes,
  findDomainPalette,
  spreadOver,
  wantsPaletteDetection,
} from '../../../../main/engine/runs/palette-detect.js';
import { resumeRun, startRun } from '../../../../main/engine/runs/run.js';
import { readRunConfig } from '../../../../main/engine/runs/run-files.js';
import { resolveSettings } from '../../../../main/engine/runs/settings.js';
import { decodeState } from '../../../../main/engine/runs/state-codec.js';
import { translateWith } from '../../../../main/engine/translate/translator.js';
import {
  FLAT_COLOURS,
  flatPixels,
  imageFolder,
  makeWorkspace,
  noisyPixels,
  TINY_CYCLEGAN,
  writePng,
} from '../../../support/runs.js';

async function domainOf(dir: string): Promise<DomainImages> {
  const files = (await fs.readdir(dir)).sort();
  const images = await Promise.all(
    files.map(async (f) => {
      const file = path.join(dir, f);
      const meta = await sharp(file)
        .metadata()
        .catch(() => ({ width: 20, height: 20 }));
      return { path: file, width: meta.width ?? 0, height: meta.height ?? 0, region: null };
    }),
  );
  return { label: path.basename(dir), images };
}

let root: string;
let flat: DomainImages;
let noisy: DomainImages;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-palette-'));
  flat = await domainOf(await imageFolder(root, 'maps', 5, 'flat'));
  noisy = await domainOf(await imageFolder(root, 'photos', 5, 'noisy'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const cyclegan = (extra: Partial<TrainingSettings> = {}) =>
  resolveSettings({ ...TINY_CYCLEGAN, ...extra }) as TrainingSettings;

describe('finding the flat colours an output domain is drawn in', () => {
  it('finds the colours of a folder of flat-colour PNGs, and none in a folder of photos', async () => {
    const found = await findDomainPalette(flat);
    expect(found).not.toBeNull();
    expect(found!.colours.map((c) => c.join(',')).sort()).toEqual(FLAT_COLOURS.map((c) => c.join(',')).sort());
    expect(found!.coverage).toBe(1);
    expect(found!.images).toBe(5);
    expect(await findDomainPalette(noisy)).toBeNull();
  });

  it('sets palettes.B for the A → B generator and, for CycleGAN, palettes.A only where A is flat', async () => {
    const got = await detectOutputPalettes(cyclegan(), { a: noisy, b: flat });
    expect(got.settings.palettes?.B).toHaveLength(4);
    expect(got.settings.palettes?.A).toBeUndefined();
    expect(got.messages).toEqual(['Output colours: drawn in the 4 flat colours found in maps (100% of pixels)']);

    const both = await detectOutputPalettes(cyclegan(), { a: flat, b: flat });
    expect(both.settings.palettes?.A).toHaveLength(4);
    expect(both.messages).toHaveLength(2);

    // One direction: CUT's and pix2pix's generators draw domain B only.
    const cut = resolveSettings({ ...TINY_CYCLEGAN, model: 'cut', nceLayers: [0, 2, 4] }) as TrainingSettings;
    const one = await detectOutputPalettes(cut, { a: flat, b: flat });
    expect(Object.keys(one.settings.palettes ?? {})).toEqual(['B']);
  });

  it("leaves the settings alone when 'off', for a U-Net generator, or when palettes are already set", async () => {
    const off = cyclegan({ outputPalette: 'off' });
    expect(wantsPaletteDetection(off)).toBe(false);
    expect(await detectOutputPalettes(off, { a: flat, b: flat })).toEqual({ settings: off, messages: [] });

    const unet = resolveSettings({ model: 'pix2pix', size: 32, loadSize: 32, generator: 'unet_32' });
    expect(wantsPaletteDetection(unet)).toBe(false);
    expect((await detectOutputPalettes(unet, { a: flat, b: flat })).settings.palettes).toBeUndefined();

    const chosen = cyclegan({
      palettes: {
        B: [
          [0, 0, 0],
          [255, 255, 255],
        ],
      },
    });
    expect(wantsPaletteDetection(chosen)).toBe(false);
    expect((await detectOutputPalettes(chosen, { a: flat, b: flat })).settings.palettes).toEqual({
      B: [
        [0, 0, 0],
        [255, 255, 255],
      ],
    });
    // The ResNet generators and the tiny one get palettes; the default is 'auto'.
    for (const generator of ['resnet_9blocks', 'resnet_6blocks', 'tiny'] as const) {
      expect(wantsPaletteDetection(resolveSettings({ generator }))).toBe(true);
    }
  });

  it('skips images it cannot read, and finds nothing (without throwing) when none can be read', async () => {
    const dir = path.join(root, 'damaged');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'broken.png'), 'not a png');
    const broken = { path: path.join(dir, 'broken.png'), width: 20, height: 20, region: null };
    const gone = { path: path.join(dir, 'gone.png'), width: 20, height: 20, region: null };
    const found = await findDomainPalette({ label: 'maps', images: [broken, ...flat.images, gone] });
    expect(found?.colours).toHaveLength(4);
    expect(found?.images).toBe(5);
    const none = await detectOutputPalettes(cyclegan(), { a: noisy, b: { label: 'damaged', images: [broken, gone] } });
    expect(none.settings.palettes).toBeUndefined();
    expect(none.messages).toEqual([]);
  });

  it('reads the right halves of A|B images, and transparent areas as white (as training does)', async () => {
    const dir = path.join(root, 'aligned');
    await fs.mkdir(dir, { recursive: true });
    const images = [];
    for (let i = 0; i < 3; i++) {
      const left = noisyPixels(20, 20, i);
      const right = flatPixels(20, 20, i);
      const both = Buffer.alloc(40 * 20 * 4);
      for (let y = 0; y < 20; y++) {
        for (let x = 0; x < 40; x++) {
          const src = x < 20 ? left : right;
          const o = (y * 20 + (x % 20)) * 3;
          // The right half's top rows are transparent (over black, which must not show).
          const clear = x >= 20 && y < 4;
          both.set(clear ? [0, 0, 0, 0] : [src[o]!, src[o + 1]!, src[o + 2]!, 255], (y * 40 + x) * 4);
        }
      }
      const file = path.join(dir, `pair${i}.png`);
      await writePng(file, both, 40, 20, 4);
      images.push({ path: file, width: 20, height: 20, region: { left: 20, top: 0, width: 20, height: 20 } });
    }
    const found = await findDomainPalette({ label: 'the right halves of aligned', images });
    expect(found?.coverage).toBe(1);
    expect(found?.colours.some((c) => c.join(',') === '0,0,0')).toBe(false);
    expect(found?.colours.some((c) => c.join(',') === '255,255,255')).toBe(true);
    const left = await findDomainPalette({
      label: 'the left halves of aligned',
      images: images.map((im) => ({ ...im, region: { ...im.region, left: 0 } })),
    });
    expect(left).toBeNull();
  });

  it('looks at an even, fixed spread of a long list', () => {
    const list = Array.from({ length: 200 }, (_, i) => i);
    const picked = spreadOver(list, 64);
    expect(picked).toHaveLength(64);
    expect(picked[0]).toBe(0);
    expect(picked.at(-1)).toBeGreaterThan(190);
    expect(new Set(picked).size).toBe(64);
    expect(spreadOver(list, 64)).toEqual(picked);
    expect(spreadOver([1, 2], 64)).toEqual([1, 2]);
  });
});

describe('a run on flat-colour data', () => {
  it('records the palette in its settings, says so, keeps it on resume, and its saved model draws in it', async () => {
    await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
    const workspace = await makeWorkspace();
    const data = path.join(root, 'run-data');
    const dataA = await imageFolder(data, 'aerial', 3, 'noisy');
    const dataB = await imageFolder(data, 'map', 3, 'flat');
    try {
      const settings = { ...TINY_CYCLEGAN, iterations: 2, checkpointEvery: 1, sampleEvery: 1000 };
      const run = await startRun({ workspace, projectId: 'maps', dataA, dataB, settings });
      const events: RunEvent[] = [];
      run.on((e) => {
        events.push(e);
        if (e.type === 'checkpoint' && e.iteration === 1) void run.stop();
      });
      expect(await run.done).toEqual({ state: 'stopped', iteration: 1 });
      const starting = events.find((e) => e.type === 'state' && e.state === 'starting');
      expect(starting).toMatchObject({
        message: 'Output colours: drawn in the 4 flat colours found in map (100% of pixels)',
      });
      const config = await readRunConfig(run.dir);
      expect(config.settings.palettes?.B).toHaveLength(4);
      expect(config.settings.palettes?.A).toBeUndefined();
      expect(config.settings.outputPalette).toBe('auto');
      const saved = decodeState((await loadCheckpoint(run.dir)).files);
      expect(saved.trainer.settings.palettes).toEqual(config.settings.palettes);

      // The map folder now holds photos: a resumed run keeps the palette it started with.
      await fs.rm(dataB, { recursive: true });
      await imageFolder(data, 'map', 3, 'noisy');
      const resumed = await resumeRun(run.dir, { workspace });
      expect(resumed.config.settings.palettes).toEqual(config.settings.palettes);
      expect(await resumed.done).toEqual({ state: 'finished', iteration: 2 });
      expect((await readRunConfig(run.dir)).settings.palettes).toEqual(config.settings.palettes);

      // The library model's card carries the palette, and its A → B generator ends in the palette layer.
      const card = await saveModelFromRun(workspace, run.id, { name: 'Flat maps' });
      expect(card.settings.palettes).toEqual(config.settings.palettes);
      const g = await loadGenerator(workspace, card.id, 'AtoB');
      expect(g.layers.at(-1)?.getClassName()).toBe('DuetPaletteMix');
      g.dispose();
      const back = await loadGenerator(workspace, card.id, 'BtoA');
      expect(back.layers.at(-1)?.getClassName()).not.toBe('DuetPaletteMix');
      back.dispose();
      // Exported and imported again (the import checks the topology layer by layer), it keeps both.
      const file = path.join(root, 'flat-maps.duetmodel');
      await exportModel(workspace, card.id, file);
      const imported = await importModel(workspace, file);
      expect(imported.settings.palettes).toEqual(config.settings.palettes);
      const again = await loadGenerator(workspace, imported.id, 'AtoB');
      expect(again.layers.at(-1)?.getClassName()).toBe('DuetPaletteMix');
      again.dispose();

      // Translated whole or in blended tiles, every output pixel is one of the palette's colours.
      const resolved = await resolveModel(workspace, imported.id);
      const translator = await resolved.translator('AtoB');
      expect(translator.palette).toEqual(config.settings.palettes?.B);
      const allowed = new Set(config.settings.palettes!.B!.map((c) => c.join(',')));
      const input = { data: new Uint8Array(noisyPixels(72, 56, 9)), width: 72, height: 56, channels: 3 };
      for (const tile of [undefined, 32]) {
        const out = await translateWith(translator, input, { tile });
        expect([out.width, out.height, out.channels]).toEqual([72, 56, 3]);
        const seen = new Set<string>();
        for (let i = 0; i < out.data.length; i += 3) seen.add(`${out.data[i]},${out.data[i + 1]},${out.data[i + 2]}`);
        expect(
          [...seen].filter((c) => !allowed.has(c)),
          `tile ${tile}`,
        ).toEqual([]);
      }
      translator.dispose();
      resolved.dispose();
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});
