/**
 * The fake DuetApi as a script for `page.addInitScript`: fakeDuet.ts bundled with zod and the contract
 * (by Vite, as the window itself is built), so in the page its answers still go through the real schemas.
 */
import { resolve } from 'node:path';
import { build, type Rolldown } from 'vite';
import type { FakeDuetOptions } from './fakeDuet.js';

const GLOBAL = 'DuetFake';
let bundle: Promise<string> | undefined;

async function buildBundle(): Promise<string> {
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    root: resolve(import.meta.dirname, '../../..'),
    build: {
      write: false,
      minify: false,
      emptyOutDir: false,
      lib: { entry: resolve(import.meta.dirname, 'fakeDuet.ts'), formats: ['iife'], name: GLOBAL },
    },
  });
  const outputs = (Array.isArray(out) ? out : [out]) as Rolldown.RolldownOutput[];
  const chunk = outputs[0]?.output.find((o) => o.type === 'chunk');
  if (chunk?.type !== 'chunk') throw new Error('bundling the fake DuetApi produced no script');
  return chunk.code;
}

/** The init script that installs the fake with these options (bundled once per worker). */
export async function fakeDuetInitScript(options: FakeDuetOptions): Promise<{ content: string }> {
  bundle ??= buildBundle();
  return { content: `${await bundle}\n${GLOBAL}.installFakeDuet(${JSON.stringify(options)});` };
}
