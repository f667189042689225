#!/usr/bin/env node
// `npm start`: the desktop app where Electron's binary exists; where it does not (it cannot be
// downloaded on every machine), say so and start `duet serve` in its place, printing the URL.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from './build.mjs';

const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

let bin = electronBinary();
if (!bin && !process.env.DUET_NO_ELECTRON_DOWNLOAD) {
  console.log('Electron binary not installed; trying to download it once (skip with DUET_NO_ELECTRON_DOWNLOAD=1)…');
  const r = spawnSync(process.execPath, [require.resolve('electron/install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  bin = electronBinary();
  if (!bin) {
    // One line of why (the installer prints a whole stack trace): usually no network.
    const why = (r.stderr ?? '').split('\n').find((l) => /Error|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN/.test(l));
    console.log(`Could not download Electron${why ? `: ${why.trim()}` : r.error ? `: ${r.error.message}` : ''}.`);
  }
}

const status = build();
if (status !== 0) process.exit(status);

if (bin) {
  const child = spawn('npx', ['electron-vite', 'preview'], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('No Electron binary on this machine: starting `duet serve` instead. Open the URL it prints.');
  const child = spawn(process.execPath, ['bin/duet.js', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  // Ctrl-C reaches `duet serve` too (same terminal): wait for it to stop its run with a checkpoint.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
}
