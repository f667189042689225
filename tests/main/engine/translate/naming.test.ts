import { describe, expect, it } from 'vitest';
import { estimateEta, outputRelativePath, validateNamingPattern } from '../../../../main/engine/translate/naming.js';

const ctx = { relative: 'city/tile_01.jpeg', direction: 'AtoB' as const, model: 'maps', index: 6, total: 120 };

describe('outputRelativePath', () => {
  it('keeps the original name and sub-folder by default, with the format extension', () => {
    expect(outputRelativePath('{name}', 'png', ctx)).toBe('city/tile_01.png');
    expect(outputRelativePath('{name}', 'jpeg', { ...ctx, relative: 'a.b.c.png' })).toBe('a.b.c.jpg');
    expect(outputRelativePath('{name}', 'webp', { ...ctx, relative: 'noext' })).toBe('noext.webp');
  });

  it('fills every placeholder; the index is 1-based and padded to the job size', () => {
    expect(outputRelativePath('{index}_{name}_{ext}_{direction}_{model}', 'png', ctx)).toBe(
      'city/007_tile_01_jpeg_AtoB_maps.png',
    );
    expect(outputRelativePath('{index}', 'png', { ...ctx, index: 0, total: 9 })).toBe('city/1.png');
  });

  it('replaces characters a file name cannot hold that come from values', () => {
    expect(outputRelativePath('{model}-{name}', 'png', { ...ctx, model: 'a/b:c' })).toBe('city/a_b_c-tile_01.png');
  });

  it('refuses bad patterns before anything runs', () => {
    expect(() => validateNamingPattern('{nmae}')).toThrow(/Unknown placeholder \{nmae\}.*\{name\}, \{ext\}/);
    expect(() => validateNamingPattern('out/{name}')).toThrow(/not allowed in file names/);
    expect(() => validateNamingPattern('{name')).toThrow(/Unbalanced brace/);
    expect(() => validateNamingPattern('  ')).toThrow(/empty/);
    expect(() => outputRelativePath('..', 'png', ctx)).toThrow(/empty name/);
  });
});

describe('estimateEta', () => {
  it('extrapolates the time spent over the share done', () => {
    expect(estimateEta(10, 0.25)).toBeCloseTo(30, 12);
    expect(estimateEta(10, 1)).toBe(0);
    expect(estimateEta(0, 0)).toBeNull();
    expect(estimateEta(5, 0)).toBeNull();
  });
});
