/**
 * What `--model` names: a library model id, or a training run (id, "<project>/<run>", or name), in which
 * case its latest verified checkpoint is used.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Direction, TrainingSettings } from '#contract';
import { multipleForGenerator, type Translator, translatorFromModel } from '../translate/translator.js';
import { findRun, loadRunGenerators } from './from-run.js';
import { listModels, loadGenerator, ModelNotFoundError, modelDirections, readCard } from './store.js';

export interface ResolvedModel {
  source: 'library' | 'run';
  /** Library model id, or "<project>/<run>". */
  id: string;
  /** Short name for output file names ({model}). */
  label: string;
  settings: TrainingSettings;
  iterations: number;
  directions: Direction[];
  /** Names of the two domains, for messages ("aerial → map"). */
  domains: { A: string; B: string };
  /** A translator for one direction; the caller disposes it. */
  translator(direction: Direction): Promise<Translator>;
  /** Release what the model holds (a run's rebuilt trainer). */
  dispose(): void;
}

function checkDirection(directions: Direction[], direction: Direction, what: string): void {
  if (!directions.includes(direction)) {
    throw new Error(`${what} translates ${directions.join(' and ')} only; it has no ${direction} generator`);
  }
}

export async function resolveModel(workspace: string, ref: string): Promise<ResolvedModel> {
  if (!ref?.trim()) throw new Error('Name a model: a library model id or a run name');
  let card: Awaited<ReturnType<typeof readCard>> | undefined;
  try {
    card = await readCard(workspace, ref);
  } catch (err) {
    if (!(err instanceof ModelNotFoundError) && !/Invalid model id/.test((err as Error).message)) throw err;
  }
  if (card) {
    const c = card;
    const directions = await modelDirections(workspace, c.id);
    const multiple = multipleForGenerator(c.architecture.generator);
    return {
      source: 'library',
      id: c.id,
      label: c.id,
      settings: c.settings,
      iterations: c.iterations,
      directions,
      domains: c.directions,
      async translator(direction) {
        checkDirection(directions, direction, `Model "${c.id}"`);
        return translatorFromModel(await loadGenerator(workspace, c.id, direction), { multiple, ngf: c.settings.ngf });
      },
      dispose() {},
    };
  }
  const run = await findRun(workspace, ref);
  if (!run) {
    const models = (await listModels(workspace)).models.map((m) => m.id);
    throw new Error(
      `No model or run "${ref}" in ${workspace}. ` +
        (models.length ? `Models: ${models.join(', ')}.` : 'The library is empty.') +
        ' Runs are named by id, "<project>/<run>" or their name.',
    );
  }
  const loaded = await loadRunGenerators(run);
  const directions = (['AtoB', 'BtoA'] as const).filter((d) => loaded.generators[d]);
  const settings = loaded.state.settings;
  const multiple = multipleForGenerator(settings.generator);
  return {
    source: 'run',
    id: `${run.projectId}/${run.runId}`,
    label: run.runId,
    settings,
    iterations: loaded.iteration,
    directions,
    domains: { A: 'A', B: 'B' },
    async translator(direction) {
      checkDirection(directions, direction, `Run "${run.runId}"`);
      const model = loaded.generators[direction] as tfl.LayersModel;
      // The generator belongs to the run's trainer: disposing the translator must not free it.
      return { ...translatorFromModel(model, { multiple, ngf: settings.ngf }), dispose: () => {} };
    },
    dispose: () => loaded.dispose(),
  };
}
