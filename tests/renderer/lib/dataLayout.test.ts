import { describe, expect, it } from 'vitest';
import { type DomainScan, type ScanReport, ScanReportSchema } from '../../../contract/index.js';
import {
  describeScan,
  domainsShown,
  dropEffect,
  hasBothDomains,
  planDrop,
  scanRequestFor,
} from '../../../renderer/src/lib/dataLayout';

function domain(root: string, count = 3): DomainScan {
  const name = root.split('/').pop() as string;
  return {
    root,
    name,
    images: Array.from({ length: count }, (_, i) => ({
      path: `${root}/${i}.png`,
      relative: `${i}.png`,
      width: 32,
      height: 32,
      format: 'png',
    })),
    skipped: [],
  };
}

/** A report as the engine sends it (through the contract's schema, so it cannot drift from it). */
function report(r: Partial<ScanReport> & Pick<ScanReport, 'layout' | 'a' | 'b' | 'folders'>): ScanReport {
  return ScanReportSchema.parse({
    bothInOneFolder: false,
    split: null,
    splits: [],
    heldOut: [],
    canTrain: true,
    whyNot: null,
    pairing: { kind: 'unpaired', suggestedModel: 'cyclegan', pairs: 0, unmatchedA: [], unmatchedB: [] },
    sizeStats: { minWidth: 32, maxWidth: 32, minHeight: 32, maxHeight: 32, medianWidth: 32, medianHeight: 32 },
    ...r,
  });
}

const referenceLayout = report({
  layout: 'train-test-folders',
  folders: { a: '/d/maps', b: null },
  bothInOneFolder: true,
  a: domain('/d/maps/trainA'),
  b: domain('/d/maps/trainB'),
  split: 'train',
  splits: ['train', 'test'],
  heldOut: ['testA', 'testB'],
  pairing: { kind: 'paired-names', suggestedModel: 'pix2pix', pairs: 3, unmatchedA: [], unmatchedB: [] },
});
const aligned = report({
  layout: 'aligned',
  folders: { a: '/d/facades', b: null },
  bothInOneFolder: true,
  a: domain('/d/facades'),
  b: null,
  pairing: { kind: 'aligned', suggestedModel: 'pix2pix', pairs: 3, unmatchedA: [], unmatchedB: [] },
});
const twoFolders = report({
  layout: 'two-folders',
  folders: { a: '/d/horses', b: '/d/zebras' },
  a: domain('/d/horses'),
  b: domain('/d/zebras'),
});
const onePlain = report({
  layout: 'two-folders',
  folders: { a: '/d/horses', b: null },
  a: domain('/d/horses'),
  b: null,
  canTrain: false,
  whyNot: 'only one domain: add a second folder (domain B)',
});

describe('domainsShown', () => {
  it('shows both domains of one folder holding trainA/ trainB/, each from that folder', () => {
    const shown = domainsShown({ domainA: '/d/maps', domainB: null }, referenceLayout);
    expect(shown.A).toEqual({ scan: referenceLayout.a, from: 'maps' });
    expect(shown.B).toEqual({ scan: referenceLayout.b, from: 'maps' });
  });

  it('shows the left and right halves of A|B images as domains A and B', () => {
    const shown = domainsShown({ domainA: '/d/facades', domainB: null }, aligned);
    expect(shown.A).toMatchObject({ scan: aligned.a, half: 'left' });
    expect(shown.B).toMatchObject({ scan: aligned.a, half: 'right' });
  });

  it('shows one plain folder as domain A only, and a project with only B as B', () => {
    expect(domainsShown({ domainA: '/d/horses', domainB: null }, onePlain)).toEqual({
      A: { scan: onePlain.a, from: undefined },
      B: null,
    });
    expect(domainsShown({ domainA: null, domainB: '/d/horses' }, onePlain)).toEqual({
      A: null,
      B: { scan: onePlain.a },
    });
    expect(domainsShown({ domainA: null, domainB: null }, null)).toEqual({ A: null, B: null });
  });
});

describe('planDrop', () => {
  it('a folder holding both domains becomes the whole dataset, whichever side it lands on', () => {
    for (const side of ['A', 'B'] as const) {
      expect(planDrop(side, { domainA: '/d/horses', domainB: '/d/zebras' }, twoFolders, '/d/maps', true)).toEqual({
        domainA: '/d/maps',
        domainB: null,
      });
    }
  });

  it('a second folder on a trainA/ trainB/ folder keeps the other side’s sub-folder', () => {
    const folders = { domainA: '/d/maps', domainB: null };
    expect(planDrop('B', folders, referenceLayout, '/d/sketches', false)).toEqual({
      domainA: '/d/maps/trainA',
      domainB: '/d/sketches',
    });
    expect(planDrop('A', folders, referenceLayout, '/d/photos', false)).toEqual({
      domainA: '/d/photos',
      domainB: '/d/maps/trainB',
    });
  });

  it('a folder on A|B images replaces them: the other side is left empty', () => {
    const folders = { domainA: '/d/facades', domainB: null };
    expect(planDrop('B', folders, aligned, '/d/x', false)).toEqual({ domainA: null, domainB: '/d/x' });
    expect(planDrop('A', folders, aligned, '/d/x', false)).toEqual({ domainA: '/d/x', domainB: null });
  });

  it('two folders: a drop replaces its own side and keeps the other', () => {
    const folders = { domainA: '/d/horses', domainB: '/d/zebras' };
    expect(planDrop('A', folders, twoFolders, '/d/ponies', false)).toEqual({
      domainA: '/d/ponies',
      domainB: '/d/zebras',
    });
    expect(planDrop('B', { domainA: '/d/horses', domainB: null }, onePlain, '/d/zebras', false)).toEqual({
      domainA: '/d/horses',
      domainB: '/d/zebras',
    });
  });
});

describe('dropEffect', () => {
  it('says before a drop what it will do to a one-folder dataset', () => {
    const folders = { domainA: '/d/maps', domainB: null };
    expect(dropEffect('B', folders, referenceLayout)).toMatch(
      /^A folder dropped here becomes domain B; domain A keeps trainA\/ from maps\. A folder holding both domains/,
    );
    expect(dropEffect('A', folders, referenceLayout)).toMatch(/domain B keeps trainB\/ from maps/);
    expect(dropEffect('B', { domainA: '/d/facades', domainB: null }, aligned)).toMatch(
      /^A folder dropped here replaces the A\|B images of facades: it becomes domain B, and domain A is left empty/,
    );
  });

  it('names what a replacement replaces and what stays', () => {
    expect(dropEffect('A', { domainA: '/d/horses', domainB: '/d/zebras' }, twoFolders)).toMatch(
      /^A folder dropped here replaces domain A \(horses\)\. Domain B stays zebras\./,
    );
    expect(dropEffect('B', { domainA: '/d/horses', domainB: null }, onePlain)).toMatch(
      /^A folder dropped here becomes domain B\. Domain A stays horses\./,
    );
    expect(dropEffect('A', { domainA: null, domainB: null }, null)).toMatch(
      /^A folder dropped here becomes domain A — or both domains, if it holds them/,
    );
  });
});

describe('describeScan', () => {
  it('names the layout, both domains and the held-out split', () => {
    expect(describeScan(referenceLayout)).toBe(
      'One folder holding both domains: maps — trainA/ is domain A, trainB/ is domain B; testA/ testB/ are held out for testing (not trained on).',
    );
    expect(describeScan(aligned)).toBe(
      'One folder of A|B side-by-side images: facades — the left half of each image is domain A, the right half domain B.',
    );
    expect(describeScan(twoFolders)).toBe('Two folders: horses is domain A, zebras is domain B.');
    expect(describeScan(onePlain)).toBe('One folder of images: horses.');
  });

  it('asks for both domains before showing a pairing; scans the folders the project has', () => {
    expect([referenceLayout, aligned, twoFolders, onePlain, null].map(hasBothDomains)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(scanRequestFor({ domainA: '/a', domainB: null })).toEqual({ a: '/a', b: null });
    expect(scanRequestFor({ domainA: null, domainB: '/b' })).toEqual({ a: '/b', b: null });
    expect(scanRequestFor({ domainA: null, domainB: null })).toBeNull();
  });
});
