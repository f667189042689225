import type { Command } from 'commander';
import { type ModelType, ModelTypeSchema } from '#contract';
import { type DemoEvent, isDemoCancelled, runDemo } from '../engine/sample/demo.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { outputPaletteOption } from './train.js';

interface DemoCliOptions {
  minutes: string;
  model: string;
  out: string;
  seed: string;
  count?: string;
  testCount?: string;
  backend?: string;
  workspace?: string;
  l1Baseline?: boolean;
  outputPalette?: string;
  json?: boolean;
}

function parseNumber(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} (got "${value}")`);
  }
  return n;
}

function describeEvent(e: DemoEvent): string {
  if (e.type === 'stage') return e.message;
  const losses = Object.entries(e.losses)
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join('  ');
  const rate = e.iteration / Math.max(e.elapsed, 1e-9);
  return `  ${e.stage === 'train' ? 'train' : 'L1 baseline'} it ${e.iteration}  ${e.elapsed.toFixed(0)}/${e.budget.toFixed(0)} s  ${rate.toFixed(2)} it/s  ${losses}`;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(summaryOf('demo'))
    .option('--minutes <n>', 'training time budget in minutes', '10')
    .option('--model <name>', `the model type: ${ModelTypeSchema.options.join(', ')}`, 'pix2pix')
    .option('--out <dir>', 'output folder (must be new, empty, or an earlier demo)', 'duet-demo')
    .option('--seed <n>', 'seed for the sample and the networks', '0')
    .option('--count <n>', 'training pairs to generate (default 400)')
    .option('--test-count <n>', 'held-out pairs to generate (default 24)')
    .option('--workspace <dir>', 'workspace the run goes into (default: the one the window uses)')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--l1-baseline', 'also train the plain L1 generator (no GAN) for the same time, as a baseline')
    .option(
      '--output-palette <mode>',
      "auto (default): the generator draws in the map's flat colours; off: any colour",
      outputPaletteOption,
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: DemoCliOptions) => {
      const controller = new AbortController();
      const onSigint = () => {
        process.stderr.write('\nStopping the demo…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      try {
        const result = await runDemo({
          outDir: opts.out,
          workspace: resolveWorkspace(opts.workspace),
          minutes: parseNumber('minutes', opts.minutes, false)!,
          model: opts.model as ModelType,
          seed: parseNumber('seed', opts.seed, true),
          count: parseNumber('count', opts.count, true),
          testCount: parseNumber('test-count', opts.testCount, true),
          backend: opts.backend,
          l1Baseline: opts.l1Baseline,
          ...(opts.outputPalette ? { settings: { outputPalette: opts.outputPalette as 'auto' | 'off' } } : {}),
          signal: controller.signal,
          onEvent: (e) => process.stderr.write(`${describeEvent(e)}\n`),
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const lines = [
          '',
          `Backend: ${result.backend}`,
          `Trained ${result.iterations} iterations in ${result.trainingSeconds.toFixed(0)} s`,
          '',
          'Held-out tiles            pixel acc.    RMSE    PSNR      L1',
          ...result.metrics.map(
            (m) =>
              `${m.name.padEnd(24)} ${`${(m.pixelAccuracy * 100).toFixed(1)}%`.padStart(10)} ${m.rmse.toFixed(2).padStart(7)} ${m.psnr.toFixed(2).padStart(7)} ${m.l1.toFixed(2).padStart(7)}`,
          ),
          '',
          `${result.metrics[0]?.name ?? 'The model'} by map colour (share of pixels: accuracy):`,
          ...result.byColour.map(
            (r) =>
              `  ${r.label.padEnd(18)} ${`${(r.share * 100).toFixed(1)}%`.padStart(6)}: ${(r.pixelAccuracy * 100).toFixed(1)}%`,
          ),
          '',
          `Run: ${result.run.projectId}/${result.run.runId} (${result.run.dir})`,
          `Report: ${result.reportPath}`,
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (err) {
        if (isDemoCancelled(err)) {
          process.stderr.write(
            err.run
              ? `The demo was cancelled; its run stopped with a checkpoint: ${err.run.dir}\n`
              : 'The demo was cancelled; nothing more was written.\n',
          );
          process.exitCode = 130;
          return;
        }
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
