import { describe, expect, it } from 'vitest';
import { TrainingSettingsSchema } from '#contract';
import {
  PRESETS,
  resolveSettings,
  SettingsError,
  suggestSetting,
  withoutReplacedLength,
} from '../../../../main/engine/runs/settings.js';

/** pix2pix's own defaults, which differ from the schema's (CycleGAN's). */
const PIX2PIX_OWN_DEFAULTS = {
  generator: 'unet_256',
  norm: 'batch',
  ganMode: 'vanilla',
  dropout: true,
  poolSize: 0,
  lambdaL1: 100,
} as const;

describe('resolveSettings', () => {
  it('with nothing given, is the reference CycleGAN configuration', () => {
    const s = resolveSettings({});
    expect(s).toMatchObject({
      model: 'cyclegan',
      generator: 'resnet_9blocks',
      discriminator: 'basic',
      norm: 'instance',
      ganMode: 'lsgan',
      size: 256,
      loadSize: 286,
      poolSize: 50,
      lambdaA: 10,
      lambdaIdentity: 0.5,
      lr: 2e-4,
      beta1: 0.5,
      epochs: 100,
      epochsDecay: 100,
    });
    expect(s.iterations).toBeUndefined();
  });

  it('pix2pix gets the pix2pix defaults, not CycleGAN ones', () => {
    expect(resolveSettings({ model: 'pix2pix' })).toMatchObject(PIX2PIX_OWN_DEFAULTS);
  });

  it('cut and fastcut get the CUT reference defaults of their mode', () => {
    expect(resolveSettings({ model: 'cut' })).toMatchObject({
      generator: 'resnet_9blocks',
      poolSize: 0,
      antialias: true,
      lambdaGAN: 1,
      lambdaNCE: 1,
      nceIdt: true,
      flipEquivariance: false,
      nceLayers: [0, 4, 8, 12, 16],
      ncePatches: 256,
      nceTemperature: 0.07,
      nceMlpUnits: 256,
      epochs: 200,
      epochsDecay: 200,
    });
    expect(resolveSettings({ model: 'fastcut' })).toMatchObject({
      lambdaNCE: 10,
      nceIdt: false,
      flipEquivariance: true,
      epochs: 150,
      epochsDecay: 50,
    });
  });

  it('checks the NCE settings: layers inside the generator, in order, a ResNet generator, a positive temperature', () => {
    expect(() => resolveSettings({ model: 'cut', preset: 'quick', nceLayers: [0, 4, 30] })).toThrow(
      /nceLayers 30 is past the tiny generator's last layer \(24\)/,
    );
    expect(() => resolveSettings({ model: 'cut', nceLayers: [8, 4] })).toThrow(/distinct and in increasing order/);
    expect(() => resolveSettings({ model: 'fastcut', generator: 'unet_256' })).toThrow(
      /fastcut reads its features from a ResNet generator, not unet_256/,
    );
    expect(() => resolveSettings({ model: 'cut', nceTemperature: 0 })).toThrow(/nceTemperature must be greater than 0/);
    expect(() => resolveSettings({ model: 'cut', ncePatches: 1 })).toThrow(/ncePatches must be at least 2/);
    expect(() => resolveSettings({ model: 'cut', nceIdt: 'yes' })).toThrow(/nceIdt must be a boolean/);
    // The reference's layers suit every ResNet generator but the tiny one's decoder still has 16.
    expect(resolveSettings({ model: 'cut', preset: 'quick' }).nceLayers).toEqual([0, 4, 8, 12, 13]);
  });

  it('the quick CUT presets are as small as the quick CycleGAN one', () => {
    for (const model of ['cut', 'fastcut'] as const) {
      const s = resolveSettings({ model, preset: 'quick' });
      expect(s).toMatchObject({
        generator: PRESETS.quick.cyclegan.generator,
        ngf: PRESETS.quick.cyclegan.ngf,
        size: PRESETS.quick.cyclegan.size,
        iterations: PRESETS.quick.cyclegan.iterations,
      });
    }
  });

  it('layers user settings over a preset over model defaults', () => {
    const s = resolveSettings({ preset: 'quick', size: 32, loadSize: 36, lr: 3e-4 });
    expect(s.preset).toBe('quick');
    expect(s.generator).toBe(PRESETS.quick.cyclegan.generator);
    expect(s.iterations).toBe(PRESETS.quick.cyclegan.iterations);
    expect(s.size).toBe(32);
    expect(s.lr).toBe(3e-4);
    // Untouched model default survives under the preset.
    expect(s.ganMode).toBe('lsgan');
  });

  it('undefined user values (unset CLI options) do not erase the preset', () => {
    const s = resolveSettings({ preset: 'quick', size: undefined, iterations: undefined });
    expect(s.size).toBe(PRESETS.quick.cyclegan.size);
    expect(s.iterations).toBe(PRESETS.quick.cyclegan.iterations);
  });

  it('epochs chosen by the user replace the preset iteration count', () => {
    const s = resolveSettings({ preset: 'quick', epochs: 2, epochsDecay: 2 });
    expect(s.iterations).toBeUndefined();
    expect(s.epochs).toBe(2);
  });

  it('minutes chosen by the user replace the preset iteration count; iterations with them cap the run', () => {
    const s = resolveSettings({ preset: 'quick', minutes: 10 });
    expect(s.minutes).toBe(10);
    expect(s.iterations).toBeUndefined();
    expect(resolveSettings({ preset: 'quick', minutes: 10, iterations: 300 })).toMatchObject({
      minutes: 10,
      iterations: 300,
    });
    // With epochs at 0 a time budget is still something to train.
    expect(resolveSettings({ epochs: 0, epochsDecay: 0, minutes: 1 }).minutes).toBe(1);
    expect(() => resolveSettings({ minutes: 0 })).toThrow(/minutes must be greater than 0 \(got 0\)/);
    expect(() => resolveSettings({ minutes: 1441 })).toThrow(/minutes must be at most 1440 \(got 1441\)/);
  });

  it('every preset resolves for both models and passes the contract schema', () => {
    for (const preset of ['quick', 'balanced', 'reference'] as const) {
      for (const model of ['cyclegan', 'pix2pix'] as const) {
        const s = resolveSettings({ preset, model });
        expect(TrainingSettingsSchema.parse(s)).toEqual(s);
        expect(s.model).toBe(model);
      }
    }
    expect(resolveSettings({ preset: 'reference', model: 'pix2pix' })).toMatchObject({
      size: 256,
      generator: 'unet_256',
    });
  });

  it('names the setting, the rule and the value for each problem', () => {
    let error: unknown;
    try {
      resolveSettings({ size: 8, lr: -1, model: 'dcgan', batchSize: 1.5 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/size must be at least 16 \(got 8\)/);
    expect(msg).toMatch(/lr must be greater than 0 \(got -1\)/);
    expect(msg).toMatch(/model must be one of "cyclegan", "pix2pix", "cut", "fastcut" \(got "dcgan"\)/);
    expect(msg).toMatch(/batchSize must be a whole number \(got 1.5\)/);
    expect((error as SettingsError).problems).toHaveLength(4);
  });

  it('an unknown setting is refused with a suggestion', () => {
    expect(() => resolveSettings({ lamdaA: 5 })).toThrow(/unknown setting "lamdaA" \(did you mean "lambdaA"\?\)/);
    expect(suggestSetting('zzzzzzzz')).toBeUndefined();
  });

  it('an unknown preset lists the presets', () => {
    expect(() => resolveSettings({ preset: 'fast' })).toThrow(/preset must be one of "quick", "balanced", "reference"/);
  });

  it('a wrong type says what was expected', () => {
    expect(() => resolveSettings({ size: '64' })).toThrow(/size must be a number \(got "64"\)/);
    expect(() => resolveSettings('quick')).toThrow(/settings must be an object/);
  });

  it('checks rules that span settings', () => {
    expect(() => resolveSettings({ size: 66, loadSize: 72, generator: 'resnet_6blocks' })).toThrow(
      /size 66 does not suit the resnet_6blocks generator: it needs a multiple of 4 \(try 64\)/,
    );
    expect(() => resolveSettings({ model: 'pix2pix', size: 128, loadSize: 143 })).toThrow(/multiple of 256/);
    expect(() => resolveSettings({ size: 128, loadSize: 100 })).toThrow(
      /loadSize \(100\) must be at least size \(128\)/,
    );
    expect(() => resolveSettings({ epochs: 0, epochsDecay: 0 })).toThrow(/nothing to train/);
    expect(resolveSettings({ size: 128, loadSize: 100, preprocess: 'none' }).size).toBe(128);
  });

  it('finds flat output colours unless told not to, and draws given palettes only on ResNet generators, in RGB', () => {
    expect(resolveSettings({}).outputPalette).toBe('auto');
    expect(resolveSettings({ outputPalette: 'off' }).outputPalette).toBe('off');
    expect(() => resolveSettings({ outputPalette: 'always' })).toThrow(/outputPalette/);
    const two = [
      [0, 0, 0],
      [255, 255, 255],
    ];
    expect(resolveSettings({ generator: 'tiny', palettes: { B: two } }).palettes).toEqual({ B: two });
    expect(() => resolveSettings({ model: 'pix2pix', palettes: { B: two } })).toThrow(
      /palettes \(flat-colour outputs\) are drawn by a ResNet generator, not unet_256/,
    );
    expect(() => resolveSettings({ palettes: { A: [[0], [255]] } })).toThrow(
      /palettes\.A: every colour needs 3 values/,
    );
  });
});

describe('listPresets', () => {
  it('lists the three presets with their settings for the model asked', async () => {
    const { PresetSchema } = await import('#contract');
    const { listPresets } = await import('../../../../main/engine/runs/settings.js');
    const presets = listPresets('pix2pix');
    expect(presets.map((p) => p.name)).toEqual(['quick', 'balanced', 'reference']);
    for (const p of presets) {
      expect(PresetSchema.safeParse(p).success).toBe(true);
      expect(p.settings.model).toBe('pix2pix');
      expect(resolveSettings(p.settings)).toMatchObject(p.settings);
    }
    expect(presets[2]?.settings).toMatchObject({ size: 256, generator: 'unet_256', norm: 'batch' });
  });

  it('every model type has its three presets, each resolving to itself', async () => {
    const { listPresets } = await import('../../../../main/engine/runs/settings.js');
    for (const model of ['cyclegan', 'pix2pix', 'cut', 'fastcut'] as const) {
      for (const p of listPresets(model))
        expect(resolveSettings(p.settings), `${model} ${p.name}`).toMatchObject(p.settings);
    }
  });
});

describe('defaultSettings', () => {
  it('is what a run of each model type uses with no preset: its own generator and defaults, not CycleGAN’s', async () => {
    const { defaultSettings, MODEL_DEFAULTS } = await import('../../../../main/engine/runs/settings.js');
    expect(defaultSettings('pix2pix')).toMatchObject({ model: 'pix2pix', ...PIX2PIX_OWN_DEFAULTS });
    expect(defaultSettings()).toMatchObject({ model: 'cyclegan', generator: 'resnet_9blocks', norm: 'instance' });
    for (const model of ['cyclegan', 'pix2pix', 'cut', 'fastcut'] as const) {
      expect(defaultSettings(model)).toEqual(resolveSettings({ model }));
      expect(defaultSettings(model)).toMatchObject(MODEL_DEFAULTS[model]);
    }
  });

  it('with a preset listed over it, is what the run of that preset uses (how the Train screen layers them)', async () => {
    const { defaultSettings, listPresets } = await import('../../../../main/engine/runs/settings.js');
    for (const model of ['cyclegan', 'pix2pix', 'cut', 'fastcut'] as const) {
      for (const p of listPresets(model)) {
        expect({ ...defaultSettings(model), ...p.settings }, `${model} ${p.name}`).toEqual(
          resolveSettings({ model, preset: p.name }),
        );
      }
    }
  });
});

describe('withoutReplacedLength', () => {
  const lower = { iterations: 300, minutes: 5, epochs: 7, epochsDecay: 3, lr: 0.1 };
  it('a length in the higher layer drops the lower layer’s other lengths, nothing else', () => {
    expect(withoutReplacedLength(lower, { minutes: 10 })).toEqual({ minutes: 5, epochs: 7, epochsDecay: 3, lr: 0.1 });
    expect(withoutReplacedLength(lower, { iterations: 10 })).toEqual({
      iterations: 300,
      epochs: 7,
      epochsDecay: 3,
      lr: 0.1,
    });
    expect(withoutReplacedLength(lower, { epochsDecay: 0 })).toEqual({ epochs: 7, epochsDecay: 3, lr: 0.1 });
  });
  it('no length, or only undefined ones, in the higher layer keeps the lower layer whole (and unmutated)', () => {
    expect(withoutReplacedLength(lower, { lr: 1, minutes: undefined })).toEqual(lower);
    expect(lower).toEqual({ iterations: 300, minutes: 5, epochs: 7, epochsDecay: 3, lr: 0.1 });
  });
});
