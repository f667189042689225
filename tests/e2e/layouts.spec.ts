/**
 * Every dataset layout the CLI reads, in the window, against the real `duet serve` in Debian's Chromium:
 * the sample project (one folder holding trainA/ trainB/ testA/ testB/), a dropped folder in that
 * reference layout, and a dropped folder of A|B side-by-side images. Each one: the Data screen shows both
 * domains and the pairing from the engine's one scan, Next is enabled, Train with the quick preset, the
 * Monitor shows the run moving, Stop. Data is generated at test time.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { type GeneratedLayouts, generateLayouts } from './support/data.js';
import { dropFolder, filesOf } from './support/drop.js';
import { type ServeHandle, startServe } from './support/serve.js';
import { rendererBuilt } from './support/static.js';

const SHOTS = 'artifacts/screenshots';

// Each test trains (the quick preset) on shared cores: room for a loaded machine.
test.describe.configure({ mode: 'serial', timeout: 480_000 });

let root: string;
let data: GeneratedLayouts;
let serve: ServeHandle | undefined;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.skip(!rendererBuilt(), 'out/renderer is not built: run `npx electron-vite build` first');
  root = mkdtempSync(join(tmpdir(), 'duet-e2e-layouts-'));
  data = await generateLayouts(join(root, 'data'));
  mkdirSync(join(root, 'workspace'));
  mkdirSync(SHOTS, { recursive: true });
  serve = await startServe(join(root, 'workspace'));
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(serve.url);
  await expect(page.getByRole('navigation', { name: 'Screens' })).toBeVisible();
});

test.afterAll(async () => {
  try {
    await context?.close();
  } finally {
    await serve?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }
});

// biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a hook uses from this pattern
test.afterEach(async ({}, info) => {
  if (info.status !== info.expectedStatus && serve) console.log(`[duet serve output]\n${serve.output().slice(-4000)}`);
});

const main = () => page.getByRole('main');
const nav = (name: string) => page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name });
const next = () => main().getByRole('button', { name: 'Next: training settings →' });
const iterationNow = async () =>
  Number((await page.getByTestId('progress-iteration').textContent())?.split('/')[0]?.replace(/\D/g, '') ?? 0);

/** Let the thumbnails load before a picture is taken. */
async function thumbnailsLoaded(zone: ReturnType<Page['getByRole']>): Promise<void> {
  await expect
    .poll(() =>
      zone
        .locator('.thumb img')
        .first()
        .evaluate((img: HTMLImageElement) => img.naturalWidth),
    )
    .toBeGreaterThan(0);
}

/** Next → Train with the quick preset → the Monitor shows the run moving → Stop. */
async function trainQuickAndStop(): Promise<void> {
  await expect(next()).toBeEnabled();
  await next().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Train' })).toBeVisible();
  await expect(main().getByRole('radio', { name: 'Quick' })).toBeChecked();
  await main().getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Monitor' })).toBeVisible();
  await expect(page.getByTestId('run-state')).toHaveText(/starting|running/);
  // Moving: the iteration count rises, twice (waits on the run's state, not on a clock).
  await expect.poll(iterationNow, { timeout: 150_000 }).toBeGreaterThan(0);
  const first = await iterationNow();
  await expect.poll(iterationNow, { timeout: 150_000 }).toBeGreaterThan(first);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 150_000 });
  const stop = main().getByRole('button', { name: 'Stop' });
  if (await stop.isEnabled()) await stop.click();
  await expect(page.getByTestId('run-state')).toHaveText(/stopped|finished/, { timeout: 90_000 });
}

test('Try the sample opens a complete project: both domains, the pairing, one click from training', async () => {
  await main().getByRole('button', { name: 'Try the sample (aerial ↔ map)' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Data' })).toBeVisible({ timeout: 120_000 });
  const summary = page.getByTestId('scan-summary');
  await expect(summary).toHaveText(
    /One folder holding both domains: aerial-maps-0 — trainA\/ is domain A, trainB\/ is domain B; testA\/ testB\/ are held out for testing/,
  );
  const a = page.getByRole('region', { name: 'trainA', exact: true });
  const b = page.getByRole('region', { name: 'trainB', exact: true });
  await expect(a.getByTestId('count-A')).toHaveText('96 images');
  await expect(b.getByTestId('count-B')).toHaveText('96 images');
  await expect(a.getByTestId('source-A')).toHaveText('trainA/ in aerial-maps-0');
  await expect(page.getByTestId('pairing')).toContainText('File names pair up one to one — 96 pairs');
  await expect(page.getByTestId('suggested-model')).toHaveText('pix2pix (paired)');
  await expect(main().getByRole('radio', { name: 'pix2pix (paired)' })).toBeChecked();
  // What a second folder would do, said before it happens.
  await expect(page.getByTestId('drop-effect-Domain B')).toHaveText(
    /^A folder dropped here becomes domain B; domain A keeps trainA\/ from aerial-maps-0\./,
  );
  await thumbnailsLoaded(a);
  await thumbnailsLoaded(b);
  await page.screenshot({ path: `${SHOTS}/data-sample.png` });
  // The saved project is the one folder; the scan reads both domains from it.
  const project = JSON.parse(
    readFileSync(join(serve!.workspace, 'projects', (await projectId()) as string, 'project.json'), 'utf8'),
  );
  expect(project).toMatchObject({ domainB: null, model: 'pix2pix', sample: true });
  await trainQuickAndStop();
});

test('a dropped trainA/ trainB/ folder shows both domains and trains; a second folder says what it will do', async () => {
  await nav('Projects').click();
  await page.getByLabel('Project name').fill('Reference layout');
  await main().getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByTestId('drop-effect-Domain A')).toHaveText(
    /^A folder dropped here becomes domain A — or both domains, if it holds them/,
  );
  await dropFolder(
    page,
    page.getByRole('region', { name: 'Domain A', exact: true }),
    'maps-dataset',
    filesOf(data.reference),
  );
  const summary = page.getByTestId('scan-summary');
  await expect(summary).toHaveText(
    /One folder holding both domains: maps-dataset — trainA\/ is domain A, trainB\/ is domain B; testA\/ testB\/ are held out/,
    { timeout: 60_000 },
  );
  const a = page.getByRole('region', { name: 'trainA', exact: true });
  const b = page.getByRole('region', { name: 'trainB', exact: true });
  await expect(a.getByTestId('count-A')).toHaveText(`${data.trainCount} images`);
  await expect(b.getByTestId('count-B')).toHaveText(`${data.trainCount} images`);
  await expect(page.getByTestId('pairing')).toContainText(`File names pair up one to one — ${data.trainCount} pairs`);
  await expect(page.getByTestId('suggested-model')).toHaveText('pix2pix (paired)');
  await expect(main().getByRole('radio', { name: 'pix2pix (paired)' })).toBeChecked();
  await thumbnailsLoaded(b);
  await page.screenshot({ path: `${SHOTS}/data-reference-layout.png` });
  await trainQuickAndStop();

  // A second folder onto the one-folder layout: the line says what will happen, and it does.
  await nav('Data').click();
  const effect = page.getByTestId('drop-effect-Domain B');
  await expect(effect).toHaveText(
    /^A folder dropped here becomes domain B; domain A keeps trainA\/ from maps-dataset\./,
  );
  await dropFolder(page, page.getByRole('region', { name: 'trainB', exact: true }), 'more-maps', filesOf(data.maps));
  await expect(summary).toHaveText('Two folders: trainA is domain A, more-maps is domain B.', { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'more-maps', exact: true }).getByTestId('count-B')).toHaveText(
    `${data.trainCount} images`,
  );
  await expect(page.getByTestId('suggested-model')).toHaveText('CycleGAN (unpaired)');
  await expect(page.getByTestId('model-note')).toHaveText(/Model set to CycleGAN \(unpaired\)/);
  // Unpaired folders: the unpaired models are offered beside CycleGAN, with one line on how they differ.
  await expect(page.getByTestId('model-choice-line')).toHaveText(
    'CycleGAN learns both directions (A → B and B → A); CUT only A → B, faster and sharper; FastCUT only A → B, fastest.',
  );
  await expect(page.getByRole('radio', { name: 'CUT (unpaired, one-way)', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'FastCUT (unpaired, one-way)', exact: true })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'CycleGAN (unpaired)', exact: true })).toBeChecked();
  await page.getByRole('region', { name: 'Pairing and model' }).screenshot({ path: `${SHOTS}/data-model-choice.png` });
  await expect(page.getByTestId('drop-effect-Domain A')).toHaveText(
    /^A folder dropped here replaces domain A \(trainA\)\. Domain B stays more-maps\./,
  );
  await expect(next()).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/data-second-folder.png` });
});

test('a dropped folder of A|B side-by-side images shows both halves as the domains and trains', async () => {
  await nav('Projects').click();
  await page.getByLabel('Project name').fill('Side by side');
  await main().getByRole('button', { name: 'Create project' }).click();
  await dropFolder(
    page,
    page.getByRole('region', { name: 'Domain B', exact: true }),
    'aerial-map-pairs',
    filesOf(data.sideBySide),
  );
  const summary = page.getByTestId('scan-summary');
  await expect(summary).toHaveText(
    /^One folder of A\|B side-by-side images: aerial-map-pairs — the left half of each image is domain A, the right half domain B\./,
    { timeout: 60_000 },
  );
  const a = page.getByRole('region', { name: 'aerial-map-pairs (left halves)', exact: true });
  const b = page.getByRole('region', { name: 'aerial-map-pairs (right halves)', exact: true });
  await expect(a.getByTestId('count-A')).toHaveText(`${data.trainCount} images`);
  await expect(b.getByTestId('count-B')).toHaveText(`${data.trainCount} images`);
  await expect(b.locator('.thumb img').first()).toHaveAttribute('data-half', 'right');
  await expect(page.getByTestId('pairing')).toContainText(
    `Images hold A and B side by side — ${data.trainCount} pairs`,
  );
  await expect(page.getByTestId('suggested-model')).toHaveText('pix2pix (paired)');
  await expect(page.getByTestId('drop-effect-Domain B')).toHaveText(
    /^A folder dropped here replaces the A\|B images of aerial-map-pairs: it becomes domain B, and domain A is left empty\./,
  );
  await thumbnailsLoaded(a);
  await thumbnailsLoaded(b);
  await page.screenshot({ path: `${SHOTS}/data-side-by-side.png` });
  await trainQuickAndStop();
});

/** The open project's id, from the page's address (#/screen/<id>). */
async function projectId(): Promise<string | undefined> {
  const hash = new URL(page.url()).hash;
  return decodeURIComponent(hash.split('/').pop() ?? '') || undefined;
}
