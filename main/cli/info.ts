import type { Command } from 'commander';
import { resolveWorkspace } from '../engine/workspace.js';
import { summaryOf } from './commands.js';
import { duetVersion } from './version.js';

function formatBytes(n: number): string {
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`;
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description(summaryOf('info'))
    .option('--json', 'print JSON')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .option('--workspace <dir>', 'workspace folder')
    .option('--no-backend', 'versions and workspace only: start no backend (answers at once; "backend" is null)')
    .action(async (opts: { json?: boolean; backend?: string | false; workspace?: string }) => {
      const base = {
        duet: duetVersion(),
        node: process.versions.node,
        electron: process.versions.electron ?? null,
        platform: `${process.platform}-${process.arch}`,
        workspace: resolveWorkspace(opts.workspace),
      };
      if (opts.backend === false) {
        const info = { ...base, backend: null };
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(info, null, 2)}\n`
            : `Duet ${info.duet}\nNode:       ${info.node} (${info.platform})\nWorkspace:  ${info.workspace}\n`,
        );
        return;
      }
      // TensorFlow.js loads only here, when a backend is asked for.
      const { describeBackend, selectBackend } = await import('../engine/backend.js');
      const backend = await selectBackend({ preference: opts.backend });
      const info = { ...base, backend };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        `Duet ${info.duet}`,
        `Backend:    ${describeBackend(backend)}${backend.forcedBy ? ` — forced by ${backend.forcedBy}` : ''}`,
        `GPU in use: ${backend.gpu ? 'yes' : 'no'}`,
        ...(backend.adapter
          ? [
              `Adapter:    ${backend.adapter.description} (${backend.adapter.vendor}, ${backend.adapter.architecture}${backend.adapter.software ? ', software: correct, not fast' : ''})`,
              `Limits:     buffer ${formatBytes(backend.adapter.maxBufferSize)}, storage binding ${formatBytes(backend.adapter.maxStorageBufferBindingSize)}`,
            ]
          : []),
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
          'No GPU in use. WebGPU needs a Vulkan (Linux, Windows), Metal (macOS) or D3D12 (Windows) driver;',
          'tfjs-node-gpu needs an NVIDIA driver with CUDA 11.2 and cuDNN 8.1. See README, "GPU".',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
