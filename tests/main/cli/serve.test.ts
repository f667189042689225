import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createServeClient } from '#contract';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-serve-cli-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('duet serve (the command)', () => {
  it('prints its URL, serves the API with a real engine process, and exits cleanly on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      ['bin/duet.js', 'serve', '--port', '0', '--json', '--workspace', tmp, '--backend', 'cpu'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child?.stdout as NodeJS.ReadableStream });
      rl.once('line', resolve);
      child?.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    const { url, token, port } = JSON.parse(line) as { url: string; token: string; port: number };
    expect(url).toBe(`http://127.0.0.1:${port}/?token=${token}`);

    const api = createServeClient({
      origin: new URL(url).origin,
      token,
      webSocket: (u) => new WebSocket(u) as never,
      timeoutMs: 120_000,
    });
    const info = await api.getSystemInfo();
    expect(info).toMatchObject({ transport: 'serve', workspace: tmp, electron: null });
    expect(info.backend?.candidate).toBe('cpu');
    const project = await api.createProject({ name: 'From the CLI' });
    expect((await api.listProjects()).map((p) => p.id)).toEqual([project.id]);

    // A folder dropped in a browser: uploaded into the workspace, then scanned there.
    const png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const fileLike = (name: string, bytes: Buffer) => ({
      name,
      size: bytes.length,
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    });
    const uploaded = await api.uploadDroppedFiles(
      [
        { file: fileLike('a.png', png), relativePath: 'trainA/a.png' },
        { file: fileLike('b.png', png), relativePath: 'trainB/a.png' },
        { file: fileLike('x.txt', Buffer.from('hi')), relativePath: 'trainA/x.txt' },
      ],
      'dropped',
    );
    expect(uploaded.folder.startsWith(path.join(tmp, 'uploads'))).toBe(true);
    const scan = await api.scanFolders({ a: uploaded.folder });
    expect(scan.layout).toBe('train-test-folders');
    expect(scan.a.images.map((i) => i.relative)).toEqual(['a.png']);
    expect(scan.a.skipped.map((f) => path.basename(f.path))).toEqual(['x.txt']);
    // Thumbnails of the scanned folder come through the media path check.
    const thumb = await fetch(api.mediaUrl(scan.a.images[0]?.path ?? '', { width: 16 }));
    expect(thumb.status).toBe(200);
    api.close();

    const exit = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toMatch(/SIGTERM: stopping runs with a checkpoint/);
  }, 180_000);

  it('refuses a bad port with a clear message', async () => {
    const c = spawn(process.execPath, ['bin/duet.js', 'serve', '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    c.stderr?.on('data', (d) => {
      err += String(d);
    });
    const code = await new Promise<number | null>((resolve) => c.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toMatch(/--port must be a whole number/);
  }, 60_000);
});
