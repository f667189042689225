/**
 * Every `duet` command: its one-line summary and where its implementation lives. The command line loads
 * only the module of the command it runs (TensorFlow.js, sharp and the engine are loaded by the commands
 * that need them), so `duet --help` and the light commands answer at once.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  summary: string;
  load: () => Promise<(program: Command) => void>;
}

export const COMMANDS = {
  info: {
    summary: 'Show the TensorFlow.js backend Duet would train on, versions and the workspace path',
    load: async () => (await import('./info.js')).registerInfo,
  },
  serve: {
    summary: 'Serve Duet’s window and API over HTTP/WebSocket (loopback only unless --host says otherwise)',
    load: async () => (await import('./serve.js')).registerServe,
  },
  scan: {
    summary:
      'Scan training data: one folder (trainA/ trainB/, train/ of A|B images, A/ B/) or two folders (domain A, domain B)',
    load: async () => (await import('./scan.js')).registerScan,
  },
  train: {
    summary: 'Train a CycleGAN (unpaired) or pix2pix (paired) model on two folders, or resume a run',
    load: async () => (await import('./train.js')).registerTrain,
  },
  translate: {
    summary: 'Translate images or folders (recursively) with a model, at their own resolution',
    load: async () => (await import('./translate.js')).registerTranslate,
  },
  models: {
    summary: 'The model library: list, save, export, import, rename, delete',
    load: async () => (await import('./models.js')).registerModels,
  },
  eval: {
    summary: 'Measure a model on paired test images: RMSE, pixel accuracy, PSNR, L1 per direction',
    load: async () => (await import('./eval.js')).registerEval,
  },
  networks: {
    summary: 'List every named network configuration with its parameter count and size in MB',
    load: async () => (await import('./networks.js')).registerNetworks,
  },
  bench: {
    summary: 'Measure Duet’s speed, memory and quality on the active backend',
    load: async () => (await import('./bench.js')).registerBench,
  },
  demo: {
    summary:
      'Generate the built-in aerial ↔ map sample, train the quick preset for a bounded time, translate the held-out tiles, score them and write an HTML report',
    load: async () => (await import('./demo.js')).registerDemo,
  },
} satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;

export function summaryOf(name: CommandName): string {
  return COMMANDS[name].summary;
}

export function isCommandName(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}
