/** The command line as a client of the engine service: same operations and checks as the window's. */
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../../main/cli/engine.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'duet-cli-engine-'));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe('the command line’s engine', () => {
  it('answers engine operations, validated both ways, and refuses the window’s own', async () => {
    const engine = openEngine(path.join(tmp, 'ws'));
    try {
      expect(await engine.api.getModelLibrary()).toEqual({ models: [], problems: [] });
      await expect(engine.api.getModel({ modelId: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
      await expect(engine.api.renameModel({ modelId: 'x', name: '' })).rejects.toMatchObject({
        code: 'invalid-request',
        message: expect.stringMatching(/^Invalid request for renameModel: name/),
      });
      await expect(engine.api.getSystemInfo()).rejects.toMatchObject({ code: 'not-available' });
      expect(engine.api.transport).toBe('cli');
    } finally {
      await engine.close();
    }
  });

  it('is the only way the train, translate, models and eval commands reach the engine', () => {
    // Choosing the backend and the workspace happen before the engine exists; a run's folder name and a
    // duration's wording are pure helpers; the rest is the service's.
    const allowed = new Set(['backend.js', 'workspace.js', 'runs/layout.js', 'runs/speed.js']);
    for (const command of ['train', 'translate', 'models', 'eval']) {
      const source = readFileSync(path.resolve('main/cli', `${command}.ts`), 'utf8');
      const reaches = [...source.matchAll(/from '\.\.\/engine\/([^']+)'/g)].map((m) => m[1]);
      expect(
        reaches.filter((m) => !allowed.has(m as string)),
        command,
      ).toEqual([]);
    }
  });
});
