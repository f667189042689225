#!/usr/bin/env node
// The whole test suite: unit/integration tests (Vitest), then the end-to-end specs (Playwright in
// Debian's Chromium against `duet serve`). Ends with one line "Tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { ensureChromium } from './chromium.mjs';

mkdirSync('test-results', { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedStep = false;

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// 1. Vitest
const unitOnly = process.argv.includes('--unit');
const vitestArgs = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
];
if (run('npx', vitestArgs) !== 0) failedStep = true;
if (existsSync('test-results/vitest.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  totals.passed += r.numPassedTests ?? 0;
  totals.failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0) - 0;
  totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  failedStep = true;
}

// 1b. The model, trainer, learning, memory and tiling tests again on the webgpu backend (a GPU, or Mesa's lavapipe from
// scripts/install-vulkan.sh). Without an adapter each test skips with its reason: counted as skipped.
const WEBGPU_FILES = [
  'tests/models/trainer.test.ts',
  'tests/models/layers.test.ts',
  'tests/models/learning.test.ts',
  'tests/models/memory.test.ts',
  'tests/models/tiling.test.ts',
];
const webgpuArgs = [
  'vitest',
  'run',
  ...WEBGPU_FILES,
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest-webgpu.json',
];
console.log(`\n== the same model tests on webgpu: ${WEBGPU_FILES.join(', ')}`);
if (run('npx', webgpuArgs, { DUET_TEST_BACKEND: 'webgpu' }) !== 0) failedStep = true;
if (existsSync('test-results/vitest-webgpu.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest-webgpu.json', 'utf8'));
  totals.passed += r.numPassedTests ?? 0;
  totals.failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  failedStep = true;
}

// 2. Playwright end-to-end specs, where there are any
const e2eDir = 'tests/e2e';
const hasSpecs = existsSync(e2eDir) && readdirSync(e2eDir).some((f) => f.endsWith('.spec.ts'));
const browser = !unitOnly && hasSpecs ? ensureChromium() : null;
if (browser?.missing) {
  console.log(`End-to-end specs not run: ${browser.missing}`);
  failedStep = true;
} else if (browser) {
  if (run(process.execPath, ['scripts/build.mjs']) !== 0) failedStep = true;
  const code = run('npx', ['playwright', 'test'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json',
    DUET_CHROMIUM: browser.path,
  });
  if (code !== 0) failedStep = true;
  if (existsSync('test-results/playwright.json')) {
    const s = JSON.parse(readFileSync('test-results/playwright.json', 'utf8')).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
  } else {
    failedStep = true;
  }
}

if (failedStep && totals.failed === 0) totals.failed = 1; // a runner crashed before counting
console.log(`Tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedStep || totals.failed > 0 ? 1 : 0);
