/** Train: model type, preset, size and the main settings (advanced folded away), validated inline. */
import { useEffect, useState } from 'react';
import { isRunLive, type ModelType, type PresetName, type TrainingSettings } from '#contract';
import type { ProjectContext } from '../App';
import { useAction, useApi, useAsync } from '../api/context';
import { BackendBadge } from '../components/BackendBadge';
import { Field } from '../components/Field';
import { OutputColoursNote } from '../components/OutputColoursNote';
import { ErrorMessage, Loading } from '../components/States';
import { MODEL_NAME } from '../lib/modelChoice';
import { OUTPUT_PALETTE_TEXT } from '../lib/outputColours';
import type { Route } from '../lib/route';
import { crossFieldErrors, enumOptions, numberLimits, type SettingKey, validateNumber } from '../lib/settingsForm';
import { rememberRun } from './MonitorScreen';

type NumberKey = {
  [K in SettingKey]: TrainingSettings[K] extends number | undefined ? K : never;
}[SettingKey];
type EnumKey = 'generator' | 'discriminator' | 'norm' | 'ganMode' | 'preprocess' | 'outputPalette' | 'cycleDetach';
type BoolKey = 'flip' | 'dropout';

interface NumberFieldDef {
  key: NumberKey;
  label: string;
  hint?: string;
}

/** How long a run trains: for a time, a number of iterations, or the epoch schedule. */
type Length = 'minutes' | 'iterations' | 'epochs';
const LENGTHS: { mode: Length; option: string; field?: NumberFieldDef }[] = [
  {
    mode: 'minutes',
    option: 'Time',
    field: {
      key: 'minutes',
      label: 'Minutes',
      hint: 'Training time, pauses not counted; the rate decays over the last half',
    },
  },
  { mode: 'iterations', option: 'Iteration count', field: { key: 'iterations', label: 'Iterations' } },
  { mode: 'epochs', option: 'Epoch schedule' },
];
/** What the time field shows when the settings chosen so far have no time budget. */
const DEFAULT_MINUTES = 10;

const MAIN_CYCLEGAN: NumberFieldDef[] = [
  { key: 'size', label: 'Image size (px)', hint: 'Crop the networks train on' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'lr', label: 'Learning rate' },
  { key: 'lambdaA', label: 'Cycle weight A (λA)' },
  { key: 'lambdaB', label: 'Cycle weight B (λB)' },
  { key: 'lambdaIdentity', label: 'Identity weight', hint: 'Keeps colours; × λ' },
  { key: 'sampleEvery', label: 'Sample every (iterations)' },
];
const MAIN_PIX2PIX: NumberFieldDef[] = [
  { key: 'size', label: 'Image size (px)', hint: 'Crop the networks train on' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'lr', label: 'Learning rate' },
  { key: 'lambdaL1', label: 'L1 weight (λL1)' },
  { key: 'sampleEvery', label: 'Sample every (iterations)' },
];
const MAIN_CUT: NumberFieldDef[] = [
  { key: 'size', label: 'Image size (px)', hint: 'Crop the networks train on' },
  { key: 'batchSize', label: 'Batch size' },
  { key: 'lr', label: 'Learning rate' },
  { key: 'lambdaGAN', label: 'GAN weight (λGAN)' },
  { key: 'lambdaNCE', label: 'NCE weight (λNCE)', hint: 'PatchNCE: keeps the input’s content' },
  { key: 'ncePatches', label: 'NCE patches per layer' },
  { key: 'nceTemperature', label: 'NCE temperature (τ)' },
  { key: 'sampleEvery', label: 'Sample every (iterations)' },
];
const MAIN_FIELDS: Record<ModelType, NumberFieldDef[]> = {
  cyclegan: MAIN_CYCLEGAN,
  pix2pix: MAIN_PIX2PIX,
  cut: MAIN_CUT,
  fastcut: MAIN_CUT,
};
const ADVANCED_NUMBERS: NumberFieldDef[] = [
  { key: 'loadSize', label: 'Load size (px)', hint: 'Before the random crop' },
  { key: 'ngf', label: 'Generator filters (ngf)' },
  { key: 'ndf', label: 'Discriminator filters (ndf)' },
  { key: 'nLayersD', label: 'Discriminator layers' },
  { key: 'poolSize', label: 'Image pool size' },
  { key: 'beta1', label: 'Adam β1' },
  { key: 'beta2', label: 'Adam β2' },
  { key: 'epochs', label: 'Epochs at full rate' },
  { key: 'epochsDecay', label: 'Epochs of decay' },
  { key: 'checkpointEvery', label: 'Checkpoint every (iterations)' },
  { key: 'keepCheckpoints', label: 'Checkpoints kept' },
  { key: 'seed', label: 'Random seed' },
];
/** Choices from a list; `models`: only for these model types. */
const ENUMS: { key: EnumKey; label: string; models?: ModelType[] }[] = [
  { key: 'generator', label: 'Generator' },
  { key: 'discriminator', label: 'Discriminator' },
  { key: 'norm', label: 'Normalisation' },
  { key: 'ganMode', label: 'GAN loss' },
  { key: 'preprocess', label: 'Preprocessing' },
  { key: 'outputPalette', label: 'Output colours' },
  { key: 'cycleDetach', label: 'Detached cycle', models: ['cyclegan'] },
];
/** Words for the options whose names say little on their own. */
const OPTION_TEXT: Partial<Record<EnumKey, Record<string, string>>> = {
  outputPalette: OUTPUT_PALETTE_TEXT,
  cycleDetach: { none: 'None (reference)', A: 'A → B → A', B: 'B → A → B', both: 'Both' },
};
/** Hints under a list's field, where its label says too little. */
const ENUM_HINT: Partial<Record<EnumKey, string>> = {
  cycleDetach: 'Trains only the generator translating back',
};

export function TrainScreen({ ctx, navigate }: { ctx: ProjectContext; navigate: (r: Route) => void }) {
  const api = useApi();
  const { project } = ctx;
  const model = project.model;
  const presets = useAsync(() => api.listPresets({ model }), [api, model]);
  // What a run of this model type uses when nothing else is said: the engine's own layering (the schema
  // under the model type's defaults), never the schema's alone — those are CycleGAN's.
  const defaults = useAsync(() => api.defaultSettings({ model }), [api, model]);
  const system = useAsync(() => api.getSystemInfo(), [api]);
  const [preset, setPreset] = useState<PresetName | 'custom'>('quick');
  // The project's run list may be from before a run ended: ask again when the screen opens.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per opening
  useEffect(() => ctx.reload(), []);
  const [edits, setEdits] = useState<Partial<Record<SettingKey, string>>>({});
  // How long to train; until chosen, what the preset (or the project) says.
  const [chosenLength, setLength] = useState<Length | undefined>();

  // Layered as the run layers them: the model type's defaults, the preset, then the project's settings.
  // Until this model type's defaults have come, the fields wait rather than show another model's.
  const modelDefaults = defaults.data?.model === model ? defaults.data : undefined;
  const presetSettings = preset === 'custom' ? {} : (presets.data?.find((p) => p.name === preset)?.settings ?? {});
  const base: Partial<TrainingSettings> = { ...modelDefaults, ...presetSettings, ...project.settings };
  const length: Length =
    chosenLength ?? (base.minutes !== undefined ? 'minutes' : base.iterations !== undefined ? 'iterations' : 'epochs');
  const lengthField = LENGTHS.find((l) => l.mode === length)?.field;

  const shown = (key: SettingKey): string => {
    if (edits[key] !== undefined) return edits[key] as string;
    const v = base[key] ?? (key === 'minutes' ? DEFAULT_MINUTES : undefined);
    return v === undefined ? '' : String(v);
  };

  const numberFields = [...MAIN_FIELDS[model], ...ADVANCED_NUMBERS, ...(lengthField ? [lengthField] : [])];
  const { values, errors } = (() => {
    const values: Partial<Record<SettingKey, unknown>> = {};
    const errors: Partial<Record<SettingKey, string>> = {};
    for (const f of numberFields) {
      if (edits[f.key] === undefined) continue;
      const r = validateNumber(f.key, edits[f.key] as string);
      if (r.ok) values[f.key] = r.value;
      else errors[f.key] = r.message;
    }
    for (const k of [...ENUMS.map((e) => e.key), 'flip', 'dropout'] as SettingKey[]) {
      if (edits[k] !== undefined) values[k] = k === 'flip' || k === 'dropout' ? edits[k] === 'true' : edits[k];
    }
    // The length chosen is always sent, and only it: the engine lets it replace the preset's and the
    // project's saved length, so the run trains for what is picked here.
    delete values.minutes;
    delete values.iterations;
    if (lengthField && !errors[lengthField.key]) {
      const r = validateNumber(lengthField.key, shown(lengthField.key));
      if (r.ok && r.value !== undefined) values[lengthField.key] = r.value;
      else errors[lengthField.key] = r.ok ? 'Required.' : r.message;
    }
    if (length === 'epochs') {
      values.epochs ??= base.epochs;
      values.epochsDecay ??= base.epochsDecay;
    }
    const merged = { ...base, ...values } as Partial<TrainingSettings>;
    for (const [k, m] of Object.entries(crossFieldErrors(merged))) errors[k as SettingKey] ??= m;
    return { values, errors };
  })();

  // Whether the output folders are flat-coloured, and what the run will do with their colours: looked at
  // again when the data or a choice that decides it changes, never holding up the form.
  const presetName = preset === 'custom' ? undefined : preset;
  const colourChoice = {
    model,
    ...(edits.generator ? { generator: edits.generator as TrainingSettings['generator'] } : {}),
    ...(edits.outputPalette ? { outputPalette: edits.outputPalette as TrainingSettings['outputPalette'] } : {}),
  };
  const outputColours = useAsync(
    () => api.previewOutputColours({ projectId: project.id, preset: presetName, settings: colourChoice }),
    [api, project.id, project.domainA, project.domainB, model, presetName, edits.generator, edits.outputPalette],
  );

  const hasErrors = Object.keys(errors).length > 0;
  const ready = modelDefaults !== undefined;
  const activeRun = ctx.runs.find((r) => isRunLive(r.state));

  const start = useAction(async () => {
    const settings = { ...values, model } as Partial<TrainingSettings>;
    const run = await api.startRun({
      projectId: project.id,
      preset: preset === 'custom' ? undefined : preset,
      settings,
    });
    rememberRun(run);
    ctx.reload();
    navigate({ screen: 'monitor', projectId: project.id });
  });

  const numberInput = (f: NumberFieldDef) => {
    const limits = numberLimits(f.key);
    return (
      <Field key={f.key} label={f.label} hint={f.hint} error={errors[f.key]}>
        {(p) => (
          <input
            {...p}
            type="number"
            inputMode={limits.integer ? 'numeric' : 'decimal'}
            min={limits.exclusiveMin ? undefined : limits.min}
            max={limits.max}
            step={limits.integer ? 1 : 'any'}
            value={shown(f.key)}
            onChange={(e) => setEdits((s) => ({ ...s, [f.key]: e.target.value }))}
          />
        )}
      </Field>
    );
  };

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Train</h1>
          <p>Pick a preset, adjust what you need, and start. Every field is checked as you type.</p>
        </div>
        <BackendBadge info={system.data} error={system.error} />
      </header>
      {activeRun && (
        <div className="alert info" role="status">
          <span>A run is in progress ({activeRun.state}).</span>
          <button type="button" className="link" onClick={() => navigate({ screen: 'monitor', projectId: project.id })}>
            Go to Monitor
          </button>
        </div>
      )}
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !hasErrors) void start.run();
        }}
      >
        <section className="card">
          <div className="row spread">
            <h2>Model</h2>
            <span className="badge accent">{MODEL_NAME[model]}</span>
          </div>
          <fieldset>
            <legend>Preset</legend>
            {presets.loading && <Loading label="Loading presets…" />}
            <ErrorMessage error={presets.error} />
            <div className="segmented" role="radiogroup" aria-label="Preset">
              {[...(presets.data ?? []).map((p) => p.name), 'custom' as const].map((name) => (
                <label key={name} title={presets.data?.find((p) => p.name === name)?.description}>
                  <input
                    type="radio"
                    name="preset"
                    value={name}
                    checked={preset === name}
                    onChange={() => {
                      setPreset(name);
                      setEdits({});
                    }}
                  />
                  {name[0]?.toUpperCase()}
                  {name.slice(1)}
                </label>
              ))}
            </div>
            {preset !== 'custom' && (
              <p className="small muted" style={{ marginTop: 8 }}>
                {presets.data?.find((p) => p.name === preset)?.description}
              </p>
            )}
          </fieldset>
          <fieldset>
            <legend>Train for</legend>
            <div className="segmented" role="radiogroup" aria-label="Train for">
              {LENGTHS.map((l) => (
                <label key={l.mode}>
                  <input
                    type="radio"
                    name="length"
                    value={l.mode}
                    checked={length === l.mode}
                    onChange={() => setLength(l.mode)}
                  />
                  {l.option}
                </label>
              ))}
            </div>
            {length === 'epochs' && (
              <p className="small muted" style={{ marginTop: 8 }}>
                {shown('epochs')} epochs at the full rate, then {shown('epochsDecay')} decaying to zero (Advanced
                settings).
              </p>
            )}
          </fieldset>
          {ready ? (
            <div className="form-grid">
              {lengthField && numberInput(lengthField)}
              {MAIN_FIELDS[model].map(numberInput)}
            </div>
          ) : (
            <>
              {defaults.loading && <Loading label="Loading the settings…" />}
              <ErrorMessage error={defaults.error} />
            </>
          )}
          <OutputColoursNote look={outputColours} />
        </section>
        {ready && (
          <details className="card">
            <summary>Advanced settings</summary>
            <div className="form-grid" style={{ marginTop: 12 }}>
              {ENUMS.filter((e) => !e.models || e.models.includes(model)).map(({ key, label }) => (
                <Field
                  key={key}
                  label={label}
                  hint={
                    key === 'outputPalette'
                      ? shown('generator').startsWith('unet')
                        ? 'U-Net generators draw any colour'
                        : 'Maps, label images: drawn in the few flat colours they use'
                      : ENUM_HINT[key]
                  }
                >
                  {(p) => (
                    <select
                      {...p}
                      value={shown(key)}
                      onChange={(e) => setEdits((s) => ({ ...s, [key]: e.target.value }))}
                    >
                      {enumOptions(key).map((o) => (
                        <option key={o} value={o}>
                          {OPTION_TEXT[key]?.[o] ?? o}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
              ))}
              {ADVANCED_NUMBERS.map(numberInput)}
              {(['flip', 'dropout'] as BoolKey[]).map((key) => (
                <label key={key} className="row" style={{ gap: 8 }}>
                  <input
                    type="checkbox"
                    checked={shown(key) === 'true'}
                    onChange={(e) => setEdits((s) => ({ ...s, [key]: String(e.target.checked) }))}
                  />
                  {key === 'flip' ? 'Random horizontal flip' : 'Dropout in the generator'}
                </label>
              ))}
            </div>
          </details>
        )}
        <ErrorMessage error={start.error} onDismiss={start.clearError} />
        {hasErrors && (
          <p className="error small" role="status" style={{ color: 'var(--danger)' }}>
            Fix the {Object.keys(errors).length === 1 ? 'field' : 'fields'} marked above to start.
          </p>
        )}
        <div className="row">
          <button type="submit" className="btn primary big" disabled={!ready || hasErrors || start.busy}>
            {start.busy ? 'Starting…' : 'Train'}
          </button>
          <button type="button" className="btn" onClick={() => navigate({ screen: 'data', projectId: project.id })}>
            Back to data
          </button>
        </div>
      </form>
    </div>
  );
}
