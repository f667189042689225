/**
 * `duet serve`: the window in a browser, for GPU servers without a display and for browser tests.
 */
import type { Command } from 'commander';
import { runServe } from '../serve/index.js';
import { summaryOf } from './commands.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--port must be a whole number 0–65535, not "${value}"`);
  return n;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(summaryOf('serve'))
    .option('--host <address>', 'interface to listen on (a non-loopback one also needs --allow-remote)', '127.0.0.1')
    .option('--allow-remote', 'allow --host to be a non-loopback address (exposes Duet to the network)')
    .option('--port <n>', 'port (0 = any free port)', parsePort, 4789)
    .option('--workspace <dir>', 'workspace folder (projects, runs, models)')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu')
    .option('--json', 'print the URL as one JSON line')
    .action(
      async (opts: {
        host: string;
        port: number;
        workspace?: string;
        backend?: string;
        json?: boolean;
        allowRemote?: boolean;
      }) => {
        let session: Awaited<ReturnType<typeof runServe>>;
        try {
          session = await runServe(opts);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && opts.port !== 0) {
            process.stderr.write(`Port ${opts.port} is busy; using a free port instead.\n`);
            session = await runServe({ ...opts, port: 0 });
          } else throw err;
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ url: session.url, token: session.token, port: session.port })}\n`);
        } else {
          process.stdout.write(`Duet is serving on ${session.url}\n`);
          process.stdout.write(`Workspace: ${session.workspace}\n`);
          process.stdout.write('Press Ctrl-C to stop (a training run is stopped with a checkpoint first).\n');
        }
        let signals = 0;
        const onSignal = (sig: NodeJS.Signals) => {
          signals++;
          if (signals > 1) {
            process.stderr.write('Stopping now without waiting for a checkpoint.\n');
            process.exit(130);
          }
          process.stderr.write(`${sig}: stopping runs with a checkpoint, then exiting (press again to force)…\n`);
          void session.stop(sig).then(() => process.exit(0));
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      },
    );
}
