#!/usr/bin/env node
// Duet's command line. Runs the built bundle (out/main/cli.js, made at install by `prepare`); where the
// sources changed since, it rebuilds first (a few seconds, once). DUET_FROM_SOURCE=1 runs the TypeScript
// sources through tsx instead (development and the unit tests).
import { build as buildDuet, buildState, canBuild } from '../scripts/build.mjs';

async function fromSource() {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../main/cli/run.ts');
}

if (process.env.DUET_FROM_SOURCE === '1') {
  await fromSource();
} else {
  const state = buildState();
  if (state !== 'current') {
    if (!canBuild()) {
      process.stderr.write(
        `duet: the build in out/ is ${state} and electron-vite is not installed to rebuild it; run \`npm ci\`.\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`duet: building Duet (${state === 'missing' ? 'first run' : 'sources changed'})…\n`);
    const status = buildDuet({ quiet: true });
    if (status !== 0) {
      process.stderr.write('duet: the build failed (its errors are above); `npm run build` shows them again.\n');
      process.exit(status);
    }
  }
  await import('../out/main/cli.js');
}
