/**
 * The HTML report of a run on the sample (what `duet demo` leaves behind): held-out inputs, outputs and
 * targets side by side, every loss as an inline SVG curve, the metrics against the baselines, and the
 * backend it ran on. One self-contained folder: index.html plus the images it shows.
 *
 * `renderReportHtml` is pure; `writeReport` only writes the files it is given.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MapColourRow } from './breakdown.js';

export interface ReportMetricsRow {
  /** What produced the outputs: "pix2pix (this run)", "most common colour", ... */
  name: string;
  pixelAccuracy: number;
  rmse: number;
  psnr: number;
  l1: number;
  count: number;
  /** One line on how it was obtained. */
  note?: string;
}

export interface ReportExample {
  name: string;
  /** PNG bytes. */
  input: Uint8Array;
  output: Uint8Array;
  target: Uint8Array;
}

export interface ReportLossPoint {
  iteration: number;
  losses: Record<string, number>;
}

export interface ReportData {
  title: string;
  model: string;
  /** The backend, in words ("wasm (CPU, SIMD, 1 thread)"). */
  backend: string;
  createdAt: string;
  iterations: number;
  trainingSeconds: number;
  settings: Record<string, unknown>;
  losses: ReportLossPoint[];
  metrics: ReportMetricsRow[];
  examples: ReportExample[];
  /** Free lines shown under the summary (data, caveats). */
  notes?: string[];
  /** Pixel accuracy of one set of outputs split by map colour (accuracyByMapColour). */
  byColour?: { outputs: string; rows: MapColourRow[] };
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const CURVE_COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

function niceNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 10000)) return v.toExponential(1);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Moving average over a centred window, so a noisy GAN loss still shows its trend. */
export function smooth(values: number[], window: number): number[] {
  if (window <= 1) return values.slice();
  const half = Math.floor(window / 2);
  return values.map((_, i) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(values.length, i + half + 1);
    let s = 0;
    for (let j = lo; j < hi; j++) s += values[j]!;
    return s / (hi - lo);
  });
}

/** One loss as a small SVG chart: the raw values faint, their moving average bold. */
export function lossCurveSvg(name: string, points: { x: number; y: number }[], colour: string): string {
  const w = 360;
  const h = 160;
  const left = 48;
  const right = 10;
  const top = 22;
  const bottom = 26;
  const finite = points.filter((p) => Number.isFinite(p.y));
  const head = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${escapeHtml(name)} loss">`;
  const titleEl = `<text x="${left}" y="14" class="t">${escapeHtml(name)}</text>`;
  if (finite.length === 0) {
    return `${head}${titleEl}<text x="${w / 2}" y="${h / 2}" text-anchor="middle" class="a">no values</text></svg>`;
  }
  const xs = finite.map((p) => p.x);
  const ys = finite.map((p) => p.y);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y1 - y0 < 1e-9) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (w - left - right);
  const sy = (y: number) => top + (1 - (y - y0) / (y1 - y0)) * (h - top - bottom);
  const line = (vals: number[]) =>
    vals.map((y, i) => `${i === 0 ? 'M' : 'L'}${sx(xs[i]!).toFixed(1)},${sy(y).toFixed(1)}`).join('');
  const avg = smooth(ys, Math.max(1, Math.round(ys.length / 20)));
  const axes = [
    `<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" class="ax"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" class="ax"/>`,
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end" class="a">${niceNumber(y1)}</text>`,
    `<text x="${left - 4}" y="${h - bottom}" text-anchor="end" class="a">${niceNumber(y0)}</text>`,
    `<text x="${left}" y="${h - 8}" class="a">${x0}</text>`,
    `<text x="${w - right}" y="${h - 8}" text-anchor="end" class="a">iteration ${x1}</text>`,
  ].join('');
  return `${head}${titleEl}${axes}<path d="${line(ys)}" fill="none" stroke="${colour}" stroke-opacity="0.25" stroke-width="1"/><path d="${line(avg)}" fill="none" stroke="${colour}" stroke-width="2"/></svg>`;
}

function percent(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

export function exampleFileNames(index: number): { input: string; output: string; target: string } {
  const n = String(index + 1).padStart(3, '0');
  return { input: `images/${n}-input.png`, output: `images/${n}-output.png`, target: `images/${n}-target.png` };
}

/** A setting as the report shows it: palettes as their colour count and swatches, not a wall of numbers. */
function settingHtml(key: string, value: unknown): string {
  if (key === 'palettes' && value && typeof value === 'object') {
    return Object.entries(value as Record<string, number[][] | undefined>)
      .filter((e): e is [string, number[][]] => Array.isArray(e[1]))
      .map(
        ([domain, colours]) =>
          `${escapeHtml(domain)}: ${colours.length} colours ${colours
            .map(
              (c) =>
                `<span class="swatch" title="rgb(${c.join(', ')})" style="background: rgb(${c.join(', ')})"></span>`,
            )
            .join('')}`,
      )
      .join('<br>');
  }
  return escapeHtml(JSON.stringify(value));
}
export function renderReportHtml(data: ReportData): string {
  const lossNames = [...new Set(data.losses.flatMap((p) => Object.keys(p.losses)))];
  const curves = lossNames
    .map((name, i) =>
      lossCurveSvg(
        name,
        data.losses.filter((p) => name in p.losses).map((p) => ({ x: p.iteration, y: p.losses[name]! })),
        CURVE_COLOURS[i % CURVE_COLOURS.length]!,
      ),
    )
    .join('\n');
  const best = data.metrics.length ? Math.max(...data.metrics.map((m) => m.pixelAccuracy)) : 0;
  const metricRows = data.metrics
    .map(
      (m) =>
        `<tr${m.pixelAccuracy === best ? ' class="best"' : ''}><th scope="row">${escapeHtml(m.name)}</th><td>${percent(m.pixelAccuracy)}</td><td>${m.rmse.toFixed(2)}</td><td>${m.psnr.toFixed(2)}</td><td>${m.l1.toFixed(2)}</td><td>${m.count}</td><td class="note">${escapeHtml(m.note ?? '')}</td></tr>`,
    )
    .join('\n');
  const colourRows = (data.byColour?.rows ?? [])
    .map((r) => {
      const swatch = r.colour
        ? `<span class="swatch" style="background: rgb(${r.colour.join(', ')})"></span>`
        : '<span class="swatch"></span>';
      const bias = r.bias.map((b) => `${b >= 0 ? '+' : '−'}${Math.abs(b).toFixed(1)}`).join(' / ');
      return `<tr><th scope="row">${swatch}${escapeHtml(r.label)}</th><td>${percent(r.share)}</td><td>${percent(r.pixelAccuracy)}</td><td>${bias}</td></tr>`;
    })
    .join('\n');
  const byColour = data.byColour
    ? `<h2>Where it is right, by map colour</h2>
<p class="summary">Outputs from ${escapeHtml(data.byColour.outputs)}. Share: of all held-out map pixels. Mean error: output − target per channel (R / G / B, 0–255); a large mean error is a colour cast, a small one with low accuracy is noise.</p>
<table class="metrics">
<thead><tr><th>map colour</th><th>share</th><th>pixel accuracy</th><th>mean error</th></tr></thead>
<tbody>
${colourRows}
</tbody>
</table>
`
    : '';
  const examples = data.examples
    .map((e, i) => {
      const f = exampleFileNames(i);
      return `<tr><th scope="row">${escapeHtml(e.name)}</th><td><img src="${f.input}" alt="input ${escapeHtml(e.name)}"></td><td><img src="${f.output}" alt="output ${escapeHtml(e.name)}"></td><td><img src="${f.target}" alt="target ${escapeHtml(e.name)}"></td></tr>`;
    })
    .join('\n');
  const settings = Object.entries(data.settings)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${settingHtml(k, v)}</td></tr>`)
    .join('\n');
  const itPerSec = data.trainingSeconds > 0 ? data.iterations / data.trainingSeconds : 0;
  const notes = (data.notes ?? []).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.summary { color: #57606a; } .summary b { color: #1f2328; }
table { border-collapse: collapse; } th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid #eaeef2; vertical-align: middle; }
table.metrics td { text-align: right; font-variant-numeric: tabular-nums; } table.metrics td.note { text-align: left; color: #57606a; font-size: 12px; }
tr.best th, tr.best td:not(.note) { font-weight: 600; background: #dafbe1; }
.curves { display: flex; flex-wrap: wrap; gap: 8px; } .curves svg { border: 1px solid #eaeef2; border-radius: 4px; }
svg .t { font-size: 12px; font-weight: 600; fill: #1f2328; } svg .a { font-size: 10px; fill: #57606a; } svg .ax { stroke: #d0d7de; }
table.examples img { width: 192px; height: auto; image-rendering: pixelated; display: block; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border: 1px solid #8c959f; vertical-align: -1px; }
table.settings td { font-family: ui-monospace, monospace; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p class="summary"><b>${escapeHtml(data.model)}</b> · ${data.iterations} iterations in ${data.trainingSeconds.toFixed(0)} s (${itPerSec.toFixed(2)} it/s) · backend <b>${escapeHtml(data.backend)}</b> · ${escapeHtml(data.createdAt)}</p>
${notes ? `<ul class="summary">${notes}</ul>` : ''}
<h2>Held-out quality</h2>
<p class="summary">Pixel accuracy: share of pixels whose largest channel difference from the target map is below 5 (0–255). RMSE and L1 on 0–255, PSNR in dB; means over the held-out tiles.</p>
<table class="metrics">
<thead><tr><th>outputs from</th><th>pixel accuracy</th><th>RMSE</th><th>PSNR</th><th>L1</th><th>tiles</th><th></th></tr></thead>
<tbody>
${metricRows}
</tbody>
</table>
${byColour}<h2>Held-out tiles: input, output, target</h2>
<table class="examples">
<thead><tr><th></th><th>aerial (input)</th><th>model output</th><th>map (target)</th></tr></thead>
<tbody>
${examples}
</tbody>
</table>
<h2>Losses</h2>
<div class="curves">
${curves || '<p class="summary">No losses were logged.</p>'}
</div>
<h2>Settings</h2>
<table class="settings"><tbody>
${settings}
</tbody></table>
</body>
</html>
`;
}

/** Writes index.html and the example images into `dir` (created if needed). Returns the page's path. */
export async function writeReport(dir: string, data: ReportData): Promise<string> {
  await mkdir(path.join(dir, 'images'), { recursive: true });
  await Promise.all(
    data.examples.flatMap((e, i) => {
      const f = exampleFileNames(i);
      return [
        writeFile(path.join(dir, f.input), e.input),
        writeFile(path.join(dir, f.output), e.output),
        writeFile(path.join(dir, f.target), e.target),
      ];
    }),
  );
  const page = path.join(dir, 'index.html');
  await writeFile(page, renderReportHtml(data));
  return page;
}
