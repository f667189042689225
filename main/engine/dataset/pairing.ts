/**
 * Which images of domain A and domain B belong together. Pure.
 *
 * Two folders are paired when their files share base names: `0001.jpg` ↔ `0001.png`, compared without
 * extension, case and Unicode normalisation (macOS writes names decomposed, Linux and Windows
 * composed). Names are matched by their path inside the folder first and by bare file name second,
 * whichever pairs more. A few stray files do not make paired data unpaired: the data counts as paired
 * when the pairs cover at least PAIRED_SHARE_OF_SMALLER of the smaller folder and PAIRED_SHARE_OF_LARGER
 * of the larger; the names left over are reported.
 */

export const PAIRED_SHARE_OF_SMALLER = 0.8;
export const PAIRED_SHARE_OF_LARGER = 0.5;

export interface NamePairing {
  /** Index into A, index into B, in A's order. */
  pairs: Array<[number, number]>;
  unmatchedA: string[];
  unmatchedB: string[];
  matchedBy: 'path' | 'name';
}

function stripExtension(p: string): string {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  return dot > slash + 1 ? p.slice(0, dot) : p;
}

/** The key two files must share to pair: path inside the folder, or bare name, without extension. */
export function pairingKey(relative: string, by: 'path' | 'name'): string {
  const p = by === 'name' ? relative.slice(relative.lastIndexOf('/') + 1) : relative;
  return stripExtension(p).normalize('NFC').toLowerCase();
}

function pairBy(a: readonly string[], b: readonly string[], by: 'path' | 'name'): NamePairing {
  const bByKey = new Map<string, number>();
  b.forEach((rel, i) => {
    const key = pairingKey(rel, by);
    if (!bByKey.has(key)) bByKey.set(key, i);
  });
  const usedB = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const unmatchedA: string[] = [];
  a.forEach((rel, i) => {
    const j = bByKey.get(pairingKey(rel, by));
    if (j !== undefined && !usedB.has(j)) {
      usedB.add(j);
      pairs.push([i, j]);
    } else {
      unmatchedA.push(rel);
    }
  });
  const unmatchedB = b.filter((_, j) => !usedB.has(j));
  return { pairs, unmatchedA, unmatchedB, matchedBy: by };
}

/** Match A's and B's relative paths by base name. */
export function pairByName(a: readonly string[], b: readonly string[]): NamePairing {
  const byPath = pairBy(a, b, 'path');
  if (byPath.pairs.length === Math.min(a.length, b.length)) return byPath;
  const byName = pairBy(a, b, 'name');
  return byName.pairs.length > byPath.pairs.length ? byName : byPath;
}

/** Whether name matches are enough to call the data paired. */
export function isPairedByNames(countA: number, countB: number, pairs: number): boolean {
  if (pairs === 0) return false;
  const smaller = Math.min(countA, countB);
  const larger = Math.max(countA, countB);
  return pairs >= PAIRED_SHARE_OF_SMALLER * smaller && pairs >= PAIRED_SHARE_OF_LARGER * larger;
}

/** Width : height of A|B side-by-side images, with some slack for odd widths and borders. */
export function isSideBySide(width: number, height: number): boolean {
  const ratio = width / height;
  return ratio >= 1.9 && ratio <= 2.1;
}

/** A folder is A|B side-by-side data when (nearly) all its images are twice as wide as high. */
export function looksAligned(sizes: ReadonlyArray<{ width: number; height: number }>): boolean {
  if (sizes.length === 0) return false;
  const sideBySide = sizes.filter((s) => isSideBySide(s.width, s.height)).length;
  return sideBySide >= 0.9 * sizes.length;
}

/** The two halves of an A|B image, as the reference splits it: A is the left ⌊w/2⌋ columns. */
export function alignedHalves(
  width: number,
  height: number,
): {
  a: { left: number; top: number; width: number; height: number };
  b: { left: number; top: number; width: number; height: number };
} {
  const half = Math.floor(width / 2);
  return {
    a: { left: 0, top: 0, width: half, height },
    b: { left: half, top: 0, width: width - half, height },
  };
}
