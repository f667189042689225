// Finds a Chromium for the end-to-end specs: DUET_CHROMIUM, Debian's chromium, a system Chrome, or the
// browser Playwright keeps in its own cache. Where there is none and this user may install packages (root,
// or password-less sudo, with apt), installs Debian's chromium and says so. Never downloads a browser build.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];

function runs(path) {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return false;
  }
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0;
}

function playwrightsOwn() {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** The first usable browser, or undefined. `DUET_CHROMIUM` must work when it is set: it is never passed over. */
export function findChromium(env = process.env) {
  if (env.DUET_CHROMIUM) return runs(env.DUET_CHROMIUM) ? env.DUET_CHROMIUM : undefined;
  for (const candidate of [...SYSTEM_BROWSERS, playwrightsOwn()]) {
    if (candidate && runs(candidate)) return candidate;
  }
  return undefined;
}

/** How this user could install Debian's chromium without a prompt: ['sudo', '-n'] / [] (root) / null. */
function installer() {
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) return null;
  if (process.getuid?.() === 0) return [];
  if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return ['sudo', '-n'];
  return null;
}

/**
 * A usable browser path, installing Debian's chromium where that is allowed; otherwise `{ missing }` with one
 * line that says what to install.
 */
export function ensureChromium(log = console.log) {
  const found = findChromium();
  if (found) return { path: found };
  if (process.env.DUET_CHROMIUM) {
    return {
      missing: `DUET_CHROMIUM is set to ${process.env.DUET_CHROMIUM}, which does not start (--version failed).`,
    };
  }
  const prefix = installer();
  if (prefix) {
    log(
      'No Chromium on this machine: installing Debian’s chromium for the end-to-end specs (apt-get install chromium)…',
    );
    const sh = (args) => {
      const [cmd, ...rest] = [...prefix, ...args];
      return spawnSync(cmd, rest, {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status;
    };
    if (sh(['apt-get', 'update', '-qq']) === 0 && sh(['apt-get', 'install', '-y', '-qq', 'chromium']) === 0) {
      const installed = findChromium();
      if (installed) {
        log(`Installed ${installed}.`);
        return { path: installed };
      }
    }
    return { missing: 'Installing Debian’s chromium failed (see apt-get’s message above).' };
  }
  return {
    missing:
      'No Chromium for the end-to-end specs: install one (Debian/Ubuntu: sudo apt-get install chromium) or set DUET_CHROMIUM to a Chrome or Chromium binary.',
  };
}
