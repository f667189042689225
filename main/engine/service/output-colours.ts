/**
 * The output colours a run would draw in, told before it starts: each domain a generator draws into is
 * looked at as a fresh run looks at it (findOutputPalettes, at most 64 images each), with the settings
 * chosen so far. Reads only; anything that stops the look (no data chosen, a folder gone, no usable
 * images) comes back as a plain sentence in `problem`, never as an error.
 *
 * The Train screen asks again on every change of its form, mostly about the same folders: what was found
 * is kept for a few sets of folders, with a fingerprint of what they held (OutputColourLooks), and looked
 * at again only when that changes.
 */
import type { DuetParsedRequest, ModelType, OutputColours, PresetName, TrainingSettings } from '#contract';
import { scanDataset } from '../dataset/scan.js';
import { folderFingerprint } from '../dataset/walk.js';
import {
  domainsOfScan,
  findOutputPalettes,
  type OutputDomainPalette,
  wantsPaletteDetection,
} from '../runs/palette-detect.js';
import { resolveSettings } from '../runs/settings.js';
import { checkFolder } from './data.js';
import type { ProjectStore } from './projects.js';

/**
 * The settings that decide the output colours, layered as a run's are (the model's defaults, the
 * preset, then the project's and the window's choices). Only these three: the rest of a half-typed form
 * must not stop the look.
 */
function paletteSettings(chosen: Partial<TrainingSettings>, preset: PresetName | undefined): TrainingSettings {
  const defaults = resolveSettings({ model: chosen.model, ...(preset ? { preset } : {}) });
  return {
    ...defaults,
    ...(chosen.generator ? { generator: chosen.generator } : {}),
    ...(chosen.outputPalette ? { outputPalette: chosen.outputPalette } : {}),
    palettes: undefined,
  };
}

function colourUse(settings: TrainingSettings): OutputColours['use'] {
  if (!wantsPaletteDetection({ ...settings, outputPalette: 'auto' })) return 'unsupported';
  return settings.outputPalette === 'off' ? 'off' : 'drawn';
}

/** Scans the folders and reads the images of each domain the model's generators draw into. Reads only. */
export async function lookAtOutputColours(
  model: ModelType,
  dirA: string,
  dirB: string | null,
): Promise<OutputDomainPalette[]> {
  const scan = await scanDataset(dirA, dirB);
  return findOutputPalettes(model, domainsOfScan(scan, model === 'pix2pix' ? 'paired' : 'unpaired'));
}

/** Sets of folders whose colours are kept: the Train screen asks about one project's at a time. */
const KEPT_LOOKS = 8;

/**
 * The colours last found for a few sets of folders (the least recently asked about dropped first), each
 * with the fingerprints of what the folders held then. An ask about unchanged folders lists them (names
 * and stat) and reads no image; a file added, removed or changed in either folder looks again. A look
 * that fails is not kept.
 */
export class OutputColourLooks {
  private readonly kept = new Map<string, { held: string; found: Promise<OutputDomainPalette[]> }>();

  constructor(
    private readonly look: typeof lookAtOutputColours = lookAtOutputColours,
    private readonly capacity = KEPT_LOOKS,
  ) {}

  async find(model: ModelType, dirA: string, dirB: string | null): Promise<OutputDomainPalette[]> {
    const key = JSON.stringify([model, dirA, dirB]);
    const held = (await Promise.all([dirA, dirB].map((d) => (d ? folderFingerprint(d) : '')))).join(' ');
    const before = this.kept.get(key);
    this.kept.delete(key);
    if (before?.held === held) {
      this.kept.set(key, before);
      return before.found;
    }
    const found = this.look(model, dirA, dirB);
    const entry = { held, found };
    this.kept.set(key, entry);
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.capacity) break;
      this.kept.delete(oldest);
    }
    // A look that failed (a folder gone, no usable image) is looked at again next time.
    found.catch(() => {
      if (this.kept.get(key) === entry) this.kept.delete(key);
    });
    return found;
  }
}

export async function previewOutputColours(
  r: DuetParsedRequest<'previewOutputColours'>,
  projects: ProjectStore,
  looks: OutputColourLooks = new OutputColourLooks(),
): Promise<OutputColours> {
  const project = r.projectId ? await projects.get(r.projectId) : null;
  const chosen = { ...project?.settings, ...(project ? { model: project.model } : {}), ...r.settings };
  const settings = paletteSettings(chosen, r.preset);
  const answer: OutputColours = { use: colourUse(settings), generator: settings.generator, domains: [] };

  const folders = r.data ?? (project?.domainA ? { a: project.domainA, b: project.domainB } : null);
  if (!folders) return { ...answer, problem: 'No training data chosen yet.' };
  let found: OutputDomainPalette[];
  try {
    const a = await checkFolder(folders.b ? 'Domain A' : 'The', folders.a);
    const b = folders.b ? await checkFolder('Domain B', folders.b) : null;
    found = await looks.find(settings.model, a, b);
  } catch (err) {
    return { ...answer, problem: (err as Error).message };
  }
  return {
    ...answer,
    domains: found.map(({ key, label, found }) => ({
      domain: key,
      label,
      palette: found
        ? {
            colours: found.colours.map(([r, g, b]) => [r, g, b] as [number, number, number]),
            coverage: found.coverage,
            images: found.images,
          }
        : null,
    })),
  };
}
