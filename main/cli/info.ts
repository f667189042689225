import type { Command } from 'commander';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { duetVersion } from './version.js';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Show the TensorFlow.js backend Duet would train on, versions and the workspace path')
    .option('--json', 'print JSON')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (opts: { json?: boolean; backend?: string; workspace?: string }) => {
      const backend = await selectBackend({ preference: opts.backend });
      const info = {
        duet: duetVersion(),
        node: process.versions.node,
        electron: process.versions.electron ?? null,
        platform: `${process.platform}-${process.arch}`,
        workspace: resolveWorkspace(opts.workspace),
        backend,
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        `Duet ${info.duet}`,
        `Backend:    ${describeBackend(backend)}${backend.forcedBy ? ` — forced by ${backend.forcedBy}` : ''}`,
        `GPU in use: ${backend.gpu ? 'yes' : 'no'}`,
        `tfjs:       ${backend.tfjsVersion}${backend.tensorflowVersion ? `, ${backend.tensorflowVersion}` : ''}`,
        `Node:       ${info.node}${info.electron ? `, Electron ${info.electron}` : ''} (${info.platform})`,
        `Workspace:  ${info.workspace}`,
        '',
        'Backends tried:',
        ...backend.attempts.map((a) => `  ${a.ok ? '✓' : '✗'} ${a.candidate}${a.ok ? '' : ` — ${a.reason}`}`),
      ];
      if (!backend.gpu) {
        lines.push(
          '',
          'No GPU in use. For GPU training install @tensorflow/tfjs-node-gpu (CUDA 11.2, cuDNN 8.1); see README.',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
