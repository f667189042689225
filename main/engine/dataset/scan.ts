/**
 * Scanning the folders a user drops: which layout they are in, which files are usable images, and a
 * specific reason for every file that is not. Never throws on a bad file; throws only on a bad request
 * (a split the folder does not hold).
 *
 * Layouts, from one folder DIR:
 *   DIR/trainA, DIR/trainB (+ testA, testB)   'train-test-folders' (the reference's unaligned layout)
 *   DIR/A, DIR/B                              'two-folders'
 *   DIR/train (+ val, test) of A|B images     'aligned' (the reference's pix2pix layout)
 *   DIR of A|B images (≥ 90% are 2:1)         'aligned'
 *   DIR of other images                       'two-folders' with only domain A (B is missing: noted)
 * and from two folders DIR DIR2: 'two-folders'.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DomainScan, ImageEntry, ScanReport, SkippedFile, Split } from '#contract';
import { isPairedByNames, isSideBySide, looksAligned, pairByName } from './pairing.js';
import { type ImageFacts, type ProbeOptions, probeImage } from './probe.js';
import { compareNames, isHiddenOrSystem, walkFolder } from './walk.js';

export type { Split };

export interface ImageEntryDetail extends ImageEntry, Omit<ImageFacts, 'format' | 'width' | 'height'> {}

export interface DomainScanDetail extends DomainScan {
  images: ImageEntryDetail[];
  /** Hidden and system files left out silently. */
  ignored: number;
}

/** The contract's ScanReport plus what the CLI and the pipeline also want; parsing with ScanReportSchema strips the extras. */
export interface DatasetScan extends ScanReport {
  a: DomainScanDetail;
  b: DomainScanDetail | null;
  /** Name matches between A and B, also when too few to call the data paired. */
  nameMatches: number;
  /** Things the user should know, in plain sentences. */
  notes: string[];
}

export interface ScanOptions extends ProbeOptions {
  /** For layouts with splits: which one to scan (default 'train'). */
  split?: Split;
  /** Files probed at once (sharp's thread pool does the work). */
  concurrency?: number;
  /** Called as files are probed. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface LayoutPlan {
  layout: ScanReport['layout'];
  /** Sub-folder names (relative to the dropped folder) for A and B; '.' is the folder itself. */
  a: string;
  b: string | null;
  split: Split | null;
  splits: Split[];
  /** Sub-folders of the splits not scanned: ['testA', 'testB'] when training on trainA/ trainB/. */
  heldOut: string[];
}

/**
 * Where domains A and B live inside one dropped folder, from the names of its sub-folders. Pure.
 * Returns null when the sub-folders name no known layout (the folder itself is then one domain, or A|B images).
 */
export function detectLayout(subfolders: readonly string[], split: Split = 'train'): LayoutPlan | null {
  const byLower = new Map<string, string>();
  for (const name of [...subfolders].sort(compareNames)) {
    if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
  }
  const has = (n: string) => byLower.get(n.toLowerCase());
  const unalignedSplits = (['train', 'val', 'test'] as const).filter((s) => has(`${s}A`) && has(`${s}B`));
  if (unalignedSplits.length > 0) {
    if (!unalignedSplits.includes(split)) {
      throw new Error(
        `This folder has no ${split}A/ and ${split}B/ (it holds: ${unalignedSplits.map((s) => `${s}A/ ${s}B/`).join(', ')})`,
      );
    }
    return {
      layout: 'train-test-folders',
      a: has(`${split}A`)!,
      b: has(`${split}B`)!,
      split,
      splits: unalignedSplits,
      heldOut: unalignedSplits.filter((s) => s !== split).flatMap((s) => [has(`${s}A`)!, has(`${s}B`)!]),
    };
  }
  if (has('A') && has('B')) {
    return { layout: 'two-folders', a: has('A')!, b: has('B')!, split: null, splits: [], heldOut: [] };
  }
  const alignedSplits = (['train', 'val', 'test'] as const).filter((s) => has(s));
  if (alignedSplits.includes('train') || (alignedSplits.length > 0 && split !== 'train')) {
    if (!alignedSplits.includes(split)) {
      throw new Error(`This folder has no ${split}/ (it holds: ${alignedSplits.map((s) => `${s}/`).join(', ')})`);
    }
    return {
      layout: 'aligned',
      a: has(split)!,
      b: null,
      split,
      splits: alignedSplits,
      heldOut: alignedSplits.filter((s) => s !== split).map((s) => has(s)!),
    };
  }
  return null;
}

/** Image size statistics over the accepted images. Pure. */
export function sizeStatistics(images: ReadonlyArray<{ width: number; height: number }>): ScanReport['sizeStats'] {
  if (images.length === 0) {
    return { minWidth: 0, maxWidth: 0, minHeight: 0, maxHeight: 0, medianWidth: 0, medianHeight: 0 };
  }
  const median = (values: number[]) => {
    const s = [...values].sort((x, y) => x - y);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  const ws = images.map((i) => i.width);
  const hs = images.map((i) => i.height);
  return {
    minWidth: Math.min(...ws),
    maxWidth: Math.max(...ws),
    minHeight: Math.min(...hs),
    maxHeight: Math.max(...hs),
    medianWidth: median(ws),
    medianHeight: median(hs),
  };
}

/** Scan one domain folder recursively. */
export async function scanDomain(
  root: string,
  options: ScanOptions = {},
  name = basename(root),
): Promise<DomainScanDetail> {
  const walked = await walkFolder(root);
  const images: Array<ImageEntryDetail | undefined> = new Array(walked.files.length);
  const skippedAt: Array<SkippedFile | undefined> = new Array(walked.files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < walked.files.length) {
      if (options.signal?.aborted) throw new Error('Scan cancelled');
      const i = next++;
      const file = walked.files[i]!;
      const probed = await probeImage(file.path, file.size, options);
      if (probed.ok) {
        images[i] = { path: file.path, relative: file.relative, ...probed.image };
      } else {
        skippedAt[i] = { path: file.path, reason: probed.reason };
      }
      options.onProgress?.(++done, walked.files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return {
    root,
    name,
    images: images.filter((x): x is ImageEntryDetail => x !== undefined),
    skipped: [...walked.skipped, ...skippedAt.filter((x): x is SkippedFile => x !== undefined)],
    ignored: walked.ignored,
  };
}

async function subfoldersOf(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const names: string[] = [];
    for (const e of entries) {
      if (isHiddenOrSystem(e.name)) continue;
      if (e.isDirectory()) names.push(e.name);
      else if (e.isSymbolicLink()) {
        const s = await stat(join(dir, e.name)).catch(() => null);
        if (s?.isDirectory()) names.push(e.name);
      }
    }
    return names;
  } catch {
    return [];
  }
}

function notesFor(scan: Omit<DatasetScan, 'notes' | 'canTrain' | 'whyNot'>): string[] {
  const notes: string[] = [];
  const domains = [scan.a, scan.b].filter((d): d is DomainScanDetail => d !== null);
  for (const d of domains) {
    const animated = d.images.filter((i) => (i.pages ?? 1) > 1).length;
    if (animated) notes.push(`${d.name}: ${animated} animated or multi-page image(s): only the first frame is used`);
    if (scan.layout !== 'aligned') {
      const extreme = d.images.filter((i) => Math.max(i.width / i.height, i.height / i.width) > 4).length;
      if (extreme) {
        notes.push(
          `${d.name}: ${extreme} image(s) more than 4× longer on one side; resizing to a square stretches them`,
        );
      }
    } else {
      const odd = d.images.filter((i) => !isSideBySide(i.width, i.height)).length;
      if (odd)
        notes.push(`${d.name}: ${odd} image(s) are not twice as wide as high; they are still split down the middle`);
    }
    if (d.images.length === 0 && d.skipped.length === 0) notes.push(`${d.name}: no files found in ${d.root}`);
  }
  if (scan.b === null && scan.layout !== 'aligned') {
    notes.push(
      'Only one domain: give a second folder (domain B), or a folder holding trainA/ and trainB/, or A|B side-by-side images in train/',
    );
  }
  const p = scan.pairing;
  if (p.kind === 'paired-names' && (p.unmatchedA.length || p.unmatchedB.length)) {
    notes.push(
      `${p.pairs} pairs by name; ${p.unmatchedA.length} image(s) in A and ${p.unmatchedB.length} in B have no partner and are left out of paired training`,
    );
  }
  if (p.kind === 'unpaired' && scan.nameMatches > 0 && scan.b) {
    notes.push(
      `${scan.nameMatches} name(s) match between the folders: too few to call the data paired, so it is treated as unpaired`,
    );
  }
  return notes;
}

/**
 * Scan what the user dropped: one folder (a layout is detected) or two folders (domain A and domain B).
 */
export async function scanDataset(dirA: string, dirB?: string | null, options: ScanOptions = {}): Promise<DatasetScan> {
  let plan: LayoutPlan | null = null;
  if (!dirB) plan = detectLayout(await subfoldersOf(dirA), options.split ?? 'train');
  if (options.split && options.split !== 'train' && !plan?.split) {
    throw new Error(
      `No ${options.split} split here: splits come from a folder holding trainA/ trainB/ ${options.split}A/ ${options.split}B/, or train/ ${options.split}/`,
    );
  }
  let a: DomainScanDetail;
  let b: DomainScanDetail | null;
  let layout: ScanReport['layout'];
  if (dirB) {
    [a, b] = await Promise.all([scanDomain(dirA, options), scanDomain(dirB, options)]);
    layout = 'two-folders';
  } else if (plan) {
    [a, b] = await Promise.all([
      scanDomain(join(dirA, plan.a), options),
      plan.b ? scanDomain(join(dirA, plan.b), options) : null,
    ]);
    layout = plan.layout;
  } else {
    a = await scanDomain(dirA, options);
    b = null;
    layout = looksAligned(a.images) ? 'aligned' : 'two-folders';
  }

  let pairing: ScanReport['pairing'];
  let nameMatches = 0;
  if (layout === 'aligned') {
    pairing = { kind: 'aligned', suggestedModel: 'pix2pix', pairs: a.images.length, unmatchedA: [], unmatchedB: [] };
  } else if (b) {
    const byName = pairByName(
      a.images.map((i) => i.relative),
      b.images.map((i) => i.relative),
    );
    nameMatches = byName.pairs.length;
    pairing = isPairedByNames(a.images.length, b.images.length, byName.pairs.length)
      ? {
          kind: 'paired-names',
          suggestedModel: 'pix2pix',
          pairs: byName.pairs.length,
          unmatchedA: byName.unmatchedA,
          unmatchedB: byName.unmatchedB,
        }
      : { kind: 'unpaired', suggestedModel: 'cyclegan', pairs: 0, unmatchedA: [], unmatchedB: [] };
  } else {
    pairing = { kind: 'unpaired', suggestedModel: 'cyclegan', pairs: 0, unmatchedA: [], unmatchedB: [] };
  }

  const base = {
    layout,
    folders: { a: dirA, b: dirB ?? null },
    bothInOneFolder: !dirB && (b !== null || layout === 'aligned'),
    a,
    b,
    pairing,
    sizeStats: sizeStatistics([...a.images, ...(b?.images ?? [])]),
    split: plan?.split ?? null,
    splits: plan?.splits ?? [],
    heldOut: plan?.heldOut ?? [],
    nameMatches,
  };
  const whyNot = unusableReason(base);
  return { ...base, canTrain: whyNot === null, whyNot, notes: notesFor(base) };
}

/** Why a scan cannot be trained on, or null when it can: the one answer the window and the CLI give. */
export function unusableReason(scan: Pick<ScanReport, 'layout' | 'a' | 'b'>): string | null {
  const where = (d: DomainScan) => d.root;
  const none = (d: DomainScan) =>
    d.skipped.length
      ? `no usable images in ${where(d)}: all ${d.skipped.length} file(s) were skipped (see the list above)`
      : `no images in ${where(d)}`;
  if (scan.a.images.length === 0) return none(scan.a);
  if (scan.layout === 'aligned') return null;
  if (!scan.b) {
    return 'only one domain: add a second folder (domain B), or give one folder holding trainA/ and trainB/, or A|B side-by-side images';
  }
  if (scan.b.images.length === 0) return none(scan.b);
  return null;
}
