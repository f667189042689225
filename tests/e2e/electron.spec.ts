/**
 * Desktop smoke test: the real Electron app, launched through Playwright. Runs only where Electron's
 * binary is installed (it can't be downloaded everywhere); elsewhere it says why and skips.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test as base, type ElectronApplication, _electron as electron, expect, type Page } from '@playwright/test';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../..');

/** Electron's binary, or why there is none. */
function findElectron(): { path: string } | { reason: string } {
  let p: unknown;
  try {
    p = require('electron');
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0] ?? '';
    // The package throws this when its binary was never downloaded.
    if (/failed to install correctly/i.test(msg)) {
      return { reason: 'Electron’s binary is not installed here (installs skip its download; `npm start` fetches it)' };
    }
    return { reason: `the electron package does not load (${msg})` };
  }
  if (typeof p !== 'string' || !existsSync(p)) {
    return { reason: 'Electron’s binary is not installed here (installs skip its download; `npm start` fetches it)' };
  }
  return { path: p };
}

const found = findElectron();
const skipReason = 'reason' in found ? `electron.spec skipped: ${found.reason}.` : null;
if (skipReason) console.log(skipReason);

const test = base.extend<{ app: ElectronApplication; page: Page }>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads fixture dependencies from this pattern
  app: async ({}, use) => {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'duet-electron-'));
    const app = await electron.launch({
      executablePath: (found as { path: string }).path,
      args: [root],
      cwd: root,
      env: {
        ...process.env,
        DUET_USER_DATA: profile,
        DUET_WORKSPACE: path.join(profile, 'workspace'),
        DUET_BACKEND: 'cpu',
      },
    });
    await use(app);
    await app.close();
    rmSync(profile, { recursive: true, force: true });
  },
  page: async ({ app }, use) => {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    await use(page);
  },
});

test.skip(skipReason !== null, skipReason ?? '');

test.beforeAll(() => {
  if (!existsSync(path.join(root, 'out/main/index.js')) || !existsSync(path.join(root, 'out/main/engine.js'))) {
    throw new Error('Build the app first: npx electron-vite build');
  }
});

test('the window opens on the app protocol', async ({ page }) => {
  await expect(page).toHaveTitle(/Duet/);
  expect(page.url()).toMatch(/^duet-app:\/\/app\//);
});

test('the bridge answers, with named functions only', async ({ page }) => {
  const info = await page.evaluate(() =>
    (window as unknown as { duet: { getSystemInfo(): Promise<unknown> } }).duet.getSystemInfo(),
  );
  expect(info).toMatchObject({ transport: 'electron' });
  const keys = await page.evaluate(() => Object.keys((window as unknown as { duet: object }).duet));
  expect(keys).toContain('startRun');
  expect(keys).toContain('onRunEvent');
  for (const raw of ['ipcRenderer', 'invoke', 'send', 'on']) expect(keys).not.toContain(raw);
  await expect(
    page.evaluate(() =>
      (window as unknown as { duet: { createProject(r: unknown): Promise<unknown> } }).duet.createProject({ name: '' }),
    ),
  ).rejects.toThrow(/A project needs a name/);
});

test('the page has no Node or Electron, and the window is locked down', async ({ app, page }) => {
  // The preload's world is isolated: what the page sets on window is not what the bridge sees, and the
  // bridge object can't be replaced or extended by the page.
  expect(
    await page.evaluate(() => {
      const w = window as unknown as { duet: Record<string, unknown> };
      try {
        w.duet.getSystemInfo = () => 'hijacked';
      } catch {
        // frozen: fine
      }
      return typeof w.duet.getSystemInfo === 'function' && String(w.duet.getSystemInfo).includes('hijacked');
    }),
  ).toBe(false);
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
  const prefs = await app.evaluate(() => (globalThis as { duetWebPreferences?: unknown }).duetWebPreferences);
  expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
  expect(csp).toMatch(/default-src 'none'/);
  expect(await page.evaluate(() => window.open('https://example.com/'))).toBeNull();
  const before = page.url();
  await page.evaluate(() => {
    location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
});

test('the media protocol refuses paths outside the workspace', async ({ page }) => {
  const status = (p: string) =>
    page.evaluate(async (q) => (await fetch(`duet-media://media/?path=${encodeURIComponent(q)}`)).status, p);
  expect(await status('../../etc/passwd.png')).toBe(403);
  expect(await status('/etc/hosts.png')).toBe(403);
});
