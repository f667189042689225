import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  lossCurveSvg,
  type ReportData,
  renderReportHtml,
  smooth,
  writeReport,
} from '../../../../main/engine/sample/report.js';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

const png = (tag: number) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, tag]);

function data(overrides: Partial<ReportData> = {}): ReportData {
  return {
    title: 'Duet demo <sample>',
    model: 'pix2pix',
    backend: 'wasm (CPU, SIMD, 1 thread)',
    createdAt: '2026-01-01T00:00:00Z',
    iterations: 40,
    trainingSeconds: 20,
    settings: { model: 'pix2pix', ngf: 16 },
    losses: Array.from({ length: 40 }, (_, i) => ({ iteration: i + 1, losses: { G_L1: 40 - i, D_real: 0.5 } })),
    metrics: [
      { name: 'pix2pix (this run)', pixelAccuracy: 0.61, rmse: 20.5, psnr: 21.9, l1: 9.1, count: 4 },
      { name: 'most common colour', pixelAccuracy: 0.25, rmse: 38, psnr: 16.5, l1: 27, count: 4, note: 'land' },
    ],
    examples: [{ name: '0001.png', input: png(1), output: png(2), target: png(3) }],
    ...overrides,
  };
}

describe('report', () => {
  it('escapes every user-visible string', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderReportHtml(data({ examples: [{ name: '<img src=x onerror=alert(1)>', ...png3() }] }));
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('Duet demo &lt;sample&gt;');
  });

  it('shows the metrics with the best row marked, the backend, speed and one curve per loss', () => {
    const html = renderReportHtml(data());
    expect(html).toContain('wasm (CPU, SIMD, 1 thread)');
    expect(html).toContain('2.00 it/s');
    expect(html).toMatch(/<tr class="best"><th scope="row">pix2pix \(this run\)<\/th><td>61\.0%<\/td><td>20\.50<\/td>/);
    expect(html).toContain('<td>25.0%</td>');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('aria-label="G_L1 loss"');
    expect(html).toContain('images/001-input.png');
  });

  it('shows the accuracy by map colour with a swatch, the share and the signed mean error', () => {
    expect(renderReportHtml(data())).not.toContain('by map colour');
    const html = renderReportHtml(
      data({
        byColour: {
          outputs: 'pix2pix (this run)',
          rows: [
            {
              name: 'land',
              label: 'land <open>',
              colour: [242, 239, 233],
              share: 0.317,
              pixelAccuracy: 0.45,
              bias: [-5.7, 0, 2.25],
            },
          ],
        },
      }),
    );
    expect(html).toContain('Where it is right, by map colour');
    expect(html).toContain(
      '<tr><th scope="row"><span class="swatch" style="background: rgb(242, 239, 233)"></span>land &lt;open&gt;</th><td>31.7%</td><td>45.0%</td><td>−5.7 / +0.0 / +2.3</td></tr>',
    );
  });

  it('shows a palette setting as its colour count and swatches, not a wall of numbers', () => {
    const palettes = { B: Array.from({ length: 11 }, (_, i) => [i * 20, 255 - i * 20, 7]) };
    const html = renderReportHtml(data({ settings: { model: 'cyclegan', palettes, outputPalette: 'auto' } }));
    expect(html).toContain('<th scope="row">palettes</th><td>B: 11 colours <span class="swatch"');
    expect(html.match(/class="swatch" title="rgb\(/g)).toHaveLength(11);
    expect(html).not.toContain('[[0,255,7]');
    expect(html).toContain('<th scope="row">outputPalette</th><td>&quot;auto&quot;</td>');
  });

  it('draws a falling loss falling, and copes with constant or missing values', () => {
    const svg = lossCurveSvg(
      'L',
      [0, 1, 2, 3].map((i) => ({ x: i, y: 10 - i })),
      '#000',
    );
    const bold = svg.match(/<path d="([^"]+)" fill="none" stroke="#000" stroke-width="2"/)![1]!;
    const ys = [...bold.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    // SVG y grows downwards: a falling loss has growing y.
    for (let i = 1; i < ys.length; i++) expect(ys[i]!).toBeGreaterThanOrEqual(ys[i - 1]!);
    expect(
      lossCurveSvg(
        'c',
        [
          { x: 1, y: 2 },
          { x: 2, y: 2 },
        ],
        '#000',
      ),
    ).not.toContain('NaN');
    expect(lossCurveSvg('n', [{ x: 1, y: Number.NaN }], '#000')).toContain('no values');
  });

  it('smooths with a centred moving average', () => {
    expect(smooth([0, 3, 0, 3], 3)).toEqual([1.5, 1, 2, 1.5]);
    expect(smooth([1, 2], 1)).toEqual([1, 2]);
  });

  it('writes index.html and the images it links to', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-report-'));
    temps.push(dir);
    const page = await writeReport(dir, data());
    expect(page).toBe(path.join(dir, 'index.html'));
    const html = await readFile(page, 'utf8');
    for (const m of html.matchAll(/src="([^"]+)"/g)) {
      const bytes = await readFile(path.join(dir, m[1]!));
      expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    }
    expect(await readFile(path.join(dir, 'images/001-output.png'))).toEqual(Buffer.from(png(2)));
  });
});

function png3() {
  return { input: png(1), output: png(2), target: png(3) };
}
