/** Temporary folders for one test file, all removed after its last test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface TempFolders {
  /** A new empty folder under the system's temp folder. */
  make(): Promise<string>;
  /** Remove a folder made elsewhere (a generated corpus) with the others. */
  track(dir: string): void;
}

export function tempFolders(prefix: string): TempFolders {
  const made: string[] = [];
  afterAll(async () => {
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    track: (dir) => {
      made.push(dir);
    },
  };
}
