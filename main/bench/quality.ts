/**
 * The quality figure: held-out pixel accuracy and RMSE (DESIGN.md §5) on the built-in aerial → map sample
 * after a fixed budget of iterations of the quick preset, for pix2pix and CycleGAN, next to the two
 * baselines scored on the same tiles: the most common map colour everywhere, and the same generator
 * trained on L1 alone (no GAN) for the same number of iterations.
 *
 * A fixed iteration budget (not a time budget) keeps the figure comparable across machines and loads.
 * DUET_BENCH_QUALITY_ITERATIONS changes it (default 300). Each model trains as `duet demo` trains it: a
 * run of the run job, in a workspace of its own that is removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelType } from '#contract';
import { type DemoOptions, type DemoResult, runDemo } from '../engine/sample/demo.js';
import type { BenchArea, BenchRow } from './index.js';

export interface QualityBenchOptions {
  iterations?: number;
  models?: ModelType[];
  backend?: string;
  log?: (line: string) => void;
  /** Smaller data and tiles (tests). */
  demo?: Pick<DemoOptions, 'count' | 'testCount' | 'settings'>;
}

export interface QualityBenchRecord {
  model: ModelType;
  iterations: number;
  trainingSeconds: number;
  backend: string;
  metrics: DemoResult['metrics'];
  /** The model's pixel accuracy split by map colour (kept in bench.json, where a change shows first). */
  byColour: DemoResult['byColour'];
}

export function qualityIterations(env: Record<string, string | undefined> = process.env): number {
  const raw = env.DUET_BENCH_QUALITY_ITERATIONS;
  if (raw === undefined || raw === '') return 300;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`DUET_BENCH_QUALITY_ITERATIONS must be a positive integer (got "${raw}")`);
  }
  return n;
}

export async function benchQuality(options: QualityBenchOptions = {}): Promise<QualityBenchRecord[]> {
  const iterations = options.iterations ?? qualityIterations();
  const models = options.models ?? ['pix2pix', 'cyclegan'];
  const records: QualityBenchRecord[] = [];
  for (const model of models) {
    const dir = await mkdtemp(path.join(os.tmpdir(), `duet-quality-${model}-`));
    try {
      const result = await runDemo({
        ...options.demo,
        outDir: path.join(dir, 'demo'),
        workspace: path.join(dir, 'workspace'),
        model,
        // Bounded by iterations; the time budget only guards against a run that never ends. With both set,
        // the rate decays over the iterations (the run's further-along measure).
        minutes: 24 * 60,
        maxIterations: iterations,
        backend: options.backend,
        // The L1 baseline uses pix2pix's generator and settings; one run of it serves both rows.
        l1Baseline: model === 'pix2pix',
        onEvent: (e) => {
          if (e.type === 'stage') options.log?.(`  quality ${model}: ${e.message}`);
        },
      });
      records.push({
        model,
        iterations: result.iterations,
        trainingSeconds: result.trainingSeconds,
        backend: result.backend,
        metrics: result.metrics,
        byColour: result.byColour,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return records;
}

/** Bench rows: pixel accuracy (%) and RMSE for each model and baseline, baselines once. */
export function qualityRows(records: QualityBenchRecord[]): BenchRow[] {
  const rows: BenchRow[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const m of r.metrics) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      const name = m.name.replace(' (this run)', '');
      const note = `${m.count} held-out tiles; ${m.note ?? ''}`.trim();
      rows.push({ area: 'quality', name: `${name} pixel accuracy`, value: m.pixelAccuracy * 100, unit: '%', note });
      rows.push({ area: 'quality', name: `${name} RMSE`, value: m.rmse, unit: '0–255', note });
    }
  }
  return rows;
}

export const qualityBenchArea: BenchArea = {
  area: 'quality',
  description: 'held-out pixel accuracy and RMSE on the built-in sample after a fixed budget, against the baselines',
  async run(ctx) {
    const records = await benchQuality({ backend: ctx.backend.candidate, log: ctx.log });
    return { rows: qualityRows(records), details: records };
  },
};
