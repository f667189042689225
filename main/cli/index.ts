/**
 * `duet`: every window action is also a command, for GPU servers with no display.
 * Each command lives in its own module (main/cli/commands.ts lists them); only the module of the command
 * being run is loaded, so the help and the light commands never wait for TensorFlow.js.
 */
import { Command } from 'commander';
import { COMMANDS, type CommandName, isCommandName } from './commands.js';
import { duetVersion } from './version.js';

/** The command an argument list runs (`duet help X` asks about X), or undefined for the top-level help. */
export function commandOf(args: string[]): CommandName | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  return isCommandName(first) ? first : undefined;
}

/**
 * The program with `only` registered in full (or every command in full when `only` is 'all'); the others
 * stand as summaries for the help listing.
 */
export async function buildProgram(only: CommandName | 'all' | null = 'all'): Promise<Command> {
  const program = new Command();
  program
    .name('duet')
    .description('Duet — image-to-image translation studio (CycleGAN and pix2pix) on TensorFlow.js')
    .version(duetVersion())
    .showHelpAfterError();
  for (const [name, entry] of Object.entries(COMMANDS) as [CommandName, (typeof COMMANDS)[CommandName]][]) {
    if (only === 'all' || only === name) (await entry.load())(program);
    else program.command(name).description(entry.summary);
  }
  return program;
}

/** Commands whose action returns while they keep serving; every other command ends the process when done. */
const LONG_RUNNING = new Set(['serve']);

export async function main(argv: string[] = process.argv): Promise<void> {
  const command = commandOf(argv.slice(2));
  try {
    await (await buildProgram(command ?? null)).parseAsync(argv);
  } catch (err) {
    process.stderr.write(`duet: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = process.exitCode || 1;
  }
  // The threaded wasm backend keeps worker threads alive; a finished command must not hang on them.
  if (!LONG_RUNNING.has(command ?? '')) process.exit(process.exitCode ?? 0);
}
