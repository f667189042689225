/**
 * Every named network configuration with its parameter count, measured by building it (so the numbers
 * shown to users are the networks Duet really trains, not a table that could drift).
 */
import {
  buildDiscriminator,
  buildGenerator,
  countParameters,
  type DiscriminatorName,
  type GeneratorName,
  type NormKind,
} from './networks.js';

export interface NetworkEntry {
  name: string;
  role: 'generator' | 'discriminator';
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
  kind: 'generator' | 'discriminator';
  which: GeneratorName | DiscriminatorName;
  usedBy: string;
  norm: NormKind;
  inputChannels: number;
  dropout?: boolean;
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
];

/** Build each named configuration (ngf = ndf = 64; 'tiny' caps at 16), count it, dispose it. */
export function listNetworks(): NetworkEntry[] {
  return SPECS.map((s) => {
    const model =
      s.kind === 'generator'
        ? buildGenerator(s.which as GeneratorName, { norm: s.norm, dropout: s.dropout, inputChannels: s.inputChannels })
        : buildDiscriminator(s.which as DiscriminatorName, { norm: s.norm, inputChannels: s.inputChannels });
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
