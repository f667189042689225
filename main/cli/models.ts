/**
 * `duet models`: the model library — list, show, save a run as a model, export to one file, import,
 * rename, delete.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { DuetApi, ModelCard } from '#contract';
import { type BackendReport, selectBackend } from '../engine/backend.js';
import { resolveWorkspace } from '../engine/workspace.js';
import { EXPORT_EXTENSION as ARCHIVE_EXTENSION } from '../security/export-target.js';
import { summaryOf } from './commands.js';
import { openEngine } from './engine.js';

interface CommonOptions {
  workspace?: string;
  json?: boolean;
}

function print(opts: CommonOptions, json: unknown, text: string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

function metricLine(card: ModelCard): string {
  const parts = Object.entries(card.metrics).map(([d, m]) => {
    const f = (k: string, digits: number) => (m[k] === undefined ? '?' : m[k]!.toFixed(digits));
    return `${d}: RMSE ${f('rmse', 2)}, acc ${m.pixelAccuracy === undefined ? '?' : `${(m.pixelAccuracy * 100).toFixed(1)}%`}, PSNR ${f('psnr', 2)} dB, L1 ${f('l1', 2)}`;
  });
  return parts.join('; ');
}

export function describeCard(card: ModelCard, directions: string[]): string {
  const lines = [
    `${card.name}  (${card.id})`,
    `  ${card.model === 'pix2pix' ? 'pix2pix' : 'CycleGAN'}, ${card.architecture.generator} generator, ${card.architecture.norm} norm; translates ${directions.join(', ')}`,
    `  domains: A = ${card.directions.A}, B = ${card.directions.B}; data: ${card.data.countA} A / ${card.data.countB} B (${card.data.pairing})`,
    `  ${card.iterations} iterations at ${card.settings.size} px on ${card.backend}; saved ${card.createdAt}`,
  ];
  if (card.source) lines.push(`  from run ${card.source.projectId}/${card.source.runId}`);
  if (Object.keys(card.metrics).length) lines.push(`  metrics: ${metricLine(card)}`);
  return lines.join('\n');
}

/** Ask the engine service, in process, for one thing. */
async function withApi<T>(
  opts: CommonOptions,
  ask: (api: DuetApi, workspace: string) => Promise<T>,
  backend: BackendReport | null = null,
): Promise<T> {
  const workspace = resolveWorkspace(opts.workspace);
  const engine = openEngine(workspace, backend);
  try {
    return await ask(engine.api, workspace);
  } finally {
    await engine.close();
  }
}

function common(cmd: Command): Command {
  return cmd.option('--workspace <dir>', 'workspace folder').option('--json', 'print JSON');
}

export function registerModels(program: Command): void {
  const models = program.command('models').description(summaryOf('models'));

  common(models.command('list', { isDefault: true }).description('List the models in the library')).action(
    async (opts: CommonOptions) => {
      const [ws, listing] = await withApi(opts, async (api, ws) => [ws, await api.getModelLibrary()] as const);
      const text = listing.models.length
        ? listing.models
            .map(
              (m) =>
                `${m.id.padEnd(28)} ${m.name}  ·  ${m.model}, ${m.iterations} it${Object.keys(m.metrics).length ? `  ·  ${metricLine(m)}` : ''}`,
            )
            .join('\n')
        : `No models in ${ws}/models. Save one from a run with: duet models save <run>`;
      const problems = listing.problems.map((p) => `  ! ${p.id}: ${p.reason}`).join('\n');
      print(opts, listing, problems ? `${text}\n\nNot usable:\n${problems}` : text);
    },
  );

  common(models.command('show <id>').description("Show a model's card")).action(
    async (id: string, opts: CommonOptions) => {
      const { card, directions } = await withApi(opts, (api) => api.getModel({ modelId: id }));
      print(opts, card, describeCard(card, directions));
    },
  );

  common(
    models
      .command('save <run>')
      .description("Save a run's latest checkpoint (or --iteration) as a library model")
      .option('--name <name>', 'display name (default: the run name)')
      .option('--iteration <n>', 'a specific checkpoint')
      .option('--backend <name>', 'force a backend'),
  ).action(async (run: string, opts: CommonOptions & { name?: string; iteration?: string; backend?: string }) => {
    const iteration = opts.iteration === undefined ? undefined : Number(opts.iteration);
    if (iteration !== undefined && !(Number.isInteger(iteration) && iteration >= 0)) {
      throw new Error('--iteration must be a whole number');
    }
    const backend = await selectBackend({ preference: opts.backend });
    const card = await withApi(
      opts,
      (api) => api.saveModelFromRun({ runId: run, name: opts.name, iteration }),
      backend,
    );
    print(opts, card, `Saved ${card.name} as model "${card.id}" (${card.iterations} iterations)`);
  });

  common(models.command('export <id> <file>').description(`Export a model as one file (${ARCHIVE_EXTENSION})`)).action(
    async (id: string, file: string, opts: CommonOptions) => {
      const target = path.resolve(file.endsWith(ARCHIVE_EXTENSION) ? file : `${file}${ARCHIVE_EXTENSION}`);
      const { path: written, bytes = 0 } = await withApi(opts, (api) =>
        api.exportModel({ modelId: id, destination: target }),
      );
      const result = { file: written, bytes };
      print(opts, result, `Exported "${id}" to ${result.file} (${(result.bytes / 1024 / 1024).toFixed(1)} MB)`);
    },
  );

  common(
    models.command('import <file>').description('Import a model file (checked before anything is written)'),
  ).action(async (file: string, opts: CommonOptions) => {
    const card = await withApi(opts, (api) => api.importModel({ source: path.resolve(file) }));
    print(opts, card, `Imported ${card.name} as model "${card.id}"`);
  });

  common(models.command('rename <id> <name>').description("Change a model's display name (its id stays)")).action(
    async (id: string, name: string, opts: CommonOptions) => {
      const card = await withApi(opts, (api) => api.renameModel({ modelId: id, name }));
      print(opts, card, `Renamed "${id}" to ${card.name}`);
    },
  );

  common(models.command('delete <id>').description('Delete a model from the library')).action(
    async (id: string, opts: CommonOptions) => {
      await withApi(opts, (api) => api.deleteModel({ modelId: id }));
      print(opts, { deleted: id }, `Deleted "${id}"`);
    },
  );
}
