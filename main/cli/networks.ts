import type { Command } from 'commander';
import { listNetworks } from '../../models/catalog.js';
import { describeBackend, selectBackend } from '../engine/backend.js';
import { summaryOf } from './commands.js';

export function registerNetworks(program: Command): void {
  program
    .command('networks')
    .description(summaryOf('networks'))
    .option('--json', 'print JSON')
    .option('--backend <name>', 'force a backend: tfjs-node-gpu, webgpu, tfjs-node, wasm, cpu (also DUET_BACKEND)')
    .action(async (opts: { json?: boolean; backend?: string }) => {
      const backend = await selectBackend({ preference: opts.backend });
      const networks = listNetworks();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ backend: backend.candidate, networks }, null, 2)}\n`);
        return;
      }
      const header = ['network', 'role', 'norm', 'in ch', 'parameters', 'MB', 'used by'];
      const rows = networks.map((n) => [
        n.name,
        n.role,
        n.norm,
        String(n.inputChannels),
        n.parameters.toLocaleString('en-US'),
        n.megabytes.toFixed(2),
        n.usedBy,
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const right = new Set([3, 4, 5]);
      const line = (cells: string[]) =>
        cells
          .map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd();
      const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
      out.push(
        '',
        `ngf = ndf = 64 ('tiny': 16); float32 weights, 1 MB = 10^6 bytes. Built on ${describeBackend(backend)}.`,
      );
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
