import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  syncDir,
  writeFileAtomic,
  writeFileAtomicSync,
  writeFileDurably,
  writeJsonAtomic,
} from '../../../main/engine/atomic-files.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'duet-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic writes', () => {
  it('replaces a file whole and leaves no temporary file beside it', async () => {
    const file = path.join(dir, 'status.json');
    await writeFile(file, 'old');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), { durable: true });
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    await writeJsonAtomic(file, { a: 1 });
    expect(await readFile(file, 'utf8')).toBe('{\n  "a": 1\n}\n');
    writeFileAtomicSync(file, 'sync');
    expect(await readFile(file, 'utf8')).toBe('sync');
    expect(await readdir(dir)).toEqual(['status.json']);
  });

  it('writes a byte view of a larger buffer, not the whole buffer', async () => {
    const file = path.join(dir, 'part.bin');
    const whole = new Uint8Array([9, 8, 7, 6, 5]);
    await writeFileAtomic(file, whole.subarray(1, 3));
    expect([...(await readFile(file))]).toEqual([8, 7]);
  });

  it('fails without touching the target when its folder is missing', async () => {
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writeFileDurably refuses to overwrite, and syncDir accepts a folder', async () => {
    const file = path.join(dir, 'weights.bin');
    await writeFileDurably(file, new Uint8Array([4]));
    await expect(writeFileDurably(file, new Uint8Array([5]))).rejects.toThrow(/EEXIST/);
    expect([...(await readFile(file))]).toEqual([4]);
    await expect(syncDir(dir)).resolves.toBeUndefined();
  });
});
