import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('duet networks', () => {
  it('lists every named configuration with the reference parameter counts, checked from outside', async () => {
    const { stdout } = await run(process.execPath, ['bin/duet.js', 'networks', '--json'], {
      env: { ...process.env, DUET_BACKEND: 'cpu' },
    });
    const report = JSON.parse(stdout) as {
      backend: string;
      networks: {
        name: string;
        role: string;
        usedBy: string;
        inputChannels: number;
        parameters: number;
        megabytes: number;
      }[];
    };
    expect(report.backend).toBe('cpu');
    const count = (name: string, role: string, inputChannels = 3) =>
      report.networks.find((n) => n.name === name && n.role === role && n.inputChannels === inputChannels)?.parameters;
    // DESIGN.md §4: the reference's six counts.
    expect(count('resnet_9blocks', 'generator')).toBe(11_378_179);
    expect(count('resnet_6blocks', 'generator')).toBe(7_837_699);
    expect(count('unet_256', 'generator')).toBe(54_413_955);
    expect(count('unet_128', 'generator')).toBe(41_828_995);
    expect(count('basic', 'discriminator')).toBe(2_764_737);
    expect(count('basic', 'discriminator', 6)).toBe(2_768_705);
    // DESIGN.md §4b: CUT's anti-aliased networks keep the reference's counts (the blurs hold none), and its
    // projection head on layers 0,4,8,12,16 has 560,384.
    const cut = (role: string) => report.networks.find((n) => n.role === role && /CUT/.test(n.usedBy))?.parameters;
    expect(cut('generator')).toBe(11_378_179);
    expect(cut('discriminator')).toBe(2_764_737);
    expect(cut('projection head')).toBe(560_384);
    // The smaller U-Nets drop the 512-channel levels one by one.
    expect(count('unet_64', 'generator')).toBeLessThan(count('unet_128', 'generator')!);
    expect(count('unet_32', 'generator')).toBeLessThan(count('unet_64', 'generator')!);
    for (const n of report.networks) expect(n.megabytes).toBeCloseTo((n.parameters * 4) / 1e6, 1);
  }, 120_000);
});
