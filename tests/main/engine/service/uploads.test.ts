/**
 * Finding 6 (uploads): names with control characters or line breaks, invalid base64, and a too-long name
 * after good files — each refused, and a refused batch writes nothing at all.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeUploadBase64, writeUploadBatch } from '../../../../main/engine/service/uploads.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-uploads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('uploads are checked whole before anything is written', () => {
  it('refuses control characters, line breaks and bidi marks in names', async () => {
    for (const name of ['a\nb.png', 'a\rb.png', 'x/\u0007.png', 'evil\u202Egnp.exe', 'tab\there.png']) {
      const ws = mkdtempSync(path.join(tmp, 'ws-'));
      await expect(
        writeUploadBatch(ws, { uploadId: 'u1', label: 'x', files: [{ relativePath: name, base64: b64('x') }] }),
      ).rejects.toMatchObject({ code: 'invalid-request', message: expect.stringMatching(/control character/) });
      expect(existsSync(path.join(ws, 'uploads'))).toBe(false);
    }
  });

  it('refuses invalid base64 instead of decoding what it can', async () => {
    for (const bad of ['not base64!', 'abc', 'YW Jj', 'YWJj=YWJj', '@@@@']) {
      expect(() => decodeUploadBase64(bad, 'a.png'), bad).toThrow(/not valid base64/);
    }
    expect(decodeUploadBase64(b64('hello'), 'a.png').toString()).toBe('hello');
    expect(decodeUploadBase64('', 'empty.png').byteLength).toBe(0);
  });

  it('writes none of a batch whose last file has a bad name or bad data', async () => {
    const ws = mkdtempSync(path.join(tmp, 'ws-'));
    const good = [
      { relativePath: 'trainA/1.png', base64: b64('one') },
      { relativePath: 'trainA/2.png', base64: b64('two') },
    ];
    for (const last of [
      { relativePath: `trainA/${'n'.repeat(300)}.png`, base64: b64('x') },
      { relativePath: 'trainA/3.png', base64: '%%%%' },
    ]) {
      await expect(writeUploadBatch(ws, { uploadId: 'u1', label: 'x', files: [...good, last] })).rejects.toMatchObject({
        code: 'invalid-request',
      });
      expect(existsSync(path.join(ws, 'uploads'))).toBe(false);
    }
    const ok = await writeUploadBatch(ws, { uploadId: 'u1', label: 'x', files: good });
    expect(ok.written).toBe(2);
    expect(readdirSync(path.join(ok.folder, 'trainA')).sort()).toEqual(['1.png', '2.png']);
    expect(readFileSync(path.join(ok.folder, 'trainA', '2.png'), 'utf8')).toBe('two');
  });

  it('keeps ordinary names, including non-Latin ones', async () => {
    const ws = mkdtempSync(path.join(tmp, 'ws-'));
    const r = await writeUploadBatch(ws, {
      uploadId: 'u2',
      label: 'x',
      files: [{ relativePath: 'карты/東京 1.png', base64: b64('x') }],
    });
    expect(existsSync(path.join(r.folder, 'карты', '東京 1.png'))).toBe(true);
  });
});
