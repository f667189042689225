/**
 * The model types a project can train, their names, and the one line the Data screen shows under the
 * choice: how the choices differ for the data at hand. Pure, so it is tested without a window.
 */
import type { ModelType, ScanReport } from '#contract';

/** In the order the Data screen offers them: the unpaired models, then pix2pix. */
export const MODEL_TYPES: readonly ModelType[] = ['cyclegan', 'cut', 'fastcut', 'pix2pix'];

export const MODEL_NAME: Record<ModelType, string> = {
  cyclegan: 'CycleGAN (unpaired)',
  cut: 'CUT (unpaired, one-way)',
  fastcut: 'FastCUT (unpaired, one-way)',
  pix2pix: 'pix2pix (paired)',
};

export const MODEL_SHORT_NAME: Record<ModelType, string> = {
  cyclegan: 'CycleGAN',
  cut: 'CUT',
  fastcut: 'FastCUT',
  pix2pix: 'pix2pix',
};

const UNPAIRED_LINE =
  'CycleGAN learns both directions (A → B and B → A); CUT only A → B, faster and sharper; FastCUT only A → B, fastest.';

/** One line saying how the model choices differ for data that pairs up as `pairing` (unknown: unpaired). */
export function modelChoiceLine(pairing: ScanReport['pairing']['kind'] | undefined): string {
  if (pairing === 'paired-names' || pairing === 'aligned') {
    return `pix2pix learns from the pairs directly. Without them: ${UNPAIRED_LINE}`;
  }
  return UNPAIRED_LINE;
}
