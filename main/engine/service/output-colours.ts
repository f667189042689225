/**
 * The output colours a run would draw in, told before it starts: each domain a generator draws into is
 * looked at as a fresh run looks at it (findOutputPalettes, at most 64 images each), with the settings
 * chosen so far. Reads only; anything that stops the look (no data chosen, a folder gone, no usable
 * images) comes back as a plain sentence in `problem`, never as an error.
 */
import type { DuetParsedRequest, OutputColours, PresetName, TrainingSettings } from '#contract';
import { scanDataset } from '../dataset/scan.js';
import { domainsOfScan, findOutputPalettes, wantsPaletteDetection } from '../runs/palette-detect.js';
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

export async function previewOutputColours(
  r: DuetParsedRequest<'previewOutputColours'>,
  projects: ProjectStore,
): Promise<OutputColours> {
  const project = r.projectId ? await projects.get(r.projectId) : null;
  const chosen = { ...project?.settings, ...(project ? { model: project.model } : {}), ...r.settings };
  const settings = paletteSettings(chosen, r.preset);
  const answer: OutputColours = { use: colourUse(settings), generator: settings.generator, domains: [] };

  const folders = r.data ?? (project?.domainA ? { a: project.domainA, b: project.domainB } : null);
  if (!folders) return { ...answer, problem: 'No training data chosen yet.' };
  let domains: ReturnType<typeof domainsOfScan>;
  try {
    const a = await checkFolder(folders.b ? 'Domain A' : 'The', folders.a);
    const b = folders.b ? await checkFolder('Domain B', folders.b) : null;
    const scan = await scanDataset(a, b);
    domains = domainsOfScan(scan, settings.model === 'pix2pix' ? 'paired' : 'unpaired');
  } catch (err) {
    return { ...answer, problem: (err as Error).message };
  }
  const found = await findOutputPalettes(settings.model, domains);
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
