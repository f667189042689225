/**
 * Training settings for a run: schema defaults, then the model type's reference defaults, then a preset,
 * then what the user chose — validated against the one contract schema, with messages a user can act on.
 *
 * Pure: no file system, no TensorFlow.
 */
import type { z } from 'zod';
import {
  type ModelType,
  ModelTypeSchema,
  type PresetName,
  PresetNameSchema,
  type TrainingSettings,
  type TrainingSettingsInput,
  TrainingSettingsSchema,
} from '#contract';
import { CUT_VARIANT_DEFAULTS, resnetBlocks, resnetLayerCount } from '../../../models/cut-settings.js';

type Layer = Partial<TrainingSettingsInput>;

/** What the reference uses for each model type when nothing else is said (DESIGN.md §4). */
export const MODEL_DEFAULTS: Record<ModelType, Layer> = {
  cyclegan: {
    generator: 'resnet_9blocks',
    discriminator: 'basic',
    norm: 'instance',
    ganMode: 'lsgan',
    dropout: false,
    poolSize: 50,
    lambdaIdentity: 0.5,
  },
  pix2pix: {
    generator: 'unet_256',
    discriminator: 'basic',
    norm: 'batch',
    ganMode: 'vanilla',
    dropout: true,
    poolSize: 0,
    lambdaL1: 100,
  },
  // DESIGN.md §4b: no pool, anti-aliased networks, PatchNCE; CUT with identity NCE, FastCUT with λ_NCE 10
  // and flip equivariance.
  cut: CUT_VARIANT_DEFAULTS.cut as Layer,
  fastcut: CUT_VARIANT_DEFAULTS.fastcut as Layer,
};

/** The balanced preset: half width at 128 px, 50 + 50 epochs (ResNet generator; pix2pix swaps in the U-Net 128). */
const BALANCED_RESNET: Layer = {
  generator: 'resnet_6blocks',
  discriminator: 'basic',
  ngf: 32,
  ndf: 32,
  size: 128,
  loadSize: 143,
  epochs: 50,
  epochsDecay: 50,
  checkpointEvery: 500,
  sampleEvery: 100,
};

/**
 * The quick preset's CUT layers: the tiny generator has 2 residual blocks, so the reference's 0,4,8,12,16
 * would reach into its decoder; 0,4,8,12,13 reads the input, both downsampling convs and both blocks.
 */
const QUICK_CUT: Layer = {
  generator: 'tiny',
  discriminator: 'tiny',
  ngf: 8,
  ndf: 8,
  size: 64,
  loadSize: 72,
  nceLayers: [0, 4, 8, 12, 13],
  iterations: 200,
  checkpointEvery: 50,
  sampleEvery: 25,
};

/**
 * Presets, per model type.
 * - quick: trains on the CPU in minutes — tiny networks at 64 px, 200 iterations. On an idle 2-core
 *   machine (wasm, 2 threads) the quick pix2pix runs about 16 iterations/s; `duet demo --minutes 10`
 *   trains this preset as a normal run with `minutes: 10` and took it to 75% held-out pixel accuracy on
 *   the built-in sample (8,749 iterations, drawing in the maps' 11 flat colours, which the run found
 *   itself; 55% in 9,380 iterations drawing any colour; the most common map colour everywhere scores
 *   32%). Enough to see it learn; not a finished model. Its length stays a
 *   count of iterations, so a run of it ends at the same point on any machine (tests, the end-to-end
 *   flow); a time budget is one choice away: `--minutes N`, or "Train for: Time" in the window.
 * - balanced: half-width networks at 128 px, 50 + 50 epochs. Hours on a CPU, minutes per epoch on a GPU.
 * - reference: the paper's configuration at 256 px (load 286, random crop), 100 + 100 epochs.
 */
export const PRESETS: Record<PresetName, Record<ModelType, Layer>> = {
  quick: {
    // A 5× learning rate (1e-3): on the built-in sample, 600 iterations (a sixth of what 10 idle minutes
    // give) reached 3.8% held-out pixel accuracy where the reference's 2e-4 reached 1.4%. λ_A 1 or 0 (the
    // aerial → map → aerial cycle cannot be closed) gave no better within one seed's noise, so both
    // cycles stay; dropping the identity loss washed the colours out; resize + conv upsampling removed the
    // checkerboard but not the error. What the outputs lacked was the maps' exact colours: since runs draw
    // a flat-coloured domain in its own colours (outputPalette 'auto'), 3,000 iterations score 22.8% with
    // this preset's former 2-layer discriminator and 28.9% with the 3-layer PatchGAN at ndf 8 (70-px
    // patches; the same CPU time a step, 0.18 s on one thread): it tells a roof from a road by more of
    // its surroundings (27.9% with a second seed). `duet demo --model cyclegan --minutes 10`, idle machine:
    // 3,411 iterations, 26.3% (3.3% before the palette) — still under the most common colour (31.7%): the
    // outputs are maps, but land, roads and buildings trade colours. The quick preset then put A → B (the
    // direction translation takes by default) first: the B → A → B cycle weighs 100 (λ_B) and is detached
    // (cycleDetach 'B'), so it trains G_A on pairs (G_B(b), b) — maps with aerials made to pass for real
    // ones — and G_B can no longer hide the map in its aerial for G_A to read back. 3,000 iterations:
    // 35.3% (λ_B 30: 30.3% and 30.4%, seeds 0 and 1; the former preset 28.9% and 27.9%);
    // `duet demo --model cyclegan --minutes 10`, idle: 3,148 iterations, 33.5% (λ_B 30: 29.5% and 30.4%)
    // — over the most common colour (31.7%) for the first time. Seed 1, which draws its own sample (its
    // most common colour 27.1%): 29.4% at 3,000 iterations, 29.3% in the demo (3,041 iterations), so the
    // seed-1 figures above are on that sample too. λ_B 100 draws land and building blocks right more often
    // and streets as their casings only (λ_B 30 drew them white between the casings, 20% of their pixels
    // right). Tried on top and not kept: λ_B 300, λ_A 1, λ_identity 0 or 1, ngf 16, ndf 16 (29.3–34.4% at
    // 3,000 iterations), and λ_A 0 (36.2%, but drawing land almost everywhere: buildings and streets 0%).
    // A G_A that sees only a few pixels (docs/unpaired.md, fifth study) drew sharper regions in the wrong
    // colours: 7.5–33.0% at 3,000 iterations, 34.0% at 6,000 with a colour-share term (this preset 33.3%).
    // docs/unpaired.md has every run.
    cyclegan: {
      generator: 'tiny',
      discriminator: 'basic',
      ngf: 8,
      ndf: 8,
      lambdaB: 100,
      cycleDetach: 'B',
      lr: 1e-3,
      size: 64,
      loadSize: 72,
      poolSize: 50,
      iterations: 200,
      checkpointEvery: 50,
      sampleEvery: 25,
    },
    // Instance norm (batch norm at batch 1 normalises like it in training but not at inference, which
    // shifts the map's flat colours), no dropout, a 5× learning rate and ngf 16: on the built-in sample
    // this reached 25.8% held-out pixel accuracy in 3 minutes where the reference's choices at ngf 8
    // reached 9.6% (main/engine/sample/demo.ts). L1 weighs 500 (reference 100): in a CPU budget the GAN
    // term's texture costs more than it gives on flat map colours — `duet demo --minutes 10` measured
    // 48.5% at λ 100, 53.7% at λ 500 and 55.7% for L1 alone (no discriminator); 500 keeps the
    // discriminator's pull towards crisp edges.
    pix2pix: {
      generator: 'tiny',
      discriminator: 'tiny',
      ngf: 16,
      ndf: 8,
      norm: 'instance',
      dropout: false,
      lr: 1e-3,
      lambdaL1: 500,
      size: 64,
      loadSize: 72,
      iterations: 200,
      checkpointEvery: 50,
      sampleEvery: 25,
    },
    cut: QUICK_CUT,
    fastcut: QUICK_CUT,
  },
  balanced: {
    cyclegan: BALANCED_RESNET,
    pix2pix: { ...BALANCED_RESNET, generator: 'unet_128' },
    cut: BALANCED_RESNET,
    // FastCUT's reference schedule is shorter in its decay (150 + 50 of CUT's 200 + 200).
    fastcut: { ...BALANCED_RESNET, epochs: 40, epochsDecay: 10 },
  },
  reference: {
    cyclegan: {
      generator: 'resnet_9blocks',
      discriminator: 'basic',
      nLayersD: 3,
      ngf: 64,
      ndf: 64,
      size: 256,
      loadSize: 286,
      batchSize: 1,
      lr: 2e-4,
      beta1: 0.5,
      lambdaA: 10,
      lambdaB: 10,
      lambdaIdentity: 0.5,
      epochs: 100,
      epochsDecay: 100,
    },
    pix2pix: {
      generator: 'unet_256',
      discriminator: 'basic',
      nLayersD: 3,
      ngf: 64,
      ndf: 64,
      size: 256,
      loadSize: 286,
      batchSize: 1,
      lr: 2e-4,
      beta1: 0.5,
      lambdaL1: 100,
      epochs: 100,
      epochsDecay: 100,
    },
    // The CUT reference's train options: 200 + 200 epochs (CUT), 150 + 50 (FastCUT).
    cut: {
      ...(CUT_VARIANT_DEFAULTS.cut as Layer),
      ngf: 64,
      ndf: 64,
      size: 256,
      loadSize: 286,
      batchSize: 1,
      lr: 2e-4,
      beta1: 0.5,
    },
    fastcut: {
      ...(CUT_VARIANT_DEFAULTS.fastcut as Layer),
      ngf: 64,
      ndf: 64,
      size: 256,
      loadSize: 286,
      batchSize: 1,
      lr: 2e-4,
      beta1: 0.5,
    },
  },
};

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid training settings: ${problems[0]}`
        : `Invalid training settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'SettingsError';
  }
}

const SETTING_NAMES = Object.keys(TrainingSettingsSchema.shape);

function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length]!;
}

/** The closest known setting name, when one is close enough to be a likely typo. */
export function suggestSetting(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of SETTING_NAMES) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

/** One readable line per zod issue, naming the setting, the rule and the value given. */
export function describeIssues(issues: z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const name = issue.path.map(String).join('.') || 'settings';
    const got = valueAt(input, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const hint = suggestSetting(key);
          lines.push(`unknown setting "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
        }
        break;
      case 'invalid_value':
        lines.push(`${name} must be one of ${issue.values.map((v) => show(v)).join(', ')} (got ${show(got)})`);
        break;
      case 'invalid_type':
        lines.push(
          issue.expected === 'int'
            ? `${name} must be a whole number (got ${show(got)})`
            : `${name} must be a ${issue.expected} (got ${show(got)})`,
        );
        break;
      case 'too_small':
        lines.push(
          `${name} must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)} (got ${show(got)})`,
        );
        break;
      case 'too_big':
        lines.push(
          `${name} must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)} (got ${show(got)})`,
        );
        break;
      default:
        lines.push(`${name}: ${issue.message} (got ${show(got)})`);
    }
  }
  return lines;
}

/** The multiple of the image side a generator needs (its total down-sampling factor). */
export function sizeMultiple(generator: TrainingSettings['generator']): number {
  switch (generator) {
    case 'unet_256':
      return 256;
    case 'unet_128':
      return 128;
    case 'unet_64':
      return 64;
    case 'unet_32':
      return 32;
    default:
      // ResNet generators and the tiny one down-sample twice.
      return 4;
  }
}

/** Rules that span several settings (the schema checks each one alone). */
export function crossCheck(s: TrainingSettings): string[] {
  const problems: string[] = [];
  const multiple = sizeMultiple(s.generator);
  if (s.size % multiple !== 0) {
    const lower = Math.max(multiple, Math.floor(s.size / multiple) * multiple);
    problems.push(
      `size ${s.size} does not suit the ${s.generator} generator: it needs a multiple of ${multiple} (try ${lower})`,
    );
  }
  if (s.preprocess === 'resize_and_crop' && s.loadSize < s.size) {
    problems.push(`loadSize (${s.loadSize}) must be at least size (${s.size}): images are loaded, then cropped`);
  }
  if (s.model === 'cut' || s.model === 'fastcut') {
    const blocks = resnetBlocks(s.generator);
    if (blocks === undefined) {
      problems.push(
        `${s.model} reads its features from a ResNet generator, not ${s.generator}: choose resnet_9blocks, resnet_6blocks or tiny`,
      );
    } else {
      const count = resnetLayerCount(blocks, s.antialias);
      const beyond = s.nceLayers.filter((l) => l >= count);
      if (beyond.length > 0) {
        problems.push(
          `nceLayers ${beyond.join(', ')} ${beyond.length === 1 ? 'is' : 'are'} past the ${s.generator} generator's last layer (${count - 1})`,
        );
      }
    }
  }
  if (s.palettes) {
    if (resnetBlocks(s.generator) === undefined) {
      problems.push(
        `palettes (flat-colour outputs) are drawn by a ResNet generator, not ${s.generator}: choose resnet_9blocks, resnet_6blocks or tiny, or leave palettes out`,
      );
    }
    for (const [domain, colours] of Object.entries(s.palettes)) {
      if (colours?.some((c) => c.length !== 3)) {
        problems.push(
          `palettes.${domain}: every colour needs 3 values (red, green, blue, 0–255), as the images train in RGB`,
        );
      }
    }
  }
  if (s.epochs + s.epochsDecay === 0 && s.iterations === undefined && s.minutes === undefined) {
    problems.push('nothing to train: epochs and epochsDecay are both 0 and no iterations or minutes are set');
  }
  return problems;
}

/**
 * A lower layer of settings (a preset, a project's saved settings) with the lengths dropped that a
 * higher layer's own length replaces: a run is told how long to train by its highest layer that says so.
 * Choosing minutes drops a lower layer's iterations, choosing iterations drops its minutes, and choosing
 * the epoch schedule (epochs or epochsDecay) drops both. Without this, a project saved with `iterations`
 * and started with "Train for: Time" would carry both, and the run would stop at whichever came first —
 * not what the user chose. Both lengths in one layer stay as they are: whoever writes both in one place
 * (the API, a settings file) asks for "whichever comes first", as the schema documents; nothing in one
 * layer says which of the two was meant, so neither is guessed away. Keys whose value is `undefined`
 * choose nothing.
 */
export function withoutReplacedLength<T extends Record<string, unknown>>(lower: T, higher: Record<string, unknown>): T {
  const says = (key: string) => higher[key] !== undefined;
  const epochs = says('epochs') || says('epochsDecay');
  const kept: Record<string, unknown> = { ...lower };
  if (epochs || says('minutes')) delete kept.iterations;
  if (epochs || says('iterations')) delete kept.minutes;
  return kept as T;
}

/**
 * Resolve a run's settings: schema defaults ← model defaults ← preset ← user input. Throws a
 * SettingsError listing every problem, each naming the setting.
 */
export function resolveSettings(input: unknown = {}): TrainingSettings {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SettingsError([`settings must be an object (got ${show(input)})`]);
  }
  const user = input as Record<string, unknown>;
  const problems: string[] = [];

  const chosen = ModelTypeSchema.safeParse(user.model);
  // An unknown model is reported by the schema below.
  const model: ModelType = chosen.success ? chosen.data : 'cyclegan';
  let presetLayer: Layer = {};
  if (user.preset !== undefined) {
    const preset = PresetNameSchema.safeParse(user.preset);
    if (preset.success) presetLayer = PRESETS[preset.data][model];
    // An unknown preset is reported by the schema below.
  }
  // Explicit `undefined` (an unset CLI option) must not erase a preset's value.
  const userLayer = Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined));
  // A preset's length (iterations or minutes) is a default; a length chosen by the user replaces it.
  const layered: Record<string, unknown> = {
    ...withoutReplacedLength({ ...MODEL_DEFAULTS[model], ...presetLayer }, userLayer),
    ...userLayer,
  };

  const parsed = TrainingSettingsSchema.safeParse(layered);
  if (!parsed.success) {
    problems.push(...describeIssues(parsed.error.issues, layered));
    throw new SettingsError(problems);
  }
  problems.push(...crossCheck(parsed.data));
  if (problems.length > 0) throw new SettingsError(problems);
  return parsed.data;
}

export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  quick: 'Tiny networks at 64 px, 200 iterations: minutes on a CPU. To see it work, not for a useful model.',
  balanced: 'Half-width networks at 128 px, 50 + 50 epochs: hours on a CPU, a good first model on a GPU.',
  reference: "The paper's configuration: full networks at 256 px (load 286, random crop), 100 + 100 epochs. GPU.",
};

/** The presets for a model type (CycleGAN when unsaid), as the window lists them. */
export function listPresets(
  model: ModelType = 'cyclegan',
): { name: PresetName; description: string; settings: Partial<TrainingSettings> }[] {
  return PresetNameSchema.options.map((name) => ({
    name,
    description: PRESET_DESCRIPTIONS[name],
    settings: { ...MODEL_DEFAULTS[model], ...PRESETS[name][model], model, preset: name } as Partial<TrainingSettings>,
  }));
}

/**
 * What a run of a model type (CycleGAN when unsaid) uses when no preset is chosen, before the project's
 * and the user's choices: the schema's defaults under the model type's (the window's Custom form).
 */
export function defaultSettings(model: ModelType = 'cyclegan'): TrainingSettings {
  return resolveSettings({ model });
}
