/**
 * `duet eval --model M --a DIR [--b DIR]`: RMSE (0–255), pixel accuracy, PSNR and L1 per direction on
 * paired test images (DESIGN.md §5); for library models the results go onto the model card.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { type Direction, DirectionSchema, type EvalReport as ServiceEvalReport } from '#contract';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { openEngine } from './engine.js';
import { parseIntOption } from './translate.js';

/** What `duet eval` prints (its --json shape): the service's report under the command line's names. */
export interface EvalReport {
  model: string;
  pairs: number;
  unmatchedA: string[];
  unmatchedB: string[];
  results: ServiceEvalReport['directions'];
  failed: Array<{ file: string; reason: string }>;
  savedToCard: boolean;
}

export function evalReportOf(r: ServiceEvalReport): EvalReport {
  return {
    model: r.modelId,
    pairs: r.pairs ?? 0,
    unmatchedA: r.unmatchedA ?? [],
    unmatchedB: r.unmatchedB ?? [],
    results: r.directions,
    failed: r.failed ?? [],
    savedToCard: r.savedToCard ?? false,
  };
}

interface EvalCliOptions {
  model: string;
  a: string;
  b?: string;
  limit?: string;
  direction?: string;
  workspace?: string;
  backend?: string;
  json?: boolean;
}

export function formatEvalReport(report: EvalReport): string {
  const lines = [`Model ${report.model}: ${report.pairs} test pair(s)`, ''];
  lines.push('direction   images   RMSE (0–255)   pixel acc.   PSNR (dB)   L1 (0–255)');
  for (const [d, r] of Object.entries(report.results)) {
    lines.push(
      `${d.padEnd(11)} ${String(r.count).padStart(6)}   ${r.rmse.toFixed(2).padStart(12)}   ${`${(r.pixelAccuracy * 100).toFixed(1)}%`.padStart(10)}   ${r.psnr.toFixed(2).padStart(9)}   ${r.l1.toFixed(2).padStart(10)}`,
    );
  }
  if (report.unmatchedA.length || report.unmatchedB.length) {
    lines.push('', `Without a partner: ${report.unmatchedA.length} in A, ${report.unmatchedB.length} in B`);
  }
  if (report.failed.length) {
    lines.push('', 'Not evaluated:', ...report.failed.map((f) => `  ${f.file} — ${f.reason}`));
  }
  lines.push('', report.savedToCard ? 'Saved to the model card.' : 'Not saved: only library models have a card.');
  return lines.join('\n');
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(summaryOf('eval'))
    .requiredOption('--model <id>', 'library model id, or a run (id or name: its latest checkpoint)')
    .requiredOption('--a <dir>', 'domain A test images (without --b: a folder of A|B side-by-side images)')
    .option('--b <dir>', 'domain B test images, named as their A partners')
    .option('--limit <n>', 'evaluate only the first N pairs', parseIntOption('--limit', 1, 10_000_000))
    .option('--direction <dir>', 'only AtoB or BtoA (default: every direction the model has)')
    .option('--workspace <dir>', 'workspace folder')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--json', 'print JSON')
    .action(async (opts: EvalCliOptions) => {
      const workspace = resolveWorkspace(opts.workspace);
      let direction: Direction | 'both' = 'both';
      if (opts.direction) {
        const d = DirectionSchema.safeParse(opts.direction);
        if (!d.success) throw new Error(`--direction must be AtoB or BtoA, not "${opts.direction}"`);
        direction = d.data;
      }
      const backend = await selectBackend({ preference: opts.backend });
      const engine = openEngine(workspace, backend);
      const showProgress = !opts.json && process.stderr.isTTY;
      const jobId = `eval-${randomBytes(4).toString('hex')}`;
      const off = engine.api.onJobEvent((p) => {
        if (showProgress && p.input) {
          process.stderr.write(`\r${p.direction ?? ''} ${p.done + 1}/${p.total} ${p.input}`.padEnd(60).slice(0, 100));
        }
      }, jobId);
      try {
        if (!opts.json) process.stderr.write(`Evaluating ${opts.model} on ${describeBackend(backend)}…\n`);
        const report = evalReportOf(
          await engine.api.evalModel({
            modelId: opts.model,
            a: path.resolve(opts.a),
            b: opts.b === undefined ? undefined : path.resolve(opts.b),
            direction,
            limit: opts.limit === undefined ? undefined : Number(opts.limit),
            jobId,
          }),
        );
        if (showProgress) process.stderr.write('\r'.padEnd(61));
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatEvalReport(report)}\n`);
      } finally {
        off();
        await engine.close();
      }
    });
}
