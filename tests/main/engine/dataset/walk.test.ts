import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderFingerprint } from '../../../../main/engine/dataset/walk.js';
import { tempFolders } from '../../../support/temp.js';

const temp = tempFolders('duet-walk-');

describe('folderFingerprint', () => {
  it('stays while a folder is only read, and changes with what it holds', async () => {
    const root = await temp.make();
    await mkdir(join(root, 'maps'));
    await writeFile(join(root, 'maps', 'a.png'), 'aaaa');
    const first = await folderFingerprint(root);
    await readFile(join(root, 'maps', 'a.png'));
    expect(await folderFingerprint(root)).toBe(first);

    // The same bytes written again at another time: its contents may have changed.
    await utimes(join(root, 'maps', 'a.png'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const touched = await folderFingerprint(root);
    expect(touched).not.toBe(first);

    await writeFile(join(root, 'maps', 'b.png'), 'bbbb');
    const added = await folderFingerprint(root);
    expect(added).not.toBe(touched);

    // An empty sub-folder holds no file, but can change the layout a scan finds (trainA/ trainB/).
    await mkdir(join(root, 'trainA'));
    expect(await folderFingerprint(root)).not.toBe(added);
  });
});
