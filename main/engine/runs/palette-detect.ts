/**
 * Flat-colour outputs chosen from the data: when a fresh run starts with `outputPalette: 'auto'`, each
 * output domain's training images are looked at and, where a few flat colours cover almost every pixel
 * (maps, label images), the generator into that domain draws in exactly those colours (`palettes` in the
 * run's settings, which its config, checkpoints, model card and exports then carry). A resumed run keeps
 * the settings it saved and never comes here.
 *
 * Pixels are read as training reads them (alpha flattened onto white, converted to sRGB), at the
 * image's own size: a resize would blend the flat colours into edge colours that are not in the palette.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { TrainingSettings } from '#contract';
import { resnetBlocks } from '../../../models/cut-settings.js';
import { ColourCounter, type FoundPalette } from '../../../models/palette.js';
import {
  type DatasetScan,
  DEFAULT_PIXEL_LIMIT,
  FLATTEN_BACKGROUND,
  type Region,
  type Sampling,
  sourcesFromScan,
  TRAINING_CHANNELS,
} from '../dataset/index.js';

/** At most this many images of a domain are looked at, spread over its list. */
export const PALETTE_SAMPLE_IMAGES = 64;
/** Larger images are thinned (nearest neighbour, which keeps colours exact) to about this many pixels. */
const MAX_PIXELS_PER_IMAGE = 1024 * 1024;
/** After this many images, a domain whose pixels are not at least half flat colours is taken for photos. */
const EARLY_LOOKS = [4, 16];

/**
 * A domain's training images as the run reads them: whole files, or a region (one half of an A|B image,
 * in upright coordinates); width and height are those of the part used.
 */
export interface DomainImages {
  /** What the messages call the domain: its folder's name. */
  label: string;
  images: ReadonlyArray<{ path: string; width: number; height: number; region: Region | null }>;
}

/** The training images of both domains (B is the right halves of A|B images in an aligned folder). */
export interface RunDomains {
  a: DomainImages;
  b: DomainImages;
}

export interface DetectOptions {
  /** Images looked at per domain (default PALETTE_SAMPLE_IMAGES). */
  maxImages?: number;
  pixelLimit?: number;
}

export interface DetectedPalettes {
  /** The settings with `palettes` filled in where a domain is drawn in flat colours (the same object when not). */
  settings: TrainingSettings;
  /** One plain sentence per palette found, for the run's log. */
  messages: string[];
}

/**
 * Whether this run's settings ask for palettes to be found: 'auto', none set already, a ResNet generator
 * (the U-Nets have no palette output) and RGB outputs (what training always decodes to).
 */
export function wantsPaletteDetection(settings: TrainingSettings): boolean {
  return (
    settings.outputPalette === 'auto' &&
    settings.palettes === undefined &&
    resnetBlocks(settings.generator) !== undefined &&
    TRAINING_CHANNELS === 3
  );
}

/** Up to `n` items spread evenly over the list, first included; the same items every time. */
export function spreadOver<T>(list: readonly T[], n: number): T[] {
  if (list.length <= n) return [...list];
  const picked: T[] = [];
  for (let i = 0; i < n; i++) picked.push(list[Math.floor((i * list.length) / n)]!);
  return picked;
}

/** The flat colours a domain's images are drawn in, or null (a photo, or nothing readable). */
export async function findDomainPalette(
  domain: DomainImages,
  options: DetectOptions = {},
): Promise<(FoundPalette & { images: number }) | null> {
  const counter = new ColourCounter();
  const picked = spreadOver(domain.images, options.maxImages ?? PALETTE_SAMPLE_IMAGES);
  let read = 0;
  for (const [i, image] of picked.entries()) {
    const pixels = await readPixels(image, options.pixelLimit).catch(() => null);
    // A file that cannot be read now (changed or damaged since the scan) is left out; training skips it too.
    if (!pixels) continue;
    counter.add(pixels, TRAINING_CHANNELS);
    read++;
    // Photos are told early, before millions of their colours are counted: not even half their pixels
    // fall in a few flat colours.
    if (EARLY_LOOKS.includes(read) && i < picked.length - 1 && !counter.palette({ minCoverage: 0.5 })) return null;
  }
  const found = counter.palette();
  return found ? { ...found, images: read } : null;
}

async function readPixels(
  image: DomainImages['images'][number],
  pixelLimit = DEFAULT_PIXEL_LIMIT,
): Promise<Uint8Array> {
  const { width, height, region } = image;
  let img = sharp(image.path, { failOn: 'truncated', limitInputPixels: pixelLimit, autoOrient: true });
  if (region) img = img.extract(region);
  if (width * height > MAX_PIXELS_PER_IMAGE) {
    const scale = Math.sqrt(MAX_PIXELS_PER_IMAGE / (width * height));
    img = img.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), {
      fit: 'fill',
      kernel: 'nearest',
    });
  }
  const { data, info } = await img
    .flatten({ background: FLATTEN_BACKGROUND })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== TRAINING_CHANNELS) throw new Error(`decoded ${info.channels} channels`);
  return data;
}

/** "100%", "99.4%": a palette's share of the pixels, never rounded up to 100% when it is not. */
function percent(share: number): string {
  if (share >= 1) return '100%';
  return `${Math.min(99.9, Math.round(share * 1000) / 10)}%`;
}

/** The sentence a run's log gives for a palette found in a domain's images. */
export function paletteMessage(label: string, found: Pick<FoundPalette, 'colours' | 'coverage'>): string {
  return `Output colours: drawn in the ${found.colours.length} flat colours found in ${label} (${percent(found.coverage)} of pixels)`;
}

/** A domain a generator draws into, and the flat colours its training images are drawn in (or null). */
export interface OutputDomainPalette {
  /** 'B' for the A → B generator, 'A' for CycleGAN's B → A generator. */
  key: 'A' | 'B';
  label: string;
  found: (FoundPalette & { images: number }) | null;
}

/**
 * The flat colours of each domain a model's generators draw into: domain B for the A → B generator, and
 * for CycleGAN also domain A for its B → A generator. Never throws on the data: an image that cannot be
 * read is left out, and a domain with no readable image has none.
 */
export async function findOutputPalettes(
  model: TrainingSettings['model'],
  domains: RunDomains,
  options: DetectOptions = {},
): Promise<OutputDomainPalette[]> {
  const outputs: Array<['A' | 'B', DomainImages]> = [['B', domains.b]];
  if (model === 'cyclegan') outputs.push(['A', domains.a]);
  const found: OutputDomainPalette[] = [];
  for (const [key, domain] of outputs) {
    found.push({ key, label: domain.label, found: await findDomainPalette(domain, options).catch(() => null) });
  }
  return found;
}

/**
 * Fill in `palettes` for a fresh run whose settings ask for it, from the colours of each domain its
 * generators draw into (findOutputPalettes).
 */
export async function detectOutputPalettes(
  settings: TrainingSettings,
  domains: RunDomains,
  options: DetectOptions = {},
): Promise<DetectedPalettes> {
  if (!wantsPaletteDetection(settings)) return { settings, messages: [] };
  const palettes: NonNullable<TrainingSettings['palettes']> = {};
  const messages: string[] = [];
  for (const { key, label, found } of await findOutputPalettes(settings.model, domains, options)) {
    if (!found) continue;
    palettes[key] = found.colours;
    messages.push(paletteMessage(label, found));
  }
  if (palettes.A === undefined && palettes.B === undefined) return { settings, messages };
  return { settings: { ...settings, palettes }, messages };
}

/** Each domain's training images (the pipeline's own lists) and what messages call it. */
export function domainsOfScan(scan: DatasetScan, sampling: Sampling): RunDomains {
  const sources = sourcesFromScan(scan, sampling);
  const aligned = scan.pairing.kind === 'aligned';
  return {
    a: { label: domainLabel(scan.a.root, aligned ? 'left' : undefined), images: sources.a },
    b: {
      label: domainLabel(aligned ? scan.a.root : (scan.b?.root ?? scan.a.root), aligned ? 'right' : undefined),
      images: sources.b,
    },
  };
}

/** A domain's label for messages: its folder's name, and which half for the halves of A|B images. */
export function domainLabel(root: string, half?: 'left' | 'right'): string {
  const name = path.basename(root) || root;
  return half ? `the ${half} halves of ${name}` : name;
}
