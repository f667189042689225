import { describe, expect, it } from 'vitest';
import { benchDataWait, benchDecode } from '../../../../main/bench/data.js';

describe('data benchmarks', () => {
  it('benchDecode decodes the requested images and reports a rate', async () => {
    const r = await benchDecode({ images: 8, perDomain: 2, batchSize: 2 });
    expect(r.images).toBeGreaterThanOrEqual(8);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.cpuMsPerImage).toBeGreaterThan(0);
    expect(r).toMatchObject({ size: 256, loadSize: 286, source: '600×600 JPEG q90' });
  });

  it('benchDataWait runs the given training step for every batch and reports the wait share', async () => {
    const seen: number[] = [];
    const r = await benchDataWait({
      batches: 5,
      perDomain: 2,
      step: (batch) => {
        seen.push(batch.height);
      },
    });
    expect(seen).toEqual([128, 128, 128, 128, 128]);
    expect(r).toMatchObject({ size: 128, batches: 5, synthetic: false });
    expect(r.waitShare).toBeGreaterThanOrEqual(0);
    expect(r.waitShare).toBeLessThanOrEqual(1);
    expect(r.pipelineMsPerBatch).toBeGreaterThan(0);
  });
});
