#!/usr/bin/env node
// Builds Duet (the window, the preload, the Electron main, the engine process and the command line: one
// `electron-vite build` into out/) and stamps the build, so bin/duet.js can tell a current build from a
// stale one. Run by `npm ci` / `npm install` (prepare), by `npm run build`, and by bin/duet.js on first use
// after the sources changed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'out');
const STAMP = path.join(OUT, 'build-stamp.json');
const LOCK = path.join(OUT, '.build-lock');
/** What a build is made from: a change to any of these makes the build stale. */
const SOURCES = ['main', 'models', 'contract', 'preload', 'renderer', 'package.json', 'electron.vite.config.ts'];

function newestMtime(entry) {
  let st;
  try {
    st = statSync(entry);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

/** 'missing', 'stale' or 'current'. */
export function buildState() {
  let builtAt;
  try {
    builtAt = JSON.parse(readFileSync(STAMP, 'utf8')).builtAt;
  } catch {
    return 'missing';
  }
  const sources = Math.max(...SOURCES.map((s) => newestMtime(path.join(ROOT, s))));
  return typeof builtAt === 'number' && sources <= builtAt ? 'current' : 'stale';
}

function electronViteBin() {
  const bin = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  try {
    statSync(bin);
    return bin;
  } catch {
    return undefined;
  }
}

/** Whether this install can build (electron-vite is a development dependency). */
export function canBuild() {
  return electronViteBin() !== undefined;
}

/** Builds once, even when several processes ask at the same time (a lock folder in out/). Returns the status. */
export function build({ quiet = false } = {}) {
  mkdirSync(OUT, { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another process is building: wait for it, then use its build. A lock older than 5 minutes is left over.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {}
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another Duet build (${LOCK})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (buildState() === 'current') return 0;
    const startedAt = Date.now();
    const r = spawnSync(process.execPath, [electronViteBin(), 'build'], {
      cwd: ROOT,
      stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    if (r.status !== 0) return r.status ?? 1;
    writeFileSync(STAMP, `${JSON.stringify({ builtAt: startedAt })}\n`);
    return 0;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!canBuild()) {
    console.log('duet: electron-vite is not installed (a production install); nothing to build.');
    process.exit(0);
  }
  process.exit(build());
}
