import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CheckpointIo,
  CheckpointWriteError,
  cleanupTempCheckpoints,
  DEFAULT_CHECKPOINT_IO,
  listCheckpoints,
  loadCheckpoint,
  MANIFEST_NAME,
  verifyCheckpoint,
  writeCheckpoint,
} from '../../../../main/engine/runs/checkpoints.js';
import { checkpointDir, tempCheckpointDir } from '../../../../main/engine/runs/layout.js';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-ckpt-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const files = (seed: number) => [
  { name: 'weights.bin', data: new Uint8Array(Array.from({ length: 1000 }, (_, i) => (i * seed) % 251)) },
  { name: 'state.json', data: Buffer.from(JSON.stringify({ seed })) },
];

/** Simulates a disk that fails with `code` once `allowed` files have been written. */
function failingIo(code: string, allowed = 1): CheckpointIo {
  let written = 0;
  return {
    async writeFile(file, data) {
      if (written++ >= allowed) {
        throw Object.assign(new Error(`${code}: simulated`), { code });
      }
      await DEFAULT_CHECKPOINT_IO.writeFile(file, data);
    },
  };
}

describe('checkpoints', () => {
  it('writes files with a manifest of SHA-256 hashes and reads them back verified', async () => {
    const info = await writeCheckpoint(root, 10, files(3), { meta: { epoch: 1 } });
    expect(info.path).toBe(checkpointDir(root, 10));
    const loaded = await verifyCheckpoint(info.path);
    expect(loaded.manifest.iteration).toBe(10);
    expect(loaded.manifest.meta).toEqual({ epoch: 1 });
    expect(loaded.manifest.files.map((f) => f.name)).toEqual(['weights.bin', 'state.json']);
    expect(loaded.manifest.files[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Uint8Array(loaded.files.get('weights.bin')!)).toEqual(files(3)[0]!.data);
    // No temp folder is left behind.
    expect(await fs.readdir(path.join(root, 'checkpoints'))).toEqual(['00000010']);
  });

  it('keeps only the newest K', async () => {
    for (const it of [1, 2, 3, 4, 5]) await writeCheckpoint(root, it * 10, files(it), { keep: 2 });
    expect((await listCheckpoints(root)).map((c) => c.iteration)).toEqual([40, 50]);
  });

  it('refuses a damaged checkpoint and falls back to the previous sound one', async () => {
    await writeCheckpoint(root, 10, files(1));
    await writeCheckpoint(root, 20, files(2));
    const weights = path.join(checkpointDir(root, 20), 'weights.bin');
    const bytes = await fs.readFile(weights);
    bytes[17] = (bytes[17]! + 1) % 256;
    await fs.writeFile(weights, bytes);
    await expect(verifyCheckpoint(checkpointDir(root, 20))).rejects.toThrow(/weights.bin does not match its SHA-256/);
    await expect(loadCheckpoint(root, { iteration: 20 })).rejects.toThrow(/SHA-256/);
    const found = await loadCheckpoint(root);
    expect(found.manifest.iteration).toBe(10);
    expect(found.skipped).toEqual([{ iteration: 20, reason: expect.stringMatching(/SHA-256/) }]);
  });

  it('detects truncated and missing files and a missing manifest', async () => {
    await writeCheckpoint(root, 1, files(1));
    const dir = checkpointDir(root, 1);
    await fs.truncate(path.join(dir, 'weights.bin'), 10);
    await expect(verifyCheckpoint(dir)).rejects.toThrow(/has 10 bytes, the manifest says 1000/);
    await fs.rm(path.join(dir, 'weights.bin'));
    await expect(verifyCheckpoint(dir)).rejects.toThrow(/missing weights.bin/);
    await fs.rm(path.join(dir, MANIFEST_NAME));
    await expect(verifyCheckpoint(dir)).rejects.toThrow(/no readable manifest/);
    await expect(loadCheckpoint(root)).rejects.toThrow(/No usable checkpoint/);
  });

  it('never loads a half-written temp folder, and cleans it up', async () => {
    await writeCheckpoint(root, 10, files(1));
    // A crash mid-write leaves a temp folder for a later iteration, complete with a manifest.
    const temp = tempCheckpointDir(root, 20, 'crashed');
    await fs.mkdir(temp);
    await fs.writeFile(path.join(temp, 'weights.bin'), 'partial');
    expect((await listCheckpoints(root)).map((c) => c.iteration)).toEqual([10]);
    expect((await loadCheckpoint(root)).manifest.iteration).toBe(10);
    expect(await cleanupTempCheckpoints(root)).toEqual([path.basename(temp)]);
    expect(await fs.readdir(path.join(root, 'checkpoints'))).toEqual(['00000010']);
  });

  it('a full disk gives a clear error, leaves no temp folder and the previous checkpoint survives', async () => {
    await writeCheckpoint(root, 10, files(1));
    const error = await writeCheckpoint(root, 20, files(2), { io: failingIo('ENOSPC') }).catch((e) => e);
    expect(error).toBeInstanceOf(CheckpointWriteError);
    expect(error.message).toMatch(
      /iteration 20.*the disk is full \(ENOSPC\).*previous checkpoint \(iteration 10\) is intact.*Free some space/,
    );
    expect(await fs.readdir(path.join(root, 'checkpoints'))).toEqual(['00000010']);
    expect((await loadCheckpoint(root)).manifest.iteration).toBe(10);
  });

  it('a read-only workspace gives a clear error', async () => {
    const error = await writeCheckpoint(root, 5, files(1), { io: failingIo('EROFS', 0) }).catch((e) => e);
    expect(error.message).toMatch(/read-only file system \(EROFS\).*No earlier checkpoint/);
  });

  it('really refuses to write into a folder without write permission', async () => {
    await writeCheckpoint(root, 10, files(1));
    await fs.chmod(root, 0o755);
    await fs.chmod(path.join(root, 'checkpoints'), 0o555);
    try {
      let message: string;
      if (process.getuid?.() === 0) {
        // Root ignores folder permissions: write as an unprivileged user in a child process instead.
        const script = path.join(root, 'probe.mts');
        const moduleUrl = pathToFileURL(path.resolve('main/engine/runs/checkpoints.ts')).href;
        await fs.writeFile(
          script,
          `import { writeCheckpoint } from ${JSON.stringify(moduleUrl)};
try { await writeCheckpoint(${JSON.stringify(root)}, 20, [{ name: 'w.bin', data: new Uint8Array(8) }]); console.log('written'); }
catch (e) { console.log(e.message); }`,
        );
        await fs.chmod(script, 0o644);
        const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
          uid: 65534,
          gid: 65534,
          encoding: 'utf8',
          env: { ...process.env, HOME: os.tmpdir() },
        });
        message = child.stdout;
      } else {
        message = (await writeCheckpoint(root, 20, files(2)).catch((e) => e)).message;
      }
      expect(message).toMatch(/iteration 20.*permission denied \(EACCES\).*iteration 10\) is intact/);
    } finally {
      await fs.chmod(path.join(root, 'checkpoints'), 0o755);
    }
    expect((await loadCheckpoint(root)).manifest.iteration).toBe(10);
    expect(await fs.readdir(path.join(root, 'checkpoints'))).toEqual(['00000010']);
  });

  it('writing the same iteration twice keeps the sound one', async () => {
    await writeCheckpoint(root, 10, files(1));
    await writeCheckpoint(root, 10, files(1));
    expect((await listCheckpoints(root)).map((c) => c.iteration)).toEqual([10]);
    expect(await fs.readdir(path.join(root, 'checkpoints'))).toEqual(['00000010']);
  });

  it('a chosen missing checkpoint lists those available', async () => {
    await writeCheckpoint(root, 10, files(1));
    await expect(loadCheckpoint(root, { iteration: 7 })).rejects.toThrow(/no checkpoint at iteration 7.*Available: 10/);
    await expect(loadCheckpoint(path.join(root, 'nothing'))).rejects.toThrow(/No checkpoint to resume from/);
  });

  it('refuses file names that are not plain names', async () => {
    await expect(writeCheckpoint(root, 1, [{ name: '../x', data: new Uint8Array(1) }])).rejects.toThrow(
      /Invalid checkpoint file name/,
    );
    await expect(writeCheckpoint(root, 1, [{ name: MANIFEST_NAME, data: new Uint8Array(1) }])).rejects.toThrow(
      /Invalid checkpoint file name/,
    );
  });
});
