/**
 * previewOutputColours through the engine (requests and answers through the contract's schemas): the
 * flat colours of the folders a run would draw into, told before it starts, from tiny generated folders.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DuetRequest, DuetResponse } from '#contract';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';
import {
  lookAtOutputColours,
  OutputColourLooks,
  previewOutputColours,
} from '../../../../main/engine/service/output-colours.js';
import { ProjectStore } from '../../../../main/engine/service/projects.js';
import { FLAT_COLOURS, flatPixels, imageFolder, makeWorkspace, noisyPixels, writePng } from '../../../support/runs.js';
import { tempFolders } from '../../../support/temp.js';

const temp = tempFolders('duet-output-colours-');
let engine: InProcessEngine;
let photos: string;
let maps: string;
let brokenOnly: string;

beforeAll(async () => {
  const workspace = await makeWorkspace();
  temp.track(workspace);
  engine = new InProcessEngine(workspace);
  const data = await temp.make();
  photos = await imageFolder(data, 'aerial', 4, 'noisy');
  maps = await imageFolder(data, 'maps', 4, 'flat');
  // An image that cannot be read among the maps: left out of the look, as training leaves it out.
  await writeFile(path.join(maps, 'broken.png'), Buffer.from('not a png at all'));
  brokenOnly = path.join(data, 'broken');
  await imageFolder(data, 'broken', 0, 'flat');
  await writeFile(path.join(brokenOnly, 'a.png'), Buffer.from('not a png'));
});

function look(request: DuetRequest<'previewOutputColours'>) {
  return engine.request('previewOutputColours', request) as Promise<DuetResponse<'previewOutputColours'>>;
}

async function project(model: 'cyclegan' | 'pix2pix' | 'cut', a: string | null, b: string | null) {
  return (await engine.request('createProject', { name: `${model} maps`, model, domainA: a, domainB: b })) as {
    id: string;
  };
}

const sorted = (colours: number[][]) => colours.map((c) => c.join(',')).sort();

describe('previewOutputColours', () => {
  it('finds the flat colours of a map folder, and none in a folder of photos (CycleGAN draws into both)', async () => {
    const p = await project('cyclegan', photos, maps);
    const answer = await look({ projectId: p.id });
    expect(answer).toMatchObject({ use: 'drawn', generator: 'resnet_9blocks' });
    expect(answer.problem).toBeUndefined();
    expect(answer.domains.map((d) => [d.domain, d.label])).toEqual([
      ['B', 'maps'],
      ['A', 'aerial'],
    ]);
    const [b, a] = answer.domains;
    expect(sorted(b!.palette!.colours)).toEqual(sorted(FLAT_COLOURS));
    expect(b!.palette!.coverage).toBe(1);
    // The broken file was left out, not counted and not fatal.
    expect(b!.palette!.images).toBe(4);
    expect(a!.palette).toBeNull();
  });

  it('tells what a run does with the colours: drawn, not enforced when off, any colour for a U-Net', async () => {
    const p = await project('pix2pix', photos, maps);
    // pix2pix's own generator is the U-Net 256: no flat-colour output, but the colours are still told.
    const unet = await look({ projectId: p.id });
    expect(unet).toMatchObject({ use: 'unsupported', generator: 'unet_256' });
    expect(unet.domains).toHaveLength(1);
    expect(unet.domains[0]!.palette!.colours).toHaveLength(4);
    // The quick preset's tiny generator has one; the window's own choice comes last.
    expect(await look({ projectId: p.id, preset: 'quick' })).toMatchObject({ use: 'drawn', generator: 'tiny' });
    expect(await look({ projectId: p.id, preset: 'quick', settings: { outputPalette: 'off' } })).toMatchObject({
      use: 'off',
    });
    expect(await look({ projectId: p.id, settings: { generator: 'resnet_6blocks' } })).toMatchObject({
      use: 'drawn',
      generator: 'resnet_6blocks',
    });
  });

  it('finds nothing flat in photos', async () => {
    const answer = await look({ data: { a: maps, b: photos }, settings: { model: 'cut' } });
    expect(answer.use).toBe('drawn');
    expect(answer.domains).toEqual([{ domain: 'B', label: 'aerial', palette: null }]);
  });

  it('says plainly why it could not look, instead of failing: a missing folder, no data, no usable image', async () => {
    const missing = path.join(path.dirname(maps), 'gone');
    const gone = await look({ data: { a: photos, b: missing } });
    expect(gone.domains).toEqual([]);
    expect(gone.problem).toBe(`Domain B folder does not exist: ${missing}`);

    const empty = await project('cyclegan', null, null);
    expect(await look({ projectId: empty.id })).toMatchObject({ domains: [], problem: 'No training data chosen yet.' });

    const unreadable = await look({ data: { a: photos, b: brokenOnly } });
    expect(unreadable.domains).toEqual([]);
    expect(unreadable.problem).toMatch(/No usable images in .*broken/);
  });

  it('writes nothing into the folders it looks at', async () => {
    const before = await snapshot(maps);
    await look({ data: { a: photos, b: maps } });
    expect(await snapshot(maps)).toEqual(before);
  });
});

describe('previewOutputColours, asked again', () => {
  /** Looks that count how often the folders are scanned and their images read. */
  function countedLooks(capacity?: number) {
    const counted = { reads: 0, looks: undefined as unknown as OutputColourLooks };
    counted.looks = new OutputColourLooks((...args) => {
      counted.reads++;
      return lookAtOutputColours(...args);
    }, capacity);
    return counted;
  }

  it('reads an unchanged folder once, and again when a file in it is added or changed', async () => {
    const data = await temp.make();
    const aerial = await imageFolder(data, 'aerial', 3, 'noisy');
    const drawn = await imageFolder(data, 'maps', 4, 'flat');
    const projects = new ProjectStore(await temp.make());
    const counted = countedLooks();
    const ask = (settings: DuetRequest<'previewOutputColours'>['settings'] = {}) =>
      previewOutputColours({ data: { a: aerial, b: drawn }, settings }, projects, counted.looks);

    const first = await ask();
    expect(first.domains[0]!.palette!.images).toBe(4);
    // The Train screen asks on every change of its form: the same folders are not read again.
    expect(await ask({ generator: 'resnet_6blocks' })).toEqual({ ...first, generator: 'resnet_6blocks' });
    expect(await ask({ outputPalette: 'off' })).toEqual({ ...first, use: 'off' });
    expect(counted.reads).toBe(1);

    // A map added: read again, and counted.
    await writePng(path.join(drawn, 'img9.png'), flatPixels(20, 20, 9), 20, 20);
    expect((await ask()).domains[0]!.palette!.images).toBe(5);
    expect(counted.reads).toBe(2);
    expect((await ask()).domains[0]!.palette!.images).toBe(5);
    expect(counted.reads).toBe(2);

    // A map changed in place (now a photo): read again, and no longer all flat colours.
    await writePng(path.join(drawn, 'img9.png'), noisyPixels(20, 20, 9), 20, 20);
    expect((await ask()).domains[0]!.palette).toBeNull();
    expect(counted.reads).toBe(3);
  });

  it('keeps only a few sets of folders, and does not keep a look that failed', async () => {
    const projects = new ProjectStore(await temp.make());
    const counted = countedLooks(1);
    const ask = (model: 'cyclegan' | 'cut', b = maps) =>
      previewOutputColours({ data: { a: photos, b }, settings: { model } }, projects, counted.looks);
    await ask('cyclegan');
    await ask('cut');
    await ask('cyclegan');
    expect(counted.reads).toBe(3);
    await ask('cyclegan');
    expect(counted.reads).toBe(3);

    for (let i = 0; i < 2; i++) expect((await ask('cut', brokenOnly)).problem).toMatch(/No usable images/);
    expect(counted.reads).toBe(5);
  });
});

async function snapshot(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (n) => `${n} ${(await stat(path.join(dir, n))).mtimeMs}`));
}
