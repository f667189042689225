import { describe, expect, it } from 'vitest';
import { type OutputColours, OutputColoursSchema } from '#contract';
import { coveragePercent, OUTPUT_PALETTE_TEXT, outputColoursNote } from '../../../renderer/src/lib/outputColours';

const ELEVEN: Array<[number, number, number]> = Array.from({ length: 11 }, (_, i) => [i * 20, 255 - i * 20, 128]);

/** An answer as the engine gives it, checked by the contract's schema. */
function answer(patch: Partial<OutputColours>): OutputColours {
  return OutputColoursSchema.parse({
    use: 'drawn',
    generator: 'resnet_9blocks',
    domains: [{ domain: 'B', label: 'trainB', palette: { colours: ELEVEN, coverage: 1, images: 64 } }],
    ...patch,
  });
}

describe('the Train screen’s output colours note', () => {
  it('says a flat folder’s colours are drawn exactly with “The data’s, if flat”, and shows them as swatches', () => {
    const note = outputColoursNote(answer({}));
    expect(note?.kind).toBe('flat');
    expect(note?.lines).toHaveLength(1);
    expect(note?.lines[0]?.text).toBe(
      'trainB looks flat-coloured: 11 colours cover 100% of its pixels — with “The data’s, if flat” the output is drawn in exactly these.',
    );
    expect(note?.lines[0]?.swatches).toHaveLength(11);
    expect(note?.lines[0]?.swatches[1]).toBe('rgb(20, 235, 128)');
  });

  it('with “Any colour”, says the colours are not enforced; with a U-Net, that it draws any colour', () => {
    const off = outputColoursNote(answer({ use: 'off' }))?.lines[0]?.text;
    expect(off).toMatch(/^trainB looks flat-coloured: 11 colours cover 100% of its pixels — /);
    expect(off).toContain(`with “${OUTPUT_PALETTE_TEXT.off}” these colours are not enforced.`);
    const unet = outputColoursNote(answer({ use: 'unsupported', generator: 'unet_256' }))?.lines[0]?.text;
    expect(unet).toMatch(/the U-Net generator draws any colour/);
  });

  it('gives one line per flat output folder (CycleGAN draws into both) and none for a folder of photos', () => {
    const note = outputColoursNote(
      answer({
        domains: [
          { domain: 'B', label: 'maps', palette: { colours: ELEVEN.slice(0, 3), coverage: 0.9964, images: 64 } },
          { domain: 'A', label: 'aerial', palette: null },
        ],
      }),
    );
    expect(note?.lines.map((l) => l.text)).toEqual([
      'maps looks flat-coloured: 3 colours cover 99.6% of its pixels — with “The data’s, if flat” the output is drawn in exactly these.',
    ]);
  });

  it('says one short neutral line when nothing is flat, and nothing before an answer', () => {
    const note = outputColoursNote(answer({ domains: [{ domain: 'B', label: 'photos', palette: null }] }));
    expect(note).toEqual({
      kind: 'none',
      lines: [{ text: 'photos does not look flat-coloured: the output may use any colour.', swatches: [] }],
    });
    expect(outputColoursNote(undefined)).toBeNull();
    expect(outputColoursNote(answer({ domains: [] }))).toBeNull();
  });

  it('shows why the folders could not be looked at as a short line', () => {
    const note = outputColoursNote(answer({ domains: [], problem: 'Domain B folder does not exist: /data/maps' }));
    expect(note).toEqual({
      kind: 'problem',
      lines: [{ text: 'Output colours: Domain B folder does not exist: /data/maps', swatches: [] }],
    });
  });

  it('never rounds a share up to 100%', () => {
    expect(coveragePercent(1)).toBe('100%');
    expect(coveragePercent(0.99996)).toBe('99.9%');
    expect(coveragePercent(0.951)).toBe('95.1%');
  });
});
