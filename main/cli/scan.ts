/**
 * `duet scan DIR [DIR2]`: what Duet would train on — layout, pairing, counts, sizes — and every file it
 * skipped with the reason. Exits 0 even when files were skipped; 1 only when nothing usable was found.
 */
import { relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import {
  type DatasetScan,
  type DomainScanDetail,
  type Split,
  scanDataset,
  unusableReason,
} from '../engine/dataset/index.js';
import { summaryOf } from './commands.js';

interface ScanCliOptions {
  json?: boolean;
  split?: string;
  verify?: boolean;
  pixelLimit?: string;
}

function shown(root: string, path: string): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : path;
}

function formatCounts(d: DomainScanDetail): string {
  const counts = new Map<string, number>();
  for (const img of d.images) counts.set(img.format, (counts.get(img.format) ?? 0) + 1);
  return [...counts]
    .sort((x, y) => y[1] - x[1])
    .map(([f, n]) => `${f} ${n}`)
    .join(', ');
}

function describeDomain(label: string, d: DomainScanDetail): string[] {
  const parts = [`${d.images.length} image(s)`];
  if (d.images.length) parts[0] += ` (${formatCounts(d)})`;
  parts.push(`${d.skipped.length} skipped`);
  if (d.ignored) parts.push(`${d.ignored} hidden/system file(s) ignored`);
  const special = [
    ['cmyk', d.images.filter((i) => i.space === 'cmyk').length],
    ['grey', d.images.filter((i) => i.space === 'b-w' || i.space === 'grey16').length],
    ['16-bit', d.images.filter((i) => i.depth === 'ushort').length],
    ['with alpha', d.images.filter((i) => i.hasAlpha).length],
    ['EXIF-rotated', d.images.filter((i) => i.orientation).length],
  ].filter(([, n]) => (n as number) > 0);
  const lines = [`${label} ${d.name}  ${d.root}`, `           ${parts.join(' · ')}`];
  if (special.length) {
    lines.push(`           converted for training: ${special.map(([what, n]) => `${n} ${what}`).join(', ')}`);
  }
  return lines;
}

const PAIRING_WORDS: Record<DatasetScan['pairing']['kind'], string> = {
  'paired-names': 'paired by file name',
  aligned: 'paired (A|B side-by-side images)',
  unpaired: 'unpaired',
};

export function formatScan(scan: DatasetScan): string {
  const p = scan.pairing;
  const lines = [
    `Layout:    ${scan.layout}${scan.split ? ` (split: ${scan.split}; available: ${scan.splits.join(', ')})` : ''}`,
    ...(scan.heldOut.length ? [`Held out:  ${scan.heldOut.map((f) => `${f}/`).join(' ')} (not trained on)`] : []),
    `Pairing:   ${PAIRING_WORDS[p.kind]}${p.kind === 'unpaired' ? '' : `, ${p.pairs} pair(s)`} → suggests ${p.suggestedModel === 'pix2pix' ? 'pix2pix' : 'CycleGAN'}`,
    ...describeDomain('Domain A: ', scan.a),
  ];
  if (scan.b) lines.push(...describeDomain('Domain B: ', scan.b));
  const s = scan.sizeStats;
  if (s.maxWidth > 0) {
    lines.push(
      `Sizes:     width ${s.minWidth}–${s.maxWidth} px (median ${s.medianWidth}), height ${s.minHeight}–${s.maxHeight} px (median ${s.medianHeight})`,
    );
  }
  if (scan.notes.length) lines.push('', 'Notes:', ...scan.notes.map((n) => `  • ${n}`));
  if (p.unmatchedA.length || p.unmatchedB.length) {
    lines.push('', 'Without a partner:');
    for (const n of p.unmatchedA) lines.push(`  A  ${n}`);
    for (const n of p.unmatchedB) lines.push(`  B  ${n}`);
  }
  const skipped = [scan.a, ...(scan.b ? [scan.b] : [])].flatMap((d) =>
    d.skipped.map((f) => ({ domain: d, path: shown(d.root, f.path), reason: f.reason })),
  );
  if (skipped.length) {
    lines.push('', `Skipped (${skipped.length}):`);
    for (const f of skipped)
      lines.push(`  ${scan.b ? `${f.domain === scan.a ? 'A' : 'B'}  ` : ''}${f.path} — ${f.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function parseSplit(value: string | undefined): Split | undefined {
  if (value === undefined) return undefined;
  if (value === 'train' || value === 'val' || value === 'test') return value;
  throw new Error(`Unknown split "${value}": choose train, val or test`);
}

function parsePixelLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--pixel-limit must be a positive whole number, got "${value}"`);
  return n;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(summaryOf('scan'))
    .argument('<dir>', 'domain A, or a folder holding a known layout')
    .argument('[dir2]', 'domain B')
    .option('--json', 'print the full scan as JSON')
    .option('--split <split>', 'for layouts with splits: train (default), val or test')
    .option('--verify', 'decode every image (slower; normally only suspicious files are decoded)')
    .option('--pixel-limit <n>', 'refuse images with more pixels than this (default 268402689)')
    .action(async (dir: string, dir2: string | undefined, opts: ScanCliOptions) => {
      const scan = await scanDataset(resolve(dir), dir2 ? resolve(dir2) : null, {
        split: parseSplit(opts.split),
        verify: opts.verify ? 'decode' : 'structure',
        pixelLimit: parsePixelLimit(opts.pixelLimit),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(scan, null, 2)}\n` : formatScan(scan));
      const why = unusableReason(scan);
      if (why) {
        process.stderr.write(`duet scan: nothing to train on: ${why}\n`);
        process.exitCode = 1;
      }
    });
}
