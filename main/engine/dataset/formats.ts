/**
 * What a file is, judged by its first bytes (and its extension only where a format has no signature).
 * Pure: callers pass the head of the file. An extension alone never makes a file an image: a text file
 * renamed `.png` is "not an image", and a JPEG saved as `.PNG` is read as the JPEG it is.
 */

/** Formats this build of sharp decodes for training. */
export type ReadableFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'gif' | 'avif' | 'heif';

export type Sniffed =
  | { kind: 'readable'; format: ReadableFormat }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'not-image'; reason: string };

/** Bytes of the head `sniffFormat` looks at; SVG is recognised within this window. */
export const SNIFF_BYTES = 1024;

const CAMERA_RAW = new Set([
  'cr2',
  'cr3',
  'crw',
  'nef',
  'nrw',
  'arw',
  'srf',
  'sr2',
  'dng',
  'raf',
  'orf',
  'rw2',
  'pef',
  'srw',
  'x3f',
  '3fr',
  'erf',
  'kdc',
  'mrw',
  'iiq',
  'rwl',
]);

/** Lower-case extension without the dot ('' when none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  if (head.length < offset + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[offset + i] !== bytes[i]) return false;
  return true;
}

function ascii(head: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < Math.min(end, head.length); i++) s += String.fromCharCode(head[i]!);
  return s;
}

/** True when the head decodes as UTF-8 text with no control bytes beyond whitespace. */
export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c)) return false;
  try {
    // stream: a multi-byte character cut at the window's end is still text.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const VIDEO_BRANDS = new Set(['isom', 'iso2', 'mp41', 'mp42', 'qt  ', 'm4v ', 'M4V ', '3gp4', '3gp5', 'avc1', 'dash']);

/**
 * Classify a file from its head (up to SNIFF_BYTES) and name. `heifReadable` says whether this sharp
 * build decodes HEVC-coded HEIF (prebuilt sharp decodes AVIF only).
 */
export function sniffFormat(head: Uint8Array, name: string, heifReadable = false): Sniffed {
  const ext = extensionOf(name);
  const unsupported = (what: string, hint?: string): Sniffed => ({
    kind: 'unsupported',
    reason: `unsupported format: ${what}${hint ? ` (${hint})` : ''}`,
  });
  if (CAMERA_RAW.has(ext)) return unsupported(`camera RAW (${ext.toUpperCase()})`, 'export it as JPEG, PNG or TIFF');
  // GIS tools keep reduced copies of an image beside it; training on them would count the image twice.
  if (ext === 'ovr') return { kind: 'not-image', reason: 'not an image (GIS overview pyramid of another image)' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { kind: 'readable', format: 'jpeg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: 'readable', format: 'png' };
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a') return { kind: 'readable', format: 'gif' };
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return { kind: 'readable', format: 'webp' };
  if (ascii(head, 0, 4) === 'RIFF')
    return { kind: 'not-image', reason: `not an image (RIFF ${ascii(head, 8, 12).trim()})` };
  if (
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(head, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { kind: 'readable', format: 'tiff' };
  }
  if (ascii(head, 4, 8) === 'ftyp') {
    const brands: string[] = [];
    const boxSize = head.length >= 4 ? ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0 : 0;
    brands.push(ascii(head, 8, 12));
    for (let o = 16; o + 4 <= Math.min(boxSize, head.length); o += 4) brands.push(ascii(head, o, o + 4));
    if (brands.includes('avif') || brands.includes('avis')) return { kind: 'readable', format: 'avif' };
    if (brands.some((b) => HEIC_BRANDS.has(b))) {
      return heifReadable
        ? { kind: 'readable', format: 'heif' }
        : unsupported('HEIC', 'this build reads AVIF but not HEVC-coded HEIF; export it as JPEG');
    }
    if (brands.includes('crx ')) return unsupported('camera RAW (CR3)', 'export it as JPEG, PNG or TIFF');
    if (brands.includes('mif1') || brands.includes('msf1')) return { kind: 'readable', format: 'heif' };
    if (brands.some((b) => VIDEO_BRANDS.has(b))) return { kind: 'not-image', reason: 'not an image (video)' };
    return { kind: 'not-image', reason: `not an image (ISO media "${brands[0]?.trim()}")` };
  }
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14) return unsupported('BMP', 'convert it to PNG');
  if (startsWith(head, [0x00, 0x00, 0x01, 0x00]) && ext === 'ico') return unsupported('ICO');
  if (ascii(head, 0, 4) === '8BPS') return unsupported('PSD', 'export it as PNG or TIFF');
  if (ascii(head, 0, 5) === '%PDF-') return unsupported('PDF');
  if (
    startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) ||
    startsWith(head, [0xff, 0x4f, 0xff, 0x51])
  ) {
    return unsupported('JPEG 2000');
  }
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20]) || startsWith(head, [0xff, 0x0a])) {
    return unsupported('JPEG XL');
  }
  if (startsWith(head, [0x76, 0x2f, 0x31, 0x01])) return unsupported('OpenEXR');
  if (ascii(head, 0, 10) === '#?RADIANCE' || ascii(head, 0, 6) === '#?RGBE') return unsupported('Radiance HDR');
  if (ascii(head, 0, 4) === 'qoif') return unsupported('QOI');
  if (ascii(head, 0, 4) === 'DDS ') return unsupported('DDS');
  if (ascii(head, 0, 9) === 'SIMPLE  =') return unsupported('FITS');
  if (/^P[1-7]\s$/.test(ascii(head, 0, 3))) return unsupported('PNM (PPM/PGM/PBM)', 'convert it to PNG');
  if (ext === 'tga' || ext === 'icb' || ext === 'vda' || ext === 'vst') return unsupported('TGA', 'convert it to PNG');
  if (looksLikeText(head)) {
    const text = ascii(head, 0, head.length).replace(/^\uFEFF/, '');
    // A vector drawing: rendering it at some density would invent a resolution the user never chose.
    if (/<svg[\s>]/i.test(text)) return unsupported('SVG', 'vector image; export it as PNG');
    return { kind: 'not-image', reason: 'not an image (text file)' };
  }
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return { kind: 'not-image', reason: 'not an image (zip archive)' };
  return { kind: 'not-image', reason: 'not an image' };
}

/** Upper-case display name of a format, as used in reasons ("truncated JPEG"). */
export function formatLabel(format: string): string {
  return format === 'jpeg' ? 'JPEG' : format.toUpperCase();
}
