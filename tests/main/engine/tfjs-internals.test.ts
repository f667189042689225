import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assertTfjsVersions,
  installedTfjsVersions,
  TFJS_PACKAGES,
  TFJS_VERSION,
} from '../../../main/engine/tfjs-internals.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<
    string,
    { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
  >;
};

describe('tfjs version check at start-up', () => {
  it('finds the required packages installed at the version the internals were written for', () => {
    const installed = installedTfjsVersions();
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu']) {
      expect(installed[name], name).toBe(TFJS_VERSION);
    }
    expect(() => assertTfjsVersions()).not.toThrow();
  });

  it('pins every @tensorflow package in package.json to exactly that version, and the lock agrees', () => {
    const declared = {
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.devDependencies,
    };
    const tfjs = Object.entries(declared).filter(([name]) => name.startsWith('@tensorflow/'));
    expect(tfjs.map(([name]) => name).sort()).toEqual([...TFJS_PACKAGES].sort());
    for (const [name, range] of tfjs) {
      expect(range, name).toBe(TFJS_VERSION);
      const root = lock.packages[''];
      expect({ ...root?.dependencies, ...root?.optionalDependencies }[name], name).toBe(TFJS_VERSION);
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(TFJS_VERSION);
    }
  });
});
