/**
 * One file → an accepted image (with its size) or a specific reason it was skipped. Never throws.
 *
 * How much is decoded at scan time: the header always (dimensions, colour space; a decompression bomb is
 * refused from its header, before a single pixel is decoded), plus the file's end. A JPEG must end with
 * its end-of-image marker, a PNG with its IEND chunk, a GIF with its trailer, a WebP must be as long as
 * its RIFF header says: an interrupted copy or download — the usual way images get truncated — fails
 * these checks in two small reads. Only a file that fails them is decoded (downscaled) to tell a real
 * truncation from harmless trailing data such as a phone's motion-photo video. A full decode of every
 * file costs about as much as a training epoch; `verify: 'decode'` does it when asked, and the training
 * pipeline reports (and replaces) any file that still fails to decode.
 */
import { open } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { formatLabel, type ReadableFormat, SNIFF_BYTES, sniffFormat } from './formats.js';
import { errnoReason } from './walk.js';

/** sharp's own default (0x3FFF × 0x3FFF): ~268 megapixels, a 16k × 16k aerial photo. */
export const DEFAULT_PIXEL_LIMIT = 268_402_689;
/** Smaller than this on either side is not a training image (the smallest crop Duet trains on is 16). */
export const DEFAULT_MIN_SIDE = 16;

export interface ProbeOptions {
  pixelLimit?: number;
  minSide?: number;
  /** 'structure' (default): header + end-of-file checks; 'decode': decode every file. */
  verify?: 'structure' | 'decode';
}

export interface ImageFacts {
  format: ReadableFormat;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  bytes: number;
  /** sharp's colour space name: srgb, cmyk, b-w, rgb16, grey16, ... */
  space: string;
  channels: number;
  depth: string;
  hasAlpha: boolean;
  orientation?: number;
  /** Frames or pages; only the first is used. */
  pages?: number;
}

export type ProbeResult = { ok: true; image: ImageFacts } | { ok: false; reason: string };

async function readEnds(path: string, size: number): Promise<{ head: Uint8Array; tail: Uint8Array }> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const tailLen = Math.min(64, size);
    const tail = Buffer.alloc(tailLen);
    const t = await fh.read(tail, 0, tailLen, size - tailLen);
    return { head: head.subarray(0, bytesRead), tail: tail.subarray(0, t.bytesRead) };
  } finally {
    await fh.close();
  }
}

/** Whether the file's end looks like a complete file of this format (`null`: no cheap check exists). */
export function endLooksComplete(
  format: ReadableFormat,
  head: Uint8Array,
  tail: Uint8Array,
  size: number,
): boolean | null {
  if (format === 'jpeg') {
    // Some writers pad after the end-of-image marker with zeros or a newline.
    let end = tail.length;
    while (end > 0 && (tail[end - 1] === 0x00 || tail[end - 1] === 0x0a || tail[end - 1] === 0x0d)) end--;
    return end >= 2 && tail[end - 2] === 0xff && tail[end - 1] === 0xd9;
  }
  if (format === 'png') {
    const iend = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    if (tail.length < iend.length) return false;
    const off = tail.length - iend.length;
    return iend.every((b, i) => tail[off + i] === b);
  }
  if (format === 'gif') return tail.length > 0 && tail[tail.length - 1] === 0x3b;
  if (format === 'webp') {
    if (head.length < 8) return false;
    const riff = (head[4]! | (head[5]! << 8) | (head[6]! << 16) | (head[7]! << 24)) >>> 0;
    return size >= riff + 8;
  }
  return null;
}

/** Turn a decoder's error into a reason a user understands. */
export function decodeFailureReason(format: ReadableFormat, message: string, endComplete: boolean | null): string {
  const label = formatLabel(format);
  const first = message.split('\n')[0]!.trim();
  if (
    endComplete === false ||
    /premature end|truncat|unexpected end|end of (file|stream)|not enough data/i.test(first)
  ) {
    return `truncated ${label}`;
  }
  return `corrupt ${label}: ${first.replace(/^Vips\w*:\s*|^vips\w*:\s*/, '')}`;
}

const heifHevcReadable = false;

export async function probeImage(path: string, size: number, options: ProbeOptions = {}): Promise<ProbeResult> {
  const pixelLimit = options.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  const minSide = options.minSide ?? DEFAULT_MIN_SIDE;
  if (size === 0) return { ok: false, reason: 'empty file' };
  let head: Uint8Array;
  let tail: Uint8Array;
  try {
    ({ head, tail } = await readEnds(path, size));
  } catch (err) {
    return { ok: false, reason: `cannot read: ${errnoReason(err)}` };
  }
  const sniffed = sniffFormat(head, path, heifHevcReadable);
  if (sniffed.kind !== 'readable') return { ok: false, reason: sniffed.reason };
  const format = sniffed.format;
  const label = formatLabel(format);
  const endComplete = endLooksComplete(format, head, tail, size);

  let meta: Metadata;
  try {
    // Header only: no pixels are decoded, so a huge claimed size costs nothing here.
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    return { ok: false, reason: decodeFailureReason(format, (err as Error).message, endComplete) };
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (!width || !height) return { ok: false, reason: `corrupt ${label}: no image size in its header` };
  const pageHeight = meta.pageHeight && meta.pages && meta.pages > 1 ? meta.pageHeight : undefined;
  const pixels = width * (pageHeight ?? height);
  if (pixels > pixelLimit) {
    return {
      ok: false,
      reason: `larger than the pixel limit (${pixelLimit.toLocaleString('en-US')} px): ${width}×${height} = ${pixels.toLocaleString('en-US')} px`,
    };
  }
  if (width < minSide || height < minSide) {
    return { ok: false, reason: `too small: ${width}×${height} (needs at least ${minSide} px on each side)` };
  }

  if (options.verify === 'decode' || endComplete === false || format === 'heif') {
    try {
      // Downscaled: JPEG and WebP decode at 1/2–1/8 scale, yet every byte of the stream is still read.
      await sharp(path, { failOn: 'truncated', limitInputPixels: pixelLimit })
        .resize(256, 256, { fit: 'inside', withoutEnlargement: true })
        .raw()
        .toBuffer();
    } catch (err) {
      if (format === 'heif' && !/truncat|premature/i.test((err as Error).message)) {
        return { ok: false, reason: 'unsupported format: HEIF (this build reads AVIF but not HEVC-coded HEIF)' };
      }
      return { ok: false, reason: decodeFailureReason(format, (err as Error).message, endComplete) };
    }
  }

  return {
    ok: true,
    image: {
      format,
      width,
      height,
      bytes: size,
      space: meta.space,
      channels: meta.channels,
      depth: meta.depth,
      hasAlpha: meta.hasAlpha,
      ...(meta.orientation && meta.orientation !== 1 ? { orientation: meta.orientation } : {}),
      ...(meta.pages && meta.pages > 1 ? { pages: meta.pages } : {}),
    },
  };
}
