/**
 * The Data screen's bookkeeping around the engine's scan: which domain each zone shows, what a drop
 * will do (said before it happens), and which folders the project keeps after it. The data itself is
 * read once, by the engine's scan (ScanReport); nothing here looks at files or guesses a layout. Pure.
 */
import type { DomainScan, ScanReport } from '#contract';
import { baseName, plural } from './format';

export type Side = 'A' | 'B';

/** The project's data folders: one folder (domainB null) or two. */
export interface DataFolders {
  domainA: string | null;
  domainB: string | null;
}

/** What one zone shows: a domain of the scan, or one half of A|B images. */
export interface DomainView {
  scan: DomainScan;
  /** For A|B side-by-side images: the half of each image that is this domain. */
  half?: 'left' | 'right';
  /** The one dropped folder this domain comes from, when it holds both domains. */
  from?: string;
}

const other = (side: Side): Side => (side === 'A' ? 'B' : 'A');
const folderOf = (f: DataFolders, side: Side) => (side === 'A' ? f.domainA : f.domainB);

/** The scan was of this one folder, and it holds both domains. */
function oneFolderHoldingBoth(folders: DataFolders, report: ScanReport | null): report is ScanReport {
  return Boolean(report?.bothInOneFolder && folders.domainA && !folders.domainB);
}

/** Which scan result each zone shows. A project with only domain B is scanned as `a` alone. */
export function domainsShown(folders: DataFolders, report: ScanReport | null): Record<Side, DomainView | null> {
  if (!report) return { A: null, B: null };
  if (!folders.domainA) return { A: null, B: folders.domainB ? { scan: report.a } : null };
  const from = report.bothInOneFolder ? baseName(report.folders.a) : undefined;
  if (report.layout === 'aligned') {
    return { A: { scan: report.a, half: 'left', from }, B: { scan: report.a, half: 'right', from } };
  }
  return { A: { scan: report.a, from }, B: report.b ? { scan: report.b, from } : null };
}

const BOTH_HINT = 'trainA/ trainB/, or A|B side-by-side images';

/** One line, shown on a zone before anything is dropped on it: what a folder dropped there will do. */
export function dropEffect(side: Side, folders: DataFolders, report: ScanReport | null): string {
  const whole = ' A folder holding both domains replaces the whole dataset.';
  if (oneFolderHoldingBoth(folders, report)) {
    const dir = baseName(report.folders.a);
    if (report.layout === 'aligned') {
      return `A folder dropped here replaces the A|B images of ${dir}: it becomes domain ${side}, and domain ${other(side)} is left empty.${whole}`;
    }
    const keep = side === 'A' ? report.b?.name : report.a.name;
    return `A folder dropped here becomes domain ${side}; domain ${other(side)} keeps ${keep}/ from ${dir}.${whole}`;
  }
  const mine = folderOf(folders, side);
  const theirs = folderOf(folders, other(side));
  if (!mine && !theirs) {
    return `A folder dropped here becomes domain ${side} — or both domains, if it holds them (${BOTH_HINT}).`;
  }
  const stays = theirs ? ` Domain ${other(side)} stays ${baseName(theirs)}.` : '';
  const what = mine ? `replaces domain ${side} (${baseName(mine)})` : `becomes domain ${side}`;
  return `A folder dropped here ${what}.${stays}${whole}`;
}

/**
 * The project's folders after `dropped` lands on `side`. `droppedHoldsBoth` is the engine's answer for
 * the dropped folder scanned alone (ScanReport.bothInOneFolder): such a folder is the whole dataset.
 */
export function planDrop(
  side: Side,
  folders: DataFolders,
  report: ScanReport | null,
  dropped: string,
  droppedHoldsBoth: boolean,
): DataFolders {
  if (droppedHoldsBoth) return { domainA: dropped, domainB: null };
  if (oneFolderHoldingBoth(folders, report)) {
    if (report.layout === 'aligned')
      return side === 'A' ? { domainA: dropped, domainB: null } : { domainA: null, domainB: dropped };
    const keptA = report.a.root;
    const keptB = report.b?.root ?? null;
    return side === 'A' ? { domainA: dropped, domainB: keptB } : { domainA: keptA, domainB: dropped };
  }
  return side === 'A' ? { domainA: dropped, domainB: folders.domainB } : { domainA: folders.domainA, domainB: dropped };
}

/** The scan request for the project's folders, or null when it has none. */
export function scanRequestFor(folders: DataFolders): { a: string; b: string | null } | null {
  if (folders.domainA) return { a: folders.domainA, b: folders.domainB };
  if (folders.domainB) return { a: folders.domainB, b: null };
  return null;
}

function heldOutText(report: ScanReport): string {
  const held = report.heldOut.map((f) => `${f}/`).join(' ');
  if (!held) return '';
  return `; ${held} ${report.heldOut.length === 1 ? 'is' : 'are'} held out for testing (not trained on)`;
}

/** One sentence: what the scan found, in the user's words. */
export function describeScan(report: ScanReport): string {
  const dir = baseName(report.folders.a);
  if (report.layout === 'aligned') {
    const where = report.split ? ` (${report.a.name}/, ${plural(report.a.images.length, 'image')})` : '';
    return `One folder of A|B side-by-side images: ${dir}${where} — the left half of each image is domain A, the right half domain B${heldOutText(report)}.`;
  }
  if (report.bothInOneFolder && report.b) {
    return `One folder holding both domains: ${dir} — ${report.a.name}/ is domain A, ${report.b.name}/ is domain B${heldOutText(report)}.`;
  }
  if (report.b) return `Two folders: ${report.a.name} is domain A, ${report.b.name} is domain B.`;
  return `One folder of images: ${report.a.name}.`;
}

/** The scan describes both domains, so the pairing means something. */
export function hasBothDomains(report: ScanReport | null): report is ScanReport {
  return Boolean(report && (report.b || report.layout === 'aligned'));
}
