import { defineConfig } from '@playwright/test';
import { findChromium } from './scripts/chromium.mjs';

// A Chromium already on the machine (DUET_CHROMIUM, Debian's chromium, a system Chrome), never a downloaded
// browser build; `npm test` installs Debian's chromium first where there is none and it may.
const CHROMIUM = findChromium() ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'tests/e2e',
  // Specs share the 2 cores with `duet serve` and its engine: one at a time.
  workers: 1,
  fullyParallel: false,
  // Ceilings, not speed claims: each wait ends as soon as the window shows the state, and on 2 cores
  // shared with other work the engine's first answer has taken over 15 s.
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // Playwright empties its output folder: keep it away from the other reports in test-results/.
  outputDir: 'test-results/playwright-artifacts',
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/playwright.json' }],
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
