import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuetError } from '#contract';
import { InProcessEngine } from '../../../../main/engine/process/in-process.js';

let tmp: string;
let workspace: string;
let engine: InProcessEngine;

async function png(file: string, size = 32, shade = 100): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width: size, height: size, channels: 3, background: { r: shade, g: 50, b: 20 } } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-service-'));
  workspace = path.join(tmp, 'ws');
  engine = new InProcessEngine(workspace);
  for (let i = 0; i < 3; i++) {
    await png(path.join(tmp, 'horses', `h${i}.png`), 32, 40 * i);
    await png(path.join(tmp, 'zebras', `z${i}.png`), 32, 200 - 40 * i);
  }
  writeFileSync(path.join(tmp, 'zebras', 'readme.txt'), 'not an image');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function failure(op: string, payload: unknown): Promise<DuetError> {
  try {
    await engine.request(op, payload);
  } catch (err) {
    return err as DuetError;
  }
  throw new Error(`${op} did not fail`);
}

describe('EngineService: projects', () => {
  it('creates, lists, opens, updates and deletes projects in the workspace', async () => {
    const p = (await engine.request('createProject', {
      name: 'Horses ↔ Zebras',
      domainA: path.join(tmp, 'horses'),
      settings: { size: 64 },
    })) as { id: string; settings: Record<string, unknown>; domainA: string };
    expect(p.id).toMatch(/^horses-zebras-[0-9a-f]{6}$/);
    expect(p.settings).toEqual({ size: 64 }); // only what was chosen, no defaults filled in
    expect(readdirSync(path.join(workspace, 'projects', p.id))).toContain('project.json');
    const opened = (await engine.request('openProject', { projectId: p.id })) as {
      project: { id: string };
      runs: unknown[];
    };
    expect(opened.project.id).toBe(p.id);
    const updated = (await engine.request('updateProject', { projectId: p.id, domainB: path.join(tmp, 'zebras') })) as {
      domainA: string;
      domainB: string;
    };
    expect(updated).toMatchObject({ domainA: path.join(tmp, 'horses'), domainB: path.join(tmp, 'zebras') });
    expect(((await engine.request('listProjects')) as unknown[]).length).toBe(1);
    await engine.request('deleteProject', { projectId: p.id });
    expect(await engine.request('listProjects')).toEqual([]);
    // The domain folders are the user's: untouched.
    expect(readdirSync(path.join(tmp, 'horses')).length).toBe(3);
  });

  it('says clearly what is wrong with a bad project request', async () => {
    expect(await failure('createProject', { name: 'x', domainA: path.join(tmp, 'nope') })).toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/Domain A folder does not exist/),
    });
    expect(await failure('createProject', { name: 'x', domainA: path.join(tmp, 'horses', 'h0.png') })).toMatchObject({
      code: 'invalid-request',
      message: expect.stringMatching(/must be a folder/),
    });
    expect(await failure('openProject', { projectId: 'missing-1' })).toMatchObject({ code: 'not-found' });
    expect(await failure('openProject', { projectId: '../etc' })).toMatchObject({ code: 'invalid-request' });
  });
});

describe('EngineService: data', () => {
  it('scans two folders and lists skipped files with reasons', async () => {
    const report = (await engine.request('scanFolders', {
      a: path.join(tmp, 'horses'),
      b: path.join(tmp, 'zebras'),
    })) as {
      layout: string;
      a: { images: unknown[] };
      b: { images: unknown[]; skipped: Array<{ path: string; reason: string }> };
      pairing: { kind: string };
    };
    expect(report.layout).toBe('two-folders');
    expect(report.a.images.length).toBe(3);
    expect(report.b.images.length).toBe(3);
    expect(report.b.skipped.map((s) => path.basename(s.path))).toEqual(['readme.txt']);
    expect(report.pairing.kind).toBe('unpaired');
    expect(await failure('scanFolders', { a: path.join(tmp, 'none') })).toMatchObject({ code: 'not-found' });
  });

  it('writes uploaded files into the workspace, never outside it', async () => {
    const bytes = Buffer.from('hello');
    const first = (await engine.request('uploadFiles', {
      label: 'My Photos',
      files: [{ relativePath: 'trainA/a.png', base64: bytes.toString('base64') }],
    })) as { uploadId: string; folder: string; written: number };
    expect(first.folder.startsWith(path.join(workspace, 'uploads'))).toBe(true);
    const second = (await engine.request('uploadFiles', {
      uploadId: first.uploadId,
      label: 'My Photos',
      files: [{ relativePath: 'trainB\\b.png', base64: bytes.toString('base64') }],
    })) as { folder: string };
    expect(second.folder).toBe(first.folder);
    expect(readdirSync(path.join(first.folder, 'trainB'))).toEqual(['b.png']);
    for (const bad of ['../escape.png', '/abs.png', 'C:/x.png', 'a/../../b.png']) {
      expect(
        await failure('uploadFiles', {
          label: 'x',
          uploadId: first.uploadId,
          files: [{ relativePath: bad, base64: '' }],
        }),
        bad,
      ).toMatchObject({ code: 'invalid-request' });
    }
    expect(await failure('uploadFiles', { label: 'x', uploadId: '../../x', files: [] })).toMatchObject({
      code: 'invalid-request',
    });
  });
});

describe('EngineService: library and presets', () => {
  it('lists an empty library and reports a missing model as not found', async () => {
    expect(await engine.request('listModels')).toEqual([]);
    expect(await failure('renameModel', { modelId: 'nope', name: 'x' })).toMatchObject({ code: 'not-found' });
    expect(await failure('startTranslate', { modelId: 'nope', inputs: [path.join(tmp, 'horses')] })).toMatchObject({
      code: 'not-found',
    });
    expect(await failure('cancelTranslate', { jobId: 'job-x' })).toMatchObject({ code: 'not-found' });
    expect(await failure('exportModel', { modelId: 'nope', format: 'onnx' })).toMatchObject({ code: 'not-available' });
  });

  it('gives the presets for a model type', async () => {
    const presets = (await engine.request('listPresets', { model: 'pix2pix' })) as Array<{
      name: string;
      settings: { model: string };
    }>;
    expect(presets.map((p) => p.name)).toEqual(['quick', 'balanced', 'reference']);
    expect(presets.every((p) => p.settings.model === 'pix2pix')).toBe(true);
  });

  it('gives the settings a model type uses with no preset (the Custom form)', async () => {
    expect(await engine.request('defaultSettings', { model: 'pix2pix' })).toMatchObject({
      model: 'pix2pix',
      generator: 'unet_256',
      norm: 'batch',
    });
    expect(await engine.request('defaultSettings', {})).toMatchObject({
      model: 'cyclegan',
      generator: 'resnet_9blocks',
    });
  });
});

describe('EngineService: sample project', () => {
  it('generates the sample world into the workspace and makes a project of it', async () => {
    const t0 = Date.now();
    const p = (await engine.request('createSampleProject', {})) as { sample: boolean; domainA: string; model: string };
    console.log(`sample project generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (2 shared cores)`);
    expect(p.sample).toBe(true);
    expect(p.domainA.startsWith(path.join(workspace, 'samples'))).toBe(true);
    expect(readdirSync(p.domainA).sort()).toEqual(expect.arrayContaining(['trainA', 'trainB', 'testA', 'testB']));
    expect(p.model).toBe('pix2pix');
    // What the window asks when it opens the project: one scan of the project's folder shows both
    // domains, the pairing, the held-out test split, and that it can train.
    const report = (await engine.request('scanFolders', { a: p.domainA, b: null })) as Record<string, unknown> & {
      a: { name: string; images: unknown[] };
      b: { name: string; images: unknown[] } | null;
    };
    expect(report).toMatchObject({
      layout: 'train-test-folders',
      bothInOneFolder: true,
      canTrain: true,
      whyNot: null,
      split: 'train',
      heldOut: ['testA', 'testB'],
      pairing: { kind: 'paired-names', suggestedModel: 'pix2pix', pairs: 96 },
    });
    expect([report.a.name, report.b?.name]).toEqual(['trainA', 'trainB']);
    expect([report.a.images.length, report.b?.images.length]).toEqual([96, 96]);
  }, 180_000);
});
