/**
 * previewOutputColours through the engine (requests and answers through the contract's schemas): the
 * flat colours of the folders a run would draw into, told before it starts, from tiny generated folders.
 */
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DuetRequest, DuetResponse } from '#contract';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';
import { FLAT_COLOURS, imageFolder, makeWorkspace } from '../../../support/runs.js';
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

async function snapshot(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (n) => `${n} ${(await stat(path.join(dir, n))).mtimeMs}`));
}
