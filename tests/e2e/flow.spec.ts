/**
 * The whole flow in Debian's Chromium against `duet serve` on small generated data: drop two folders,
 * thumbnails and skipped files, train the quick preset for a few dozen iterations, pause/resume, a
 * reload that reconnects to the live run, stop, save, translate a folder, export, and the exported
 * files on disk. Every step waits on what the window shows, never on a fixed time.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, parse } from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { type GeneratedData, generateData } from './support/data.js';
import { dropFolder, filesOf } from './support/drop.js';
import { type ServeHandle, startServe } from './support/serve.js';
import { requireBuiltRenderer } from './support/static.js';

const SHOTS = 'artifacts/screenshots';
// Enough that the run is still live through pause, resume and a reload; the spec stops it early.
const ITERATIONS = 240;

// Ceilings, not speed claims: the quick preset has trained at 13 s an iteration on 2 loaded cores.
test.describe.configure({ mode: 'serial', timeout: 600_000 });

let root: string;
let data: GeneratedData;
let serve: ServeHandle | undefined;
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  requireBuiltRenderer();
  root = mkdtempSync(join(tmpdir(), 'duet-e2e-'));
  data = await generateData(join(root, 'data'));
  mkdirSync(join(root, 'workspace'));
  serve = await startServe(join(root, 'workspace'));
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  await page.goto(serve.url);
  await expect(page.getByRole('navigation', { name: 'Screens', exact: true })).toBeVisible();
  // The engine process answers once it has started (it loads TensorFlow.js first): wait for its first
  // answer rather than for a time.
  await expect(page.getByText('Loading projects…')).toBeHidden({ timeout: 170_000 });
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
  // On a failure, what duet serve and its engine said is the first thing to read.
  if (info.status !== info.expectedStatus && serve) console.log(`[duet serve output]\n${serve.output().slice(-4000)}`);
});

const main = () => page.getByRole('main');
async function projectId(name: string): Promise<string> {
  const project = (await serve!.api.listProjects()).find((p) => p.name === name);
  if (!project) throw new Error(`duet serve has no project named ${name}`);
  return project.id;
}
const nav = (name: string) =>
  page.getByRole('navigation', { name: 'Screens', exact: true }).getByRole('button', { name, exact: true });

test('first run offers the sample; a project is created by name', async () => {
  await expect(
    main().getByRole('button', { name: 'Try the sample (aerial ↔ map)', exact: true }).first(),
  ).toBeVisible();
  await page.getByLabel('Project name').fill('');
  await main().getByRole('button', { name: 'Create project', exact: true }).click();
  await expect(page.getByText('Give the project a name.')).toBeVisible();
  await page.getByLabel('Project name').fill('Bad folder');
  await main().getByRole('button', { name: 'Create project', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Data', exact: true })).toBeVisible();
});

test('a folder without images shows its error in its own zone', async () => {
  await dropFolder(page, page.getByRole('region', { name: 'Domain A', exact: true }), 'notes', filesOf(data.empty));
  const zone = page.getByRole('region', { name: 'notes', exact: true });
  await expect(zone.getByRole('alert')).toBeVisible();
  await expect(zone.getByRole('alert')).toContainText('notes');
  await expect(page.getByRole('region', { name: 'Domain B', exact: true }).getByRole('alert')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/data-bad-folder.png` });
});

test('two dropped folders show thumbnails, counts, a skipped file with its reason, and the pairing', async () => {
  await nav('Projects').click();
  await page.getByLabel('Project name').fill('Aerial to map');
  await main().getByRole('button', { name: 'Create project', exact: true }).click();
  await dropFolder(page, page.getByRole('region', { name: 'Domain A', exact: true }), 'aerial', filesOf(data.aerial));
  await dropFolder(page, page.getByRole('region', { name: 'Domain B', exact: true }), 'map', filesOf(data.map));
  const aerial = page.getByRole('region', { name: 'aerial', exact: true });
  const map = page.getByRole('region', { name: 'map', exact: true });
  await expect(aerial.getByTestId('count-A')).toHaveText(`${data.names.length} images`);
  await expect(map.getByTestId('count-B')).toHaveText(`${data.names.length} images`);
  await expect(aerial.locator('.thumb img').first()).toBeVisible();
  // Thumbnails really load (served through the media route with the token).
  await expect
    .poll(() =>
      aerial
        .locator('.thumb img')
        .first()
        .evaluate((img: HTMLImageElement) => img.naturalWidth),
    )
    .toBeGreaterThan(0);
  await expect(aerial.getByText('notes.txt')).toBeVisible();
  await expect(
    aerial.getByRole('list', { name: 'Skipped files in aerial', exact: true }).getByRole('listitem'),
  ).toContainText(/notes\.txt — \S+/);
  await expect(page.getByTestId('suggested-model')).toHaveText(/pix2pix/);
});

test('every screen, in light and dark', async () => {
  for (const theme of ['light', 'dark'] as const) {
    await nav('Settings').click();
    await main()
      .getByRole('radio', { name: theme === 'light' ? 'Light' : 'Dark' })
      .check();
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.screenshot({ path: `${SHOTS}/settings-${theme}.png` });
    for (const screen of ['Projects', 'Data', 'Train', 'Monitor', 'Translate', 'Models']) {
      await nav(screen).click();
      await expect(page.getByRole('heading', { level: 1, name: screen, exact: true })).toBeVisible();
      // Every image on the screen loaded before the picture.
      await expect.poll(() => page.evaluate(() => [...document.images].every((img) => img.complete))).toBe(true);
      await page.screenshot({ path: `${SHOTS}/${screen.toLowerCase()}-${theme}.png` });
    }
  }
});

test('the quick preset trains: losses and samples update, pause, resume and stop', async () => {
  await nav('Train').click();
  await main().getByRole('radio', { name: 'Quick', exact: true }).check();
  await page.getByLabel('Image size (px)').fill('32');
  await main().getByText('Advanced settings').click();
  await page.getByLabel('Load size (px)').fill('36');
  await page.getByLabel('Iterations', { exact: true }).fill(String(ITERATIONS));
  await page.getByLabel('Sample every (iterations)').fill('6');
  await page.getByLabel('Checkpoint every (iterations)').fill('24');
  await expect(page.getByTestId('backend-badge')).toHaveText(/^(GPU|CPU) · \S+/);
  await main().getByRole('button', { name: 'Train', exact: true }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'Monitor', exact: true })).toBeVisible();
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 300_000 });
  const sample = page.getByTestId('sample-image');
  await expect(sample).toBeVisible({ timeout: 300_000 });
  const firstSample = Number(await sample.getAttribute('data-iteration'));
  await expect
    .poll(async () => Number(await sample.getAttribute('data-iteration')), { timeout: 300_000 })
    .toBeGreaterThan(firstSample);
  await expect.poll(() => sample.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  await main().getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  // Paused, the window shows the iteration the engine says the run stopped at (asked, not waited for).
  const runs = await serve!.api.listRuns({ projectId: await projectId('Aerial to map') });
  const paused = runs.find((r) => r.state === 'paused');
  expect(paused).toBeDefined();
  await expect(page.getByTestId('progress-iteration')).toHaveText(`${paused?.iteration} / ${ITERATIONS}`);
  // Exact: "Resume from here (iteration 24)" is beside it once a checkpoint has landed.
  await main().getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await page.screenshot({ path: `${SHOTS}/monitor-live.png` });

  const stop = main().getByRole('button', { name: 'Stop', exact: true });
  if (await stop.isEnabled()) {
    await stop.click();
    await expect(page.getByTestId('run-state')).toHaveText(/stopped|finished/, { timeout: 60_000 });
  }
  await expect(
    main()
      .getByRole('button', { name: /^Resume from here/ })
      .first(),
  ).toBeVisible();
});

test('the run is saved as a model; a folder is translated, compared and exported to disk', async () => {
  await main().getByRole('button', { name: 'Save as model', exact: true }).click();
  await expect(main().getByText(/Saved “.+” to Models/)).toBeVisible({ timeout: 60_000 });

  await nav('Translate').click();
  await dropFolder(
    page,
    page.getByRole('region', { name: 'Images to translate', exact: true }),
    'test-aerial',
    filesOf(data.test),
  );
  await expect(page.getByRole('region', { name: 'test-aerial', exact: true })).toBeVisible();
  await main().getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByRole('slider', { name: 'Compare before and after', exact: true })).toBeVisible({
    timeout: 300_000,
  });
  await expect(main().getByText('Done: 3 images')).toBeVisible({ timeout: 300_000 });

  const out = join(root, 'exported');
  await page.getByLabel('Format').selectOption('jpeg');
  await page.getByLabel('Quality').fill('80');
  await page.getByLabel('File names').fill('{name}_map');
  await page.getByLabel('Destination folder').fill(out);
  await main().getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('export-dir')).toContainText('Exported to', { timeout: 300_000 });

  const files = readdirSync(out).sort();
  expect(files).toEqual(['field_1_map.jpg', 'field_2_map.jpg', 'field_3_map.jpg']);
  for (const f of files) {
    expect(statSync(join(out, f)).size).toBeGreaterThan(100);
    const meta = await sharp(join(out, f)).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([32, 32]);
    expect(parse(f).name.endsWith('_map')).toBe(true);
  }
});

test('a reload during training reconnects to the live run', async () => {
  await nav('Train').click();
  await main().getByRole('radio', { name: 'Quick', exact: true }).check();
  await page.getByLabel('Image size (px)').fill('32');
  await main().getByText('Advanced settings').click();
  await page.getByLabel('Load size (px)').fill('36');
  await page.getByLabel('Iterations', { exact: true }).fill(String(ITERATIONS));
  await main().getByRole('button', { name: 'Train', exact: true }).click();
  const chart = page.getByTestId('loss-chart');
  const iteration = page.getByTestId('progress-iteration');
  await expect(chart).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 300_000 });
  // The reload: the window finds the live run, its history and its events again.
  const pointsBefore = Number(await chart.getAttribute('data-points'));
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Monitor', exact: true })).toBeVisible();
  await expect(page.getByTestId('run-state')).toHaveText(/running|finished/);
  // The logged history comes from the engine, which answers between training steps.
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 300_000 })
    .toBeGreaterThanOrEqual(pointsBefore);
  const afterReload = Number((await iteration.textContent())?.split('/')[0]?.replace(/\D/g, ''));
  await expect
    .poll(async () => Number((await iteration.textContent())?.split('/')[0]?.replace(/\D/g, '')), { timeout: 300_000 })
    .toBeGreaterThan(afterReload);

  await main().getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText(/stopped|finished/, { timeout: 60_000 });
});
