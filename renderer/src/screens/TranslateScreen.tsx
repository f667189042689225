/**
 * Translate: a model, a direction, images in; before/after to compare; then Export with the format,
 * quality, naming and destination the user picks. Both are jobs with progress and Cancel.
 */
import { useEffect, useReducer } from 'react';
import { useAction, useApi, useAsync } from '../api/context';
import { CompareSlider } from '../components/CompareSlider';
import { DropZone, type FolderSource } from '../components/DropZone';
import { Field } from '../components/Field';
import { ProgressBar } from '../components/ProgressBar';
import { Empty, ErrorMessage, errorText, Loading } from '../components/States';
import { ThumbnailGrid } from '../components/ThumbnailGrid';
import { baseName, plural } from '../lib/format';
import {
  type ExportFormat,
  exportProblems,
  initialTranslateState,
  type JobKind,
  type JobView,
  previewResults,
  startRequest,
  translateReducer,
} from '../lib/translateState';

const NAMING_HELP = '{name} original name · {direction} · {model} · {index}';

export function TranslateScreen() {
  const api = useApi();
  const models = useAsync(() => api.listModels(), [api]);
  const [state, dispatch] = useReducer(translateReducer, initialTranslateState);
  const { direction, input, exportOptions: options } = state;
  const inputPath = input.path;

  // Job events can beat the start call's answer: the reducer keeps them by job id until the id is known.
  useEffect(() => api.onJobEvent((event) => dispatch({ type: 'job-event', event })), [api]);

  const list = models.data ?? [];
  const model = list.find((m) => m.id === state.modelId) ?? list[0];
  useEffect(() => {
    if (!state.modelId && list[0]) dispatch({ type: 'choose-model', modelId: list[0].id });
  }, [list, state.modelId]);

  const onInput = async (source: FolderSource) => {
    dispatch({ type: 'input-started' });
    try {
      let path: string;
      if (source.kind === 'path') path = source.path;
      else {
        const { dropped } = source;
        dispatch({ type: 'input-busy', label: `Uploading ${plural(dropped.files.length, 'file')}…` });
        const up = await api.uploadDroppedFiles(dropped.files, dropped.name, (d, t) =>
          dispatch({ type: 'input-busy', label: `Uploading… ${d} of ${t}` }),
        );
        path = `${up.folder.replace(/[\\/]+$/, '')}/${dropped.name}`;
      }
      dispatch({ type: 'input-busy', label: 'Reading the images…' });
      const scan = (await api.scanFolders({ a: path })).a;
      if (scan.images.length === 0) throw new Error(`No images to translate in ${baseName(path)}.`);
      dispatch({ type: 'input-ready', path, scan });
    } catch (err) {
      dispatch({ type: 'input-failed', error: errorText(err) });
    }
  };

  const { quality: qualityError, naming: namingError } = exportProblems(options);
  const setOptions = (patch: Partial<typeof options>) => dispatch({ type: 'export-options', patch });

  const startJob = async (kind: JobKind) => {
    if (!model || !inputPath) return;
    const started = await api.startTranslate(startRequest(kind, state, model.id, inputPath));
    dispatch({ type: 'job-started', kind, jobId: started.jobId, outDir: started.outDir });
  };
  const translate = useAction(() => startJob('translate'));
  const exporting = useAction(() => startJob('export'));
  const cancel = useAction(async (jobId: string) => {
    await api.cancelTranslate({ jobId });
  });
  const chooseDestination = useAction(async () => {
    const r = await api.chooseFolder({ title: 'Export translations to', purpose: 'export' });
    if (r.path) setOptions({ destination: r.path });
  });

  const t = state.jobs.translate;
  const x = state.jobs.export;
  const { results, current } = previewResults(state);

  const jobProgress = (job: JobView, label: string) => (
    <div className="stack">
      <ProgressBar
        label={label}
        done={job.done}
        total={job.total}
        etaSeconds={job.status === 'running' ? job.etaSeconds : undefined}
        unit="Image"
      />
      <div className="row">
        {job.status === 'running' ? (
          <button type="button" className="btn" onClick={() => cancel.run(job.jobId)} disabled={cancel.busy}>
            Cancel
          </button>
        ) : (
          <span
            className={`badge ${job.status === 'done' ? 'ok' : job.status === 'failed' ? 'danger' : ''}`}
            role="status"
          >
            {job.status === 'done' ? `Done: ${plural(job.items.filter((i) => i.output).length, 'image')}` : job.status}
          </span>
        )}
        {job.items.some((i) => i.skipped) && (
          <span className="muted small">{job.items.filter((i) => i.skipped).length} skipped (already there)</span>
        )}
      </div>
      {job.error && (
        <div className="alert" role="alert">
          {job.error}
        </div>
      )}
      {job.items
        .filter((i) => i.error)
        .map((i) => (
          <p key={i.input} className="error small">
            {baseName(i.input)}: {i.error}
          </p>
        ))}
    </div>
  );

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Translate</h1>
          <p>Convert images with a trained model, compare, and export.</p>
        </div>
      </header>
      {models.loading && <Loading label="Loading models…" />}
      <ErrorMessage error={models.error} />
      {!models.loading && !models.error && list.length === 0 && (
        <Empty title="No models yet" icon="◈">
          <p>Train a model and save it from Monitor, or import one in Models.</p>
        </Empty>
      )}
      {list.length > 0 && (
        <>
          <section className="card">
            <div className="form-grid">
              <Field label="Model">
                {(p) => (
                  <select
                    {...p}
                    value={model?.id ?? ''}
                    onChange={(e) => dispatch({ type: 'choose-model', modelId: e.target.value })}
                  >
                    {list.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <fieldset style={{ gridColumn: 'span 2' }}>
                <legend>Direction</legend>
                <div className="segmented">
                  {(['AtoB', 'BtoA'] as const).map((d) => (
                    <label key={d}>
                      <input
                        type="radio"
                        name="direction"
                        value={d}
                        checked={direction === d}
                        onChange={() => dispatch({ type: 'choose-direction', direction: d })}
                      />
                      {d === 'AtoB'
                        ? `${model?.directions.A ?? 'A'} → ${model?.directions.B ?? 'B'}`
                        : `${model?.directions.B ?? 'B'} → ${model?.directions.A ?? 'A'}`}
                    </label>
                  ))}
                </div>
              </fieldset>
            </div>
          </section>
          <DropZone
            api={api}
            title={inputPath ? baseName(inputPath) : 'Images to translate'}
            kicker="Input"
            onFolder={(s) => void onInput(s)}
            busy={input.busy ? <Loading label={input.busy} /> : null}
            error={input.error}
          >
            {inputPath && input.scan ? (
              <>
                <p className="row small">
                  <span className="badge accent">{plural(input.scan.images.length, 'image')}</span>
                  {input.scan.skipped.length > 0 && (
                    <span
                      className="badge danger"
                      title={input.scan.skipped.map((x) => `${baseName(x.path)}: ${x.reason}`).join('\n')}
                    >
                      {input.scan.skipped.length} skipped
                    </span>
                  )}
                  <span className="muted">{inputPath}</span>
                </p>
                <ThumbnailGrid
                  images={input.scan.images}
                  urlFor={(img) => api.mediaUrl(img.path, { width: 168 })}
                  label={`Images in ${baseName(inputPath)}`}
                />
              </>
            ) : null}
          </DropZone>
          <section className="card" aria-labelledby="translate-title">
            <div className="row spread">
              <h2 id="translate-title">Preview</h2>
              <button
                type="button"
                className="btn primary big"
                disabled={!inputPath || !model || translate.busy || t?.status === 'running'}
                onClick={() => translate.run()}
              >
                Translate
              </button>
            </div>
            <ErrorMessage error={translate.error} onDismiss={translate.clearError} />
            {t ? (
              jobProgress(t, 'Translation progress')
            ) : (
              <p className="muted">Add images, then Translate to compare before and after.</p>
            )}
            {current?.output && (
              <div className="compare-layout">
                <CompareSlider
                  before={api.mediaUrl(current.input)}
                  after={api.mediaUrl(current.output)}
                  label={baseName(current.input)}
                />
                <div className="stack">
                  <h3>Translated ({results.length})</h3>
                  <ul className="results" aria-label="Translated images">
                    {results.map((r, i) => (
                      <li key={r.input}>
                        <button
                          type="button"
                          aria-pressed={r === current}
                          aria-label={`Compare ${baseName(r.input)}`}
                          onClick={() => dispatch({ type: 'select-result', index: i })}
                        >
                          <img src={api.mediaUrl(r.output as string, { width: 144 })} alt="" />
                        </button>
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            )}
          </section>
          <section className="card" aria-labelledby="export-title">
            <h2 id="export-title">Export</h2>
            <div className="form-grid">
              <Field label="Format">
                {(p) => (
                  <select
                    {...p}
                    value={options.format}
                    onChange={(e) => setOptions({ format: e.target.value as ExportFormat })}
                  >
                    <option value="png">PNG (lossless)</option>
                    <option value="jpeg">JPEG</option>
                    <option value="webp">WebP</option>
                  </select>
                )}
              </Field>
              <Field label="Quality" error={qualityError} hint={options.format === 'png' ? 'PNG is lossless' : '1–100'}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    min={1}
                    max={100}
                    value={options.quality}
                    disabled={options.format === 'png'}
                    onChange={(e) => setOptions({ quality: e.target.value })}
                  />
                )}
              </Field>
              <Field label="File names" error={namingError} hint={NAMING_HELP}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    value={options.naming}
                    onChange={(e) => setOptions({ naming: e.target.value })}
                  />
                )}
              </Field>
              <Field label="Destination folder" hint="Empty: a new folder in the workspace">
                {(p) => (
                  <div className="row" style={{ flexWrap: 'nowrap', gap: 6 }}>
                    <input
                      {...p}
                      type="text"
                      value={options.destination}
                      placeholder="/path/to/output"
                      onChange={(e) => setOptions({ destination: e.target.value })}
                    />
                    {api.transport === 'electron' && (
                      <button type="button" className="btn" onClick={() => chooseDestination.run()}>
                        Choose…
                      </button>
                    )}
                  </div>
                )}
              </Field>
            </div>
            <label className="row small" style={{ gap: 8 }}>
              <input
                type="checkbox"
                checked={options.overwrite}
                onChange={(e) => setOptions({ overwrite: e.target.checked })}
              />
              Overwrite files that already exist (otherwise they are skipped)
            </label>
            <div className="row">
              <button
                type="button"
                className="btn primary"
                disabled={
                  !inputPath ||
                  !model ||
                  Boolean(qualityError || namingError) ||
                  exporting.busy ||
                  x?.status === 'running'
                }
                onClick={() => exporting.run()}
              >
                Export
              </button>
              {x?.outDir && (
                <span className="muted small" data-testid="export-dir">
                  {x.status === 'done' ? 'Exported to' : 'Exporting to'} {x.outDir}
                </span>
              )}
            </div>
            <ErrorMessage error={exporting.error} onDismiss={exporting.clearError} />
            <ErrorMessage error={chooseDestination.error} onDismiss={chooseDestination.clearError} />
            {x && jobProgress(x, 'Export progress')}
          </section>
        </>
      )}
    </div>
  );
}
