import { describe, expect, it } from 'vitest';
import { extensionOf, looksLikeText, sniffFormat } from '../../../../main/engine/dataset/formats.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffFormat', () => {
  it('recognises what sharp reads by signature, whatever the extension says', () => {
    expect(sniffFormat(bytes(0xff, 0xd8, 0xff, 0xe0), 'photo.PNG')).toEqual({ kind: 'readable', format: 'jpeg' });
    expect(sniffFormat(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'x')).toMatchObject({ format: 'png' });
    expect(sniffFormat(text('GIF89a....'), 'a.gif')).toMatchObject({ format: 'gif' });
    expect(sniffFormat(text('RIFF\0\0\0\0WEBPVP8 '), 'a.webp')).toMatchObject({ format: 'webp' });
    expect(sniffFormat(bytes(0x4d, 0x4d, 0x00, 0x2a), 'a.tif')).toMatchObject({ format: 'tiff' });
    expect(sniffFormat(bytes(0x49, 0x49, 0x2a, 0x00), 'a.tif')).toMatchObject({ format: 'tiff' });
    expect(
      sniffFormat(bytes(0, 0, 0, 0x1c, ...text('ftypavif'), 0, 0, 0, 0, ...text('avifmif1')), 'a.avif'),
    ).toMatchObject({
      format: 'avif',
    });
  });

  it('names unsupported formats and says what to do', () => {
    expect(sniffFormat(text('BM6\0\0\0\0\0\0\0\x36\0\0\0'), 'a.bmp')).toEqual({
      kind: 'unsupported',
      reason: 'unsupported format: BMP (convert it to PNG)',
    });
    expect(
      sniffFormat(bytes(0, 0, 0, 0x18, ...text('ftypheic'), 0, 0, 0, 0, ...text('mif1heic')), 'IMG.HEIC'),
    ).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringMatching(/^unsupported format: HEIC/),
    });
    expect(sniffFormat(bytes(0x49, 0x49, 0x2a, 0x00), 'DSC_0001.NEF').kind).toBe('unsupported');
    expect(sniffFormat(bytes(0x49, 0x49, 0x2a, 0x00), 'ortho.tif.ovr')).toMatchObject({ reason: /overview pyramid/ });
    expect(sniffFormat(text('8BPS\0\x01'), 'a.psd')).toMatchObject({ reason: /PSD/ });
    expect(sniffFormat(text('%PDF-1.7\n'), 'a.pdf')).toMatchObject({ reason: /PDF/ });
    expect(sniffFormat(text('<?xml version="1.0"?>\n<svg xmlns="x">'), 'a.svg')).toMatchObject({
      reason: /^unsupported format: SVG/,
    });
    expect(sniffFormat(bytes(0, 0, 2, 0, 0, 0), 'a.TGA')).toMatchObject({ reason: /TGA/ });
  });

  it('calls everything else "not an image", with a hint when it can tell', () => {
    expect(sniffFormat(text('just some notes\n'), 'photo.png')).toEqual({
      kind: 'not-image',
      reason: 'not an image (text file)',
    });
    expect(sniffFormat(bytes(0x50, 0x4b, 0x03, 0x04, 0x00, 0xff), 'a.zip')).toMatchObject({
      reason: 'not an image (zip archive)',
    });
    expect(sniffFormat(bytes(0, 0, 0, 0x18, ...text('ftypmp42')), 'clip.mp4')).toMatchObject({
      reason: 'not an image (video)',
    });
    expect(sniffFormat(bytes(0x00, 0x01, 0xfe, 0x80), 'blob')).toEqual({ kind: 'not-image', reason: 'not an image' });
  });
});

describe('helpers', () => {
  it('extensionOf is lower-case and ignores dotfiles and folders', () => {
    expect(extensionOf('a/b.c/IMG.JPEG')).toBe('jpeg');
    expect(extensionOf('a/b.c/README')).toBe('');
    expect(extensionOf('.bashrc')).toBe('');
  });

  it('looksLikeText accepts UTF-8 prose and refuses binary', () => {
    expect(looksLikeText(text('Grüße, 写真 ✓\n'))).toBe(true);
    expect(looksLikeText(bytes(0x41, 0x00, 0x42))).toBe(false);
    expect(looksLikeText(bytes(0xc3, 0x28, 0x41, 0x41, 0x41, 0x41))).toBe(false);
  });
});
