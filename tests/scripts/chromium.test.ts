import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureChromium, findChromium } from '../../scripts/chromium.mjs';

const dir = await mkdtemp(path.join(tmpdir(), 'duet-chromium-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fakeBrowser(name: string, exitCode: number): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\necho "Chromium 1.2.3"\nexit ${exitCode}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('finding a Chromium for the end-to-end specs', () => {
  it('takes DUET_CHROMIUM when it starts', async () => {
    const ok = await fakeBrowser('works', 0);
    expect(findChromium({ DUET_CHROMIUM: ok })).toBe(ok);
  });

  it('never passes over a DUET_CHROMIUM that does not start, and says why', async () => {
    const broken = await fakeBrowser('broken', 1);
    expect(findChromium({ DUET_CHROMIUM: broken })).toBeUndefined();
    expect(findChromium({ DUET_CHROMIUM: path.join(dir, 'absent') })).toBeUndefined();
    const before = process.env.DUET_CHROMIUM;
    process.env.DUET_CHROMIUM = broken;
    try {
      const lines: string[] = [];
      expect(ensureChromium((l: string) => lines.push(l))).toEqual({
        missing: `DUET_CHROMIUM is set to ${broken}, which does not start (--version failed).`,
      });
      expect(lines).toEqual([]); // nothing installed behind the user's back
    } finally {
      if (before === undefined) delete process.env.DUET_CHROMIUM;
      else process.env.DUET_CHROMIUM = before;
    }
  });
});
