/**
 * `duet`: every window action is also a command, for GPU servers with no display.
 * Each command lives in its own module and registers itself here.
 */
import { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerDemo } from './demo.js';
import { registerEval } from './eval.js';
import { registerInfo } from './info.js';
import { registerModels } from './models.js';
import { registerNetworks } from './networks.js';
import { registerScan } from './scan.js';
import { registerServe } from './serve.js';
import { registerTrain } from './train.js';
import { registerTranslate } from './translate.js';
import { duetVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('duet')
    .description('Duet — image-to-image translation studio (CycleGAN and pix2pix) on TensorFlow.js')
    .version(duetVersion())
    .showHelpAfterError();
  registerInfo(program);
  registerServe(program);
  registerScan(program);
  registerTrain(program);
  registerTranslate(program);
  registerModels(program);
  registerEval(program);
  registerNetworks(program);
  registerBench(program);
  registerDemo(program);
  return program;
}

/** Commands whose action returns while they keep serving; every other command ends the process when done. */
const LONG_RUNNING = new Set(['serve']);

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.stderr.write(`duet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = process.exitCode || 1;
  }
  // The threaded wasm backend keeps worker threads alive; a finished command must not hang on them.
  if (!LONG_RUNNING.has(argv[2] ?? '')) process.exit(process.exitCode ?? 0);
}

await main();
