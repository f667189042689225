/**
 * The Train screen's note on output colours, before a run starts: which output folders look
 * flat-coloured (maps, label images), in how many colours, and whether the run will draw in exactly
 * those with the "Output colours" choice made.
 */
import type { OutputColours } from '#contract';

/** The words the "Output colours" choice shows for each value (the Train screen's select). */
export const OUTPUT_PALETTE_TEXT = { auto: 'The data’s, if flat', off: 'Any colour' } as const;

export interface OutputColoursLine {
  text: string;
  /** The colours to show as swatches, as CSS `rgb()` strings; empty for a line about no colours. */
  swatches: string[];
}

export interface OutputColoursNote {
  /** 'flat': colours found; 'none': nothing flat (a short neutral line); 'problem': could not look. */
  kind: 'flat' | 'none' | 'problem';
  lines: OutputColoursLine[];
}

/** "100%", "99.4%": a share of the pixels, never rounded up to 100% when it is not. */
export function coveragePercent(share: number): string {
  if (share >= 1) return '100%';
  return `${Math.min(99.9, Math.round(share * 1000) / 10)}%`;
}

/** What happens to the colours found with the choice made, in the words after the dash. */
function consequence(use: OutputColours['use']): string {
  switch (use) {
    case 'drawn':
      return `with “${OUTPUT_PALETTE_TEXT.auto}” the output is drawn in exactly these.`;
    case 'off':
      return `with “${OUTPUT_PALETTE_TEXT.off}” these colours are not enforced.`;
    case 'unsupported':
      return 'the U-Net generator draws any colour (a ResNet one draws in exactly these).';
  }
}

/** The note for an answer of previewOutputColours; null while there is nothing to say. */
export function outputColoursNote(answer: OutputColours | undefined): OutputColoursNote | null {
  if (!answer) return null;
  if (answer.problem) {
    return { kind: 'problem', lines: [{ text: `Output colours: ${answer.problem}`, swatches: [] }] };
  }
  const flat = answer.domains.filter((d) => d.palette);
  if (flat.length === 0) {
    if (answer.domains.length === 0) return null;
    const names = answer.domains.map((d) => d.label).join(' and ');
    const text = `${names} ${answer.domains.length === 1 ? 'does' : 'do'} not look flat-coloured: the output may use any colour.`;
    return { kind: 'none', lines: [{ text, swatches: [] }] };
  }
  return {
    kind: 'flat',
    lines: flat.map((d) => {
      const p = d.palette!;
      return {
        text: `${d.label} looks flat-coloured: ${p.colours.length} colours cover ${coveragePercent(p.coverage)} of its pixels — ${consequence(answer.use)}`,
        swatches: p.colours.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`),
      };
    }),
  };
}
