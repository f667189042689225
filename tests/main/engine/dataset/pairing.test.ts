import { describe, expect, it } from 'vitest';
import {
  alignedHalves,
  isPairedByNames,
  looksAligned,
  pairByName,
  pairingKey,
} from '../../../../main/engine/dataset/pairing.js';

describe('pairByName', () => {
  it('pairs by base name across extensions, case and Unicode normalisation', () => {
    const a = ['0001.jpg', 'Café.png', 'x/IMG_2.JPG'];
    const b = ['0001.png', 'Cafe\u0301.PNG', 'x/img_2.tif'];
    expect(pairByName(a, b)).toEqual({
      pairs: [
        [0, 0],
        [1, 1],
        [2, 2],
      ],
      unmatchedA: [],
      unmatchedB: [],
      matchedBy: 'path',
    });
  });

  it('falls back to bare names when the folder structures differ', () => {
    const r = pairByName(['city/1.png', 'city/2.png'], ['1.png', '2.png', '3.png']);
    expect(r.matchedBy).toBe('name');
    expect(r.pairs).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(r.unmatchedB).toEqual(['3.png']);
  });

  it('pairs each B file at most once when A holds two files with the same base name', () => {
    const r = pairByName(['a.jpg', 'a.png'], ['a.png']);
    expect(r.pairs).toEqual([[0, 0]]);
    expect(r.unmatchedA).toEqual(['a.png']);
  });

  it('keys keep dots inside names', () => {
    expect(pairingKey('tile.12.5.png', 'path')).toBe('tile.12.5');
    expect(pairingKey('dir.v2/README', 'path')).toBe('dir.v2/readme');
  });
});

describe('isPairedByNames', () => {
  it('needs most of the smaller folder and half of the larger to match', () => {
    expect(isPairedByNames(100, 100, 100)).toBe(true);
    expect(isPairedByNames(100, 95, 90)).toBe(true);
    expect(isPairedByNames(100, 100, 79)).toBe(false);
    expect(isPairedByNames(10, 1000, 10)).toBe(false);
    expect(isPairedByNames(5, 5, 0)).toBe(false);
  });
});

describe('aligned images', () => {
  it('looksAligned wants nearly all images 2:1', () => {
    expect(
      looksAligned([
        { width: 512, height: 256 },
        { width: 1200, height: 600 },
      ]),
    ).toBe(true);
    expect(
      looksAligned([
        { width: 512, height: 256 },
        { width: 256, height: 256 },
      ]),
    ).toBe(false);
    expect(looksAligned([])).toBe(false);
  });

  it('alignedHalves splits like the reference: A is the left ⌊w/2⌋ columns', () => {
    expect(alignedHalves(513, 256)).toEqual({
      a: { left: 0, top: 0, width: 256, height: 256 },
      b: { left: 256, top: 0, width: 257, height: 256 },
    });
  });
});
