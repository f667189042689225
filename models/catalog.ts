/**
 * Every named network configuration with its parameter count, measured by building it (so the numbers
 * shown to users are the networks Duet really trains, not a table that could drift).
 */
import {
  buildDiscriminator,
  buildGenerator,
  buildGeneratorWithLayers,
  countParameters,
  type DiscriminatorName,
  type GeneratorName,
  generatorFeatures,
  type NormKind,
  patchMlpHead,
} from './networks.js';

export interface NetworkEntry {
  name: string;
  role: 'generator' | 'discriminator' | 'projection head';
  /** Where the reference uses it. */
  usedBy: string;
  norm: NormKind;
  inputChannels: number;
  filters: number;
  parameters: number;
  /** Size of the float32 weights in MB (10^6 bytes). */
  megabytes: number;
}

interface Spec {
  kind: 'generator' | 'discriminator' | 'projection head';
  which: GeneratorName | DiscriminatorName;
  usedBy: string;
  norm: NormKind;
  inputChannels: number;
  dropout?: boolean;
  /** Blur-resampled (CUT's anti-aliased networks). */
  antialias?: boolean;
}

const SPECS: Spec[] = [
  {
    kind: 'generator',
    which: 'resnet_9blocks',
    usedBy: 'CycleGAN default (256 px)',
    norm: 'instance',
    inputChannels: 3,
  },
  { kind: 'generator', which: 'resnet_6blocks', usedBy: 'CycleGAN at 128 px', norm: 'instance', inputChannels: 3 },
  { kind: 'generator', which: 'unet_256', usedBy: 'pix2pix default', norm: 'batch', inputChannels: 3, dropout: true },
  { kind: 'generator', which: 'unet_128', usedBy: 'pix2pix at 128 px', norm: 'batch', inputChannels: 3, dropout: true },
  { kind: 'generator', which: 'unet_64', usedBy: 'pix2pix at 64 px', norm: 'batch', inputChannels: 3, dropout: true },
  { kind: 'generator', which: 'unet_32', usedBy: 'pix2pix at 32 px', norm: 'batch', inputChannels: 3, dropout: true },
  { kind: 'generator', which: 'tiny', usedBy: 'quick preset, tests', norm: 'instance', inputChannels: 3 },
  { kind: 'discriminator', which: 'basic', usedBy: 'CycleGAN (70×70 PatchGAN)', norm: 'instance', inputChannels: 3 },
  { kind: 'discriminator', which: 'basic', usedBy: 'pix2pix (70×70 PatchGAN on A|B)', norm: 'batch', inputChannels: 6 },
  { kind: 'discriminator', which: 'pixel', usedBy: '1×1 PixelGAN', norm: 'instance', inputChannels: 3 },
  { kind: 'discriminator', which: 'tiny', usedBy: 'quick preset, tests', norm: 'instance', inputChannels: 3 },
  {
    kind: 'generator',
    which: 'resnet_9blocks',
    usedBy: 'CUT / FastCUT (anti-aliased)',
    norm: 'instance',
    inputChannels: 3,
    antialias: true,
  },
  {
    kind: 'discriminator',
    which: 'basic',
    usedBy: 'CUT / FastCUT (anti-aliased PatchGAN)',
    norm: 'instance',
    inputChannels: 3,
    antialias: true,
  },
  {
    kind: 'projection head',
    which: 'resnet_9blocks',
    usedBy: 'CUT / FastCUT PatchNCE MLP (layers 0,4,8,12,16; 256 units)',
    norm: 'none',
    inputChannels: 3,
    antialias: true,
  },
];

/** The parameters of CUT's projection head on the reference's layers of a generator. */
function headParameters(s: Spec): number {
  const built = buildGeneratorWithLayers(s.which as GeneratorName, { antialias: s.antialias });
  const heads = patchMlpHead(
    generatorFeatures(built, [0, 4, 8, 12, 16]).outputs.map((o) => o.shape[3] as number),
    256,
  );
  try {
    return heads.reduce((n, h) => n + countParameters(h), 0);
  } finally {
    for (const h of heads) h.dispose();
    built.model.dispose();
  }
}

/** Build each named configuration (ngf = ndf = 64; 'tiny' caps at 16), count it, dispose it. */
export function listNetworks(): NetworkEntry[] {
  return SPECS.map((s) => {
    if (s.kind === 'projection head') {
      const parameters = headParameters(s);
      return {
        name: 'mlp_head',
        role: s.kind,
        usedBy: s.usedBy,
        norm: s.norm,
        inputChannels: s.inputChannels,
        filters: 256,
        parameters,
        megabytes: Math.round((parameters * 4) / 1e4) / 100,
      };
    }
    const model =
      s.kind === 'generator'
        ? buildGenerator(s.which as GeneratorName, {
            norm: s.norm,
            dropout: s.dropout,
            inputChannels: s.inputChannels,
            antialias: s.antialias,
          })
        : buildDiscriminator(s.which as DiscriminatorName, {
            norm: s.norm,
            inputChannels: s.inputChannels,
            antialias: s.antialias,
          });
    try {
      const parameters = countParameters(model);
      return {
        name: s.which,
        role: s.kind,
        usedBy: s.usedBy,
        norm: s.norm,
        inputChannels: s.inputChannels,
        filters: s.which === 'tiny' ? 16 : 64,
        parameters,
        megabytes: Math.round((parameters * 4) / 1e4) / 100,
      };
    } finally {
      model.dispose();
    }
  });
}
