/**
 * Layer rules (DESIGN §2): models/, renderer/ and contract/ run anywhere — a browser, a worker, any tfjs
 * backend — so they never import main/, preload/, Node's built-ins or Electron. Checked here on every
 * import specifier of every source file, so a stray import fails the suite, not a review.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PORTABLE_LAYERS = ['models', 'renderer/src', 'contract'];
const FORBIDDEN_FOLDERS = ['main', 'preload'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Every module specifier in a source text: static imports and re-exports, dynamic import(), require(). */
function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

/** Why an import from `file` breaks the layer rules, or null when it is allowed. */
function layerViolation(file: string, specifier: string): string | null {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return 'imports Electron';
  if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0]!)) return `imports Node's ${specifier}`;
  if (specifier.startsWith('.')) {
    const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier));
    const top = target.split(path.sep)[0]!;
    if (FORBIDDEN_FOLDERS.includes(top)) return `reaches into ${top}/ (${specifier})`;
  }
  return null;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push(full);
  }
  return out;
}

describe('layer rules', () => {
  it('recognises each kind of forbidden import (the check itself can fail)', () => {
    const file = path.join(ROOT, 'models/x.ts');
    const text = `import fs from 'node:fs';\nimport { a } from '../main/engine/backend.js';\nconst e = await import('electron');\nexport * from "path";\nconst b = require('../preload/index');`;
    const why = importSpecifiers(text).map((s) => layerViolation(file, s));
    expect(why).toEqual([
      "imports Node's node:fs",
      'reaches into main/ (../main/engine/backend.js)',
      "imports Node's path",
      'imports Electron',
      'reaches into preload/ (../preload/index)',
    ]);
    expect(layerViolation(file, '#contract')).toBeNull();
    expect(layerViolation(file, '@tensorflow/tfjs-core')).toBeNull();
    expect(layerViolation(file, './layers.js')).toBeNull();
  });

  for (const layer of PORTABLE_LAYERS) {
    it(`${layer}/ imports no main/, preload/, Node or Electron`, () => {
      const files = sourceFiles(path.join(ROOT, layer));
      expect(files.length).toBeGreaterThan(0);
      const violations = files.flatMap((file) =>
        importSpecifiers(readFileSync(file, 'utf8'))
          .map((s) => layerViolation(file, s))
          .filter((why): why is string => why !== null)
          .map((why) => `${path.relative(ROOT, file)} ${why}`),
      );
      expect(violations).toEqual([]);
    });
  }
});
