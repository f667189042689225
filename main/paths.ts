/**
 * Where Duet's own files are, whether it runs from its TypeScript sources (main/…) or from the bundles in
 * out/main/ (one file, or a chunk below it): the folder holding Duet's package.json, found by walking up
 * from the running module, so a path never depends on how deep the module sits.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function duetRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'duet') {
          root = dir;
          return root;
        }
      } catch {
        // not Duet's manifest; keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`Duet's package.json was not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** True when this code runs from the built bundles (out/main/…) rather than the TypeScript sources. */
export function runningFromBuild(): boolean {
  return !fileURLToPath(import.meta.url).endsWith('.ts');
}
