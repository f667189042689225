import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../main/engine/backend.js';
import { MAX_GENERATOR_PARAMETERS, topologyParameterBound } from '../../../../main/engine/library/topology.js';
import { buildGenerator, GENERATOR_NAMES } from '../../../../models/networks.js';

beforeAll(async () => {
  await selectBackend({ env: { DUET_BACKEND: 'cpu' } });
});

describe('counting a generator’s parameters from its topology', () => {
  it('bounds every stock generator from above, close to what it builds', () => {
    for (const which of GENERATOR_NAMES) {
      for (const norm of ['instance', 'batch'] as const) {
        const g = buildGenerator(which, { ngf: 8, norm });
        const topology = g.toJSON(null, false) as object;
        const bound = topologyParameterBound(topology);
        const actual = g.countParams();
        expect(bound, `${which} ${norm}`).toBeGreaterThanOrEqual(actual);
        expect(bound, `${which} ${norm}`).toBeLessThanOrEqual(actual * 1.05);
        g.dispose();
      }
    }
  });

  it('counts a flat-colour (palette) output and refuses one whose palette does not fit its logits', () => {
    const palette = [
      [255, 255, 255],
      [170, 211, 223],
      [0, 0, 0],
    ];
    const g = buildGenerator('tiny', { ngf: 8, palette });
    const topology = g.toJSON(null, false) as { config: { layers: { class_name: string; config: object }[] } };
    const bound = topologyParameterBound(topology);
    expect(bound).toBeGreaterThanOrEqual(g.countParams());
    expect(bound).toBeLessThanOrEqual(g.countParams() * 1.05);
    g.dispose();
    const last = topology.config.layers.at(-1)!;
    expect(last.class_name).toBe('DuetPaletteMix');
    const withPalette = (p: unknown) => ({
      ...topology,
      config: {
        ...topology.config,
        layers: [...topology.config.layers.slice(0, -1), { ...last, config: { ...last.config, palette: p } }],
      },
    });
    expect(() => topologyParameterBound(withPalette(palette.slice(0, 2)))).toThrow(
      /2 colours need 2 input channels, not 3/,
    );
    expect(() =>
      topologyParameterBound(
        withPalette([
          [1, 2, 3],
          [4, 5],
          [6, 7, 8],
        ]),
      ),
    ).toThrow(/every palette colour/);
    expect(() => topologyParameterBound(withPalette('red'))).toThrow(/the palette must list/);
  });

  it('would accept the largest stock generator at ngf 128', () => {
    // Building unet_256 at ngf 128 (218 M weights) would take a minute here: scale the ngf-8 count,
    // since a generator's parameters grow with ngf².
    const g = buildGenerator('unet_256', { ngf: 8 });
    const scaled = topologyParameterBound(g.toJSON(null, false) as object) * (128 / 8) ** 2;
    g.dispose();
    expect(scaled).toBeLessThan(MAX_GENERATOR_PARAMETERS);
  });
});
