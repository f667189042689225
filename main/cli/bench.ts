import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { BENCH_AREAS, formatBenchTable, runBench } from '../bench/index.js';
import { selectBackend } from '../engine/backend.js';
import { summaryOf } from './commands.js';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(`${summaryOf('bench')}; areas: ${BENCH_AREAS.map((a) => a.area).join(', ')}`)
    .option('--json', 'print the JSON report instead of the table')
    .option('--only <areas>', 'comma-separated areas to run')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--out <file>', 'where to write the JSON report', path.join('artifacts', 'bench.json'))
    .action(async (opts: { json?: boolean; only?: string; backend?: string; out: string }) => {
      const only = opts.only
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const backend = await selectBackend({ preference: opts.backend });
      const report = await runBench({ only, backend });
      await mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
      await writeFile(opts.out, `${JSON.stringify(report, null, 2)}\n`);
      if (report.areas.some((a) => a.error)) process.exitCode = 1;
      const text = opts.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatBenchTable(report)}\n\nWritten to ${opts.out}\n`;
      // wasm's worker threads keep Node alive after the last measurement: exit once the output is out.
      process.stdout.write(text, () => process.exit(process.exitCode ?? 0));
    });
}
