/**
 * `duet eval --model M --a DIR [--b DIR]`: RMSE (0–255), pixel accuracy, PSNR and L1 per direction on
 * paired test images (DESIGN.md §5); for library models the results go onto the model card.
 */
import type { Command } from 'commander';
import { type Direction, DirectionSchema } from '#contract';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { type EvalReport, evaluateModel } from '../engine/eval/evaluate.js';
import { resolveModel } from '../engine/library/resolve.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { parseIntOption } from './translate.js';

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
      let directions: Direction[] | undefined;
      if (opts.direction) {
        const d = DirectionSchema.safeParse(opts.direction);
        if (!d.success) throw new Error(`--direction must be AtoB or BtoA, not "${opts.direction}"`);
        directions = [d.data];
      }
      const backend = await selectBackend({ preference: opts.backend });
      const model = await resolveModel(workspace, opts.model);
      if (!opts.json) process.stderr.write(`Evaluating ${model.id} on ${describeBackend(backend)}…\n`);
      try {
        const report = await evaluateModel({
          model,
          dirA: opts.a,
          dirB: opts.b,
          limit: opts.limit === undefined ? undefined : Number(opts.limit),
          directions,
          workspace,
          onProgress: (p) => {
            if (!opts.json && process.stderr.isTTY && p.file) {
              process.stderr.write(`\r${p.direction} ${p.done + 1}/${p.total} ${p.file}`.padEnd(60).slice(0, 100));
            }
          },
        });
        if (!opts.json && process.stderr.isTTY) process.stderr.write('\r'.padEnd(61));
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatEvalReport(report)}\n`);
      } finally {
        model.dispose();
      }
    });
}
