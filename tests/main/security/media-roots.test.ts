import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { grantDroppedFolder } from '../../../main/security/dropped-folder.js';
import { MediaRoots } from '../../../main/security/media-path.js';
import { forbiddenRootReason } from '../../../main/security/media-roots.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-roots-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('folders that are never media roots (finding 2)', () => {
  it('refuses /, the home folder and its ancestors, and system folders with what is inside them', () => {
    const home = '/home/ada';
    for (const p of [
      '/',
      '/home',
      home,
      '/usr',
      '/usr/share',
      '/usr/share/backgrounds',
      '/etc',
      '/proc/self',
      '/var',
    ]) {
      expect(forbiddenRootReason(p, home), p).not.toBeNull();
    }
    expect(forbiddenRootReason('relative/dir', home)).toMatch(/absolute/);
  });

  it('allows ordinary folders, including ones inside home and /tmp', () => {
    const home = '/home/ada';
    for (const p of ['/home/ada/Pictures/maps', '/tmp/duet-data', '/data/aerial', '/mnt/photos/set1']) {
      expect(forbiddenRootReason(p, home), p).toBeNull();
    }
  });

  it('MediaRoots.add refuses forbidden folders and says so', () => {
    const roots = new MediaRoots(path.join(tmp, 'ws'));
    expect(roots.add('/')).toBe(false);
    expect(roots.add('/usr/share')).toBe(false);
    expect(roots.add(os.homedir())).toBe(false);
    expect(roots.add(tmp)).toBe(true);
    expect(roots.list()).toEqual([path.join(tmp, 'ws'), tmp]);
  });
});

describe('a dropped folder (desktop)', () => {
  const origins = ['duet-app://app'];
  const top = { url: 'duet-app://app/index.html', parent: null };

  it('becomes a root when Duet’s own top frame reports an existing folder', async () => {
    const folder = path.join(tmp, 'dropped');
    mkdirSync(folder);
    writeFileSync(path.join(tmp, 'file.png'), 'x');
    const roots = new MediaRoots(path.join(tmp, 'ws'));
    expect(await grantDroppedFolder(top, folder, roots, origins)).toBe(true);
    expect(roots.list()).toContain(folder);
    // Not from another frame, not a file, not a missing folder, not a forbidden one, not a non-string.
    const other = new MediaRoots(path.join(tmp, 'ws'));
    expect(await grantDroppedFolder({ url: 'https://evil.example/', parent: null }, folder, other, origins)).toBe(
      false,
    );
    expect(await grantDroppedFolder({ ...top, parent: {} }, folder, other, origins)).toBe(false);
    expect(await grantDroppedFolder(top, path.join(tmp, 'file.png'), other, origins)).toBe(false);
    expect(await grantDroppedFolder(top, path.join(tmp, 'missing'), other, origins)).toBe(false);
    expect(await grantDroppedFolder(top, '/usr/share', other, origins)).toBe(false);
    expect(await grantDroppedFolder(top, { path: folder }, other, origins)).toBe(false);
    expect(other.list()).toEqual([path.join(tmp, 'ws')]);
  });
});
