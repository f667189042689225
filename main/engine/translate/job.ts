/**
 * A translation job: images or folders (recursive) through one generator, written to an output folder.
 *
 * - Each image is decoded upright, in 8-bit sRGB with alpha flattened onto white (as training decodes),
 *   translated at its own resolution, tiled when it would exceed the memory budget.
 * - Outputs mirror the input folders' structure; names follow the request's pattern.
 * - Every output is written to a temporary name in its folder and renamed into place, so a cancel or a
 *   crash never leaves a half-written image; a cancel stops between tiles.
 * - Files that are not images, or fail to decode, are listed with their reason; the rest still translate.
 * - The output folder may not lie inside an input folder unless the caller says the user chose it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { JobEvent, TranslateReport, TranslateRequest } from '#contract';
import { chooseTile, type PixelImage, TilingAbortedError } from '../../../models/tiling.js';
import { SNIFF_BYTES, sniffFormat } from '../dataset/formats.js';
import { walkFolder } from '../dataset/walk.js';
import { type OutputFormat, validateNamingPattern } from './naming.js';
import { etaSeconds, inputFolderHolding, isInside, type PlannedItem, type ProbedInput, planWork } from './plan.js';
import { type Translator, translateWith } from './translator.js';

/** Default memory budget for one network pass; bigger images are tiled. */
export const DEFAULT_MEMORY_BUDGET = 1024 * 1024 * 1024;
/** Inputs above this many pixels are refused (sharp's own guard against decompression bombs). */
export const MAX_INPUT_PIXELS = 268_402_689;
const FLATTEN_BACKGROUND = '#ffffff';
const TEMP_PREFIX = '.duet-partial-';

export interface TranslateJobOptions {
  request: TranslateRequest;
  translator: Translator;
  /** The model id for {model} in names. */
  modelLabel: string;
  /** True when the user chose the output folder themselves (then it may lie inside an input folder). */
  outDirChosen?: boolean;
  memoryBudgetBytes?: number;
  signal?: AbortSignal;
  onEvent?: (event: JobEvent) => void;
  jobId?: string;
  /** Clock in seconds (tests). */
  now?: () => number;
}

export type { TranslateReport };

interface InputItem {
  path: string;
  relative: string;
}

/** Expand the request's inputs into image files, each with the relative path its output mirrors. */
export async function collectInputs(
  inputs: string[],
  outDir: string,
): Promise<{ items: InputItem[]; failed: TranslateReport['failed']; roots: string[] }> {
  const items: InputItem[] = [];
  const failed: TranslateReport['failed'] = [];
  const roots: string[] = [];
  const folders = (await Promise.all(inputs.map((p) => fs.stat(p).catch(() => null)))).filter((s) => s?.isDirectory());
  const prefixFolders = folders.length > 1;
  for (const input of inputs) {
    const abs = path.resolve(input);
    const st = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error) {
      failed.push({ path: abs, reason: st.code === 'ENOENT' ? 'not found' : `cannot read: ${st.code ?? st.message}` });
      continue;
    }
    if (st.isDirectory()) {
      roots.push(abs);
      const walked = await walkFolder(abs);
      failed.push(...walked.skipped.map((s) => ({ path: s.path, reason: s.reason })));
      for (const f of walked.files) {
        // An output folder inside this input folder (which the user chose) is not input.
        if (outDir !== abs && isInside(path.resolve(f.path), outDir)) continue;
        items.push({ path: f.path, relative: prefixFolders ? `${path.basename(abs)}/${f.relative}` : f.relative });
      }
    } else {
      roots.push(path.dirname(abs));
      items.push({ path: abs, relative: path.basename(abs) });
    }
  }
  return { items, failed, roots };
}

async function sniff(file: string): Promise<string | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, 'r');
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    if (bytesRead === 0) return 'empty file';
    const s = sniffFormat(head.subarray(0, bytesRead), file);
    return s.kind === 'readable' ? null : s.reason;
  } catch (err) {
    return `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  } finally {
    await handle?.close();
  }
}

function decodeReason(err: unknown): string {
  const msg = (err as Error)?.message ?? String(err);
  if (/pixel limit/i.test(msg)) return `too large (more than ${MAX_INPUT_PIXELS} pixels)`;
  if (/premature end|truncated|unexpected end/i.test(msg)) return `damaged or truncated image (${msg.split('\n')[0]})`;
  return `cannot decode: ${msg.split('\n')[0]}`;
}

function openInput(file: string): Sharp {
  return sharp(file, { failOn: 'truncated', limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true });
}

/** Decode upright, 8-bit sRGB, 3 channels, alpha on white. */
export async function decodeForTranslation(file: string): Promise<PixelImage> {
  const { data, info } = await openInput(file)
    .flatten({ background: FLATTEN_BACKGROUND })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels, expected 3`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: 3,
  };
}

function encoder(img: Sharp, format: OutputFormat, quality: number): Sharp {
  if (format === 'jpeg') return img.jpeg({ quality });
  if (format === 'webp') return img.webp({ quality });
  return img.png();
}

/**
 * Encode a translated image to `file`. With `metadataFrom`, the input's EXIF travels along (orientation
 * reset, since pixels are already upright) and the output is tagged sRGB, the space it was translated in.
 */
export async function encodeImage(
  image: PixelImage,
  file: string,
  options: { format: OutputFormat; quality: number; metadataFrom?: string },
): Promise<void> {
  const raw = { width: image.width, height: image.height, channels: image.channels as 3 };
  let pipeline: Sharp;
  if (options.metadataFrom) {
    // Drawing the output over the (upright) input is how sharp carries the input's EXIF into a new image.
    pipeline = openInput(options.metadataFrom)
      .composite([
        { input: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), raw, blend: 'source' },
      ])
      .removeAlpha()
      .keepExif()
      .withIccProfile('srgb');
  } else {
    pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw });
  }
  await encoder(pipeline, options.format, options.quality).toFile(file);
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** Look at one input without decoding it: its upright size when it is a readable image, else why not. */
async function probeInput(item: InputItem): Promise<ProbedInput> {
  const notImage = await sniff(item.path);
  if (notImage) return { ...item, problem: notImage };
  try {
    const meta = await openInput(item.path).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) throw new Error('no dimensions');
    if (width * height > MAX_INPUT_PIXELS) throw new Error('pixel limit');
    return { ...item, size: { width, height } };
  } catch (err) {
    return { ...item, problem: decodeReason(err) };
  }
}

type ImageOutcome = { translated: { width: number; height: number; tiles: number } } | { failed: string } | 'cancelled';

/**
 * Translate one image into its output: decoded, tiled when it would exceed the budget, encoded to a
 * temporary name beside the output and renamed into place, so a cancel or a crash leaves no half file.
 */
async function translateOne(
  item: PlannedItem,
  options: TranslateJobOptions,
  onTile: (share: number) => void,
): Promise<ImageOutcome> {
  const { request, translator, signal } = options;
  const dir = path.dirname(item.output);
  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}${path.extname(item.output)}`);
  let tiles = 0;
  try {
    const image = await decodeForTranslation(item.path);
    const tile =
      request.tile ??
      chooseTile(image.height, image.width, {
        bytes: options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET,
        bytesPerPixel: translator.bytesPerPixel,
        multiple: translator.multiple,
      });
    const out = await translateWith(translator, image, {
      tile,
      signal,
      onTile: (p) => {
        tiles = p.total;
        onTile(p.done / p.total);
      },
    });
    await fs.mkdir(dir, { recursive: true });
    await encodeImage(out, temp, {
      format: request.format as OutputFormat,
      quality: request.quality,
      metadataFrom: request.keepMetadata ? item.path : undefined,
    });
    if (signal?.aborted) throw new TilingAbortedError();
    await fs.rename(temp, item.output);
    return { translated: { width: image.width, height: image.height, tiles } };
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => {});
    if (err instanceof TilingAbortedError || signal?.aborted) return 'cancelled';
    return { failed: decodeOrWriteReason(err) };
  }
}

/** Run a translation job to the end, a cancel, or a fatal error (bad request, unusable output folder). */
export async function translateImages(options: TranslateJobOptions): Promise<TranslateReport> {
  const { request } = options;
  const now = options.now ?? (() => performance.now() / 1000);
  const started = now();
  const jobId = options.jobId ?? `translate-${randomBytes(4).toString('hex')}`;
  const emit = (e: Omit<JobEvent, 'jobId'>) => options.onEvent?.({ jobId, ...e });
  validateNamingPattern(request.naming);
  const outDir = path.resolve(request.outDir);

  const collected = await collectInputs(request.inputs, outDir);
  const inside = inputFolderHolding(outDir, collected.roots);
  if (inside && !options.outDirChosen) {
    throw new Error(
      `The output folder ${outDir} is inside the input folder ${inside}; Duet never writes into input folders unless you choose the output folder yourself`,
    );
  }
  // Look at every file first: weeds out non-images early and gives pixel counts for an honest ETA.
  const probed: ProbedInput[] = [];
  for (const item of collected.items) probed.push(await probeInput(item));
  const plan = planWork(probed, {
    naming: request.naming,
    format: request.format as OutputFormat,
    direction: request.direction,
    modelLabel: options.modelLabel,
    outDir,
  });
  const report: TranslateReport = {
    jobId,
    translated: [],
    existing: [],
    failed: [...collected.failed, ...plan.failed],
    cancelled: false,
    seconds: 0,
  };

  const total = plan.todo.length;
  let donePixels = 0;
  let done = 0;
  const eta = (extraPixels = 0) => etaSeconds(now() - started, donePixels + extraPixels, plan.totalPixels);
  emit({ type: 'progress', done, total, etaSeconds: null });

  for (const item of plan.todo) {
    if (options.signal?.aborted) break;
    const pixels = item.width * item.height;
    if (!request.overwrite && (await exists(item.output))) {
      report.existing.push({ input: item.path, output: item.output });
      donePixels += pixels;
      done++;
      emit({ type: 'item', done, total, input: item.path, output: item.output, skipped: 'exists', etaSeconds: eta() });
      continue;
    }
    const outcome = await translateOne(item, options, (share) =>
      emit({ type: 'progress', done, total, input: item.path, etaSeconds: eta(pixels * share) }),
    );
    if (outcome === 'cancelled') break;
    donePixels += pixels;
    done++;
    if ('translated' in outcome) {
      report.translated.push({ input: item.path, output: item.output, ...outcome.translated });
      emit({ type: 'item', done, total, input: item.path, output: item.output, etaSeconds: eta() });
    } else {
      report.failed.push({ path: item.path, reason: outcome.failed });
      emit({ type: 'item', done, total, input: item.path, error: outcome.failed, etaSeconds: eta() });
    }
  }
  report.cancelled = options.signal?.aborted === true;
  report.seconds = now() - started;
  emit({ type: report.cancelled ? 'cancelled' : 'done', done, total, etaSeconds: report.cancelled ? null : 0, report });
  return report;
}

function decodeOrWriteReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return 'the output disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied writing the output';
  if (code === 'EROFS') return 'the output folder is on a read-only file system';
  return decodeReason(err);
}
