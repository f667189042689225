import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMedia } from '../../../main/media.js';
import { isAllowedExternalUrl } from '../../../main/security/external-urls.js';
import { MediaAccessError, MediaRoots, resolveMediaPath } from '../../../main/security/media-path.js';

let tmp: string;
let ws: string;
let chosen: string;
let outside: string;
let roots: MediaRoots;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-media-'));
  ws = path.join(tmp, 'ws');
  chosen = path.join(tmp, 'photos');
  outside = path.join(tmp, 'private');
  for (const d of [ws, chosen, outside, path.join(ws, 'sub')]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(ws, 'sub', 'a.png'), 'png');
  writeFileSync(path.join(ws, 'notes.txt'), 'text');
  writeFileSync(path.join(chosen, 'b.jpg'), 'jpg');
  writeFileSync(path.join(outside, 'c.png'), 'secret');
  symlinkSync(path.join(outside, 'c.png'), path.join(ws, 'out-link.png'));
  symlinkSync(outside, path.join(chosen, 'out-dir'));
  symlinkSync(path.join(ws, 'sub', 'a.png'), path.join(chosen, 'in-link.png'));
  roots = new MediaRoots(ws);
  roots.add(chosen);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function refusal(p: string): Promise<number | 'allowed'> {
  try {
    await resolveMediaPath(p, roots);
    return 'allowed';
  } catch (err) {
    expect(err).toBeInstanceOf(MediaAccessError);
    return (err as MediaAccessError).status;
  }
}

describe('media path check', () => {
  it('serves workspace-relative paths and files under chosen folders', async () => {
    expect(await resolveMediaPath('sub/a.png', roots)).toBe(path.join(ws, 'sub', 'a.png'));
    expect(await resolveMediaPath(path.join(chosen, 'b.jpg'), roots)).toBe(path.join(chosen, 'b.jpg'));
    // A link that stays inside the roots is fine.
    expect(await resolveMediaPath(path.join(chosen, 'in-link.png'), roots)).toBe(path.join(ws, 'sub', 'a.png'));
  });

  it('refuses ../ escapes, however spelled', async () => {
    expect(await refusal('../private/c.png')).toBe(403);
    expect(await refusal('sub/../../private/c.png')).toBe(403);
    expect(await refusal('sub\\..\\..\\private\\c.png')).toBe(403);
    expect(await refusal(`${chosen}/../private/c.png`)).toBe(403);
  });

  it('refuses absolute paths outside the roots', async () => {
    expect(await refusal(path.join(outside, 'c.png'))).toBe(403);
    expect(await refusal('/etc/passwd')).toBe(403);
    expect(await refusal(`${ws}-other/x.png`)).toBe(403); // a sibling sharing the prefix is not inside
  });

  it('refuses symlinks that lead out of the roots', async () => {
    expect(await refusal('out-link.png')).toBe(403);
    expect(await refusal(path.join(chosen, 'out-dir', 'c.png'))).toBe(403);
  });

  it('refuses non-images, URLs, NUL bytes and missing files', async () => {
    expect(await refusal('notes.txt')).toBe(403);
    expect(await refusal('file:///etc/passwd')).toBe(400);
    expect(await refusal('sub/a.png\0.png')).toBe(400);
    expect(await refusal('sub/none.png')).toBe(404);
    expect(await refusal('sub')).toBe(403);
  });

  it('answers refusals as HTTP-style responses with the reason', async () => {
    const r = await readMedia(roots, '../private/c.png');
    expect(r.status).toBe(403);
    expect(r.body.toString()).toMatch(/may not contain/);
    const ok = await readMedia(roots, 'sub/a.png');
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('png');
  });
});

describe('external links', () => {
  it('opens only https links to allow-listed hosts', () => {
    expect(isAllowedExternalUrl('https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix')).toBe(true);
    expect(isAllowedExternalUrl('http://github.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://github.com.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });
});

describe('moving the workspace', () => {
  it('serves relative paths from the new workspace and stops serving the old one', async () => {
    const r = new MediaRoots(ws);
    const moved = path.join(tmp, 'moved');
    mkdirSync(path.join(moved, 'sub'), { recursive: true });
    writeFileSync(path.join(moved, 'sub', 'a.png'), 'new');
    r.setWorkspace(moved);
    expect(await resolveMediaPath('sub/a.png', r)).toBe(path.join(moved, 'sub', 'a.png'));
    await expect(resolveMediaPath(path.join(ws, 'sub', 'a.png'), r)).rejects.toMatchObject({ status: 403 });
  });
});
