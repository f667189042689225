/**
 * The bench harness behind `duet bench` / `npm run bench`: every registered area runs in turn on the
 * active backend; the results print as one table and are written as JSON (artifacts/bench.json).
 *
 * Adding an area: write `main/bench/<area>.ts` and add one entry to BENCH_AREAS below.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { createTrainer } from '../../models/index.js';
import { type BackendReport, describeBackend, selectBackend } from '../engine/backend.js';
import type { Batch } from '../engine/dataset/index.js';
import { benchData } from './data.js';
import { qualityBenchArea } from './quality.js';
import { soakBenchArea } from './soak.js';
import { timingBenchArea } from './timing.js';
import { benchTraining, formatTrainingBench } from './training.js';
import { translateBenchArea } from './translate.js';
import { wasmBenchArea } from './wasm.js';

/** One measured number. */
export interface BenchRow {
  area: string;
  name: string;
  /** null when the measurement was refused or failed (see note). */
  value: number | null;
  unit: string;
  note?: string;
}

export interface BenchAreaResult {
  rows: BenchRow[];
  /** The area's full records, kept in the JSON. */
  details?: unknown;
}

export interface BenchContext {
  backend: BackendReport;
  /** Progress lines for humans (stderr). */
  log: (line: string) => void;
}

export interface BenchArea {
  area: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchAreaResult>;
}

export const BENCH_AREAS: BenchArea[] = [
  {
    area: 'training',
    description: 'seconds per iteration, reference CycleGAN and pix2pix at 64/128/256 px, and generator inference',
    async run(ctx) {
      const records = await benchTraining({ keepBackend: true, backend: ctx.backend, log: ctx.log });
      const rows = records.map((r, i) => ({
        area: 'training',
        name: `${r.model} ${r.size} px (${r.network})`,
        value: r.secondsPerIteration ?? null,
        unit: r.model === 'generator-inference' ? 's/image' : 's/it',
        note:
          r.message ??
          [
            r.cpuSecondsPerIteration !== undefined ? `${r.cpuSecondsPerIteration.toFixed(2)} s CPU` : '',
            r.recompute ? 'generator passes recomputed' : '',
            r.ratioToPytorch ? `${r.ratioToPytorch.toFixed(1)}× PyTorch (${r.pytorchSeconds} s)` : '',
          ]
            .filter(Boolean)
            .join('; '),
        order: i,
      }));
      ctx.log(formatTrainingBench(records).join('\n'));
      return { rows: rows.map(({ order: _, ...row }) => row), details: records };
    },
  },
  {
    area: 'data',
    description: 'image decode throughput and the trainer’s data-wait share',
    async run() {
      // The wait share is measured against a real training step: the reference pix2pix (unet_128) at 128 px.
      const trainer = createTrainer({
        model: 'pix2pix',
        generator: 'unet_128',
        norm: 'batch',
        dropout: true,
        ganMode: 'vanilla',
        poolSize: 0,
        size: 128,
      });
      const step = async (batch: Batch) => {
        const shape: [number, number, number, number] = [batch.n, batch.height, batch.width, batch.channels];
        const a = tf.tensor4d(batch.a, shape);
        const b = tf.tensor4d(batch.b, shape);
        try {
          // As the run job steps: the losses read back once an iteration (webgpu can only read so).
          await trainer.stepAsync(a, b);
        } finally {
          a.dispose();
          b.dispose();
        }
      };
      let report: Awaited<ReturnType<typeof benchData>>;
      try {
        report = await benchData({ batches: 8, step });
      } finally {
        trainer.dispose();
      }
      return {
        rows: [
          {
            area: 'data',
            name: 'decode 600×600 JPEG → 256 crop',
            value: report.decode.imagesPerSecond,
            unit: 'images/s',
          },
          {
            area: 'data',
            name: `data wait at ${report.wait.size} px`,
            value: report.wait.waitShare * 100,
            unit: '% of time',
            note: report.wait.synthetic ? `synthetic ${report.wait.stepMs} ms step` : 'real pix2pix unet_128 step',
          },
        ],
        details: report,
      };
    },
  },
  translateBenchArea,
  soakBenchArea,
  qualityBenchArea,
  wasmBenchArea,
  timingBenchArea,
];

export interface BenchReport {
  createdAt: string;
  backend: string;
  backendReport: BackendReport;
  machine: { cpus: number; cpuModel: string; loadAverage: number[]; node: string; platform: string };
  areas: Array<{ area: string; seconds: number; rows: BenchRow[]; details?: unknown; error?: string }>;
}

export interface RunBenchOptions {
  /** Run only these areas. */
  only?: string[];
  log?: (line: string) => void;
  backend?: BackendReport;
}

export async function runBench(options: RunBenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const known = BENCH_AREAS.map((a) => a.area);
  for (const name of options.only ?? []) {
    if (!known.includes(name)) throw new Error(`Unknown bench area "${name}". Choose from: ${known.join(', ')}`);
  }
  const backend = options.backend ?? (await selectBackend());
  const report: BenchReport = {
    createdAt: new Date().toISOString(),
    backend: describeBackend(backend),
    backendReport: backend,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverage: os.loadavg(),
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
    },
    areas: [],
  };
  for (const area of BENCH_AREAS) {
    if (options.only?.length && !options.only.includes(area.area)) continue;
    log(`bench ${area.area}: ${area.description} (${describeBackend(backend)})`);
    const t0 = performance.now();
    try {
      const result = await area.run({ backend, log });
      report.areas.push({ area: area.area, seconds: (performance.now() - t0) / 1000, ...result });
    } catch (err) {
      report.areas.push({
        area: area.area,
        seconds: (performance.now() - t0) / 1000,
        rows: [],
        error: err instanceof Error ? err.message : String(err),
      });
    }
    log(`bench ${area.area}: done; tensors alive ${tf.memory().numTensors}`);
  }
  report.machine.loadAverage = os.loadavg();
  return report;
}

/** The report as an aligned text table. */
export function formatBenchTable(report: BenchReport): string {
  const header = ['area', 'measurement', 'value', 'unit', 'note'];
  const rows: string[][] = [];
  for (const a of report.areas) {
    if (a.error) rows.push([a.area, '(area failed)', '—', '', a.error.slice(0, 100)]);
    for (const r of a.rows) {
      rows.push([
        r.area,
        r.name,
        r.value === null ? '—' : r.value >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3),
        r.unit,
        (r.note ?? '').slice(0, 140),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const load = report.machine.loadAverage.map((l) => l.toFixed(1)).join(' ');
  return [
    `Duet bench — ${report.backend}; ${report.machine.cpus} cores (${report.machine.cpuModel}), load ${load}; ${report.createdAt}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
