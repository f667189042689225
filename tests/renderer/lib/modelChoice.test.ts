import { describe, expect, it } from 'vitest';
import { ModelTypeSchema } from '#contract';
import { MODEL_NAME, MODEL_TYPES, modelChoiceLine } from '../../../renderer/src/lib/modelChoice';

describe('model choice', () => {
  it('offers every model type the engine trains, each with a name', () => {
    expect([...MODEL_TYPES].sort()).toEqual([...ModelTypeSchema.options].sort());
    for (const m of MODEL_TYPES) expect(MODEL_NAME[m]).toBeTruthy();
  });

  it('says in one line how the unpaired models differ: both directions, faster and sharper one-way, fastest', () => {
    const line = modelChoiceLine('unpaired');
    expect(line).not.toContain('\n');
    expect(line).toMatch(/CycleGAN learns both directions/);
    expect(line).toMatch(/CUT only A → B, faster and sharper/);
    expect(line).toMatch(/FastCUT only A → B, fastest/);
    expect(modelChoiceLine(undefined)).toBe(line);
  });

  it('for paired data, names pix2pix first and still says what the unpaired ones do', () => {
    for (const kind of ['paired-names', 'aligned'] as const) {
      const line = modelChoiceLine(kind);
      expect(line).toMatch(/^pix2pix learns from the pairs directly/);
      expect(line).toContain(modelChoiceLine('unpaired'));
    }
  });
});
