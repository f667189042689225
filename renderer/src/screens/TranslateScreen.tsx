/**
 * Translate: a model, a direction, images in; before/after to compare; then Export with the format,
 * quality, naming and destination the user picks. Both are jobs with progress and Cancel.
 */
import { useEffect, useRef, useState } from 'react';
import type { Direction, DomainScan, DuetEventPayload } from '#contract';
import { useAction, useApi, useAsync } from '../api/context';
import { CompareSlider } from '../components/CompareSlider';
import { DropZone, type FolderSource } from '../components/DropZone';
import { Field } from '../components/Field';
import { ProgressBar } from '../components/ProgressBar';
import { Empty, ErrorMessage, errorText, Loading } from '../components/States';
import { ThumbnailGrid } from '../components/ThumbnailGrid';
import { baseName, plural } from '../lib/format';

type JobEvent = DuetEventPayload<'job'>;
type Format = 'png' | 'jpeg' | 'webp';

interface JobView {
  jobId: string;
  kind: 'translate' | 'export';
  outDir?: string;
  done: number;
  total: number;
  etaSeconds?: number | null;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  error?: string;
  items: { input: string; output?: string; skipped?: string; error?: string }[];
}

const NAMING_HELP = '{name} original name · {direction} · {model} · {index}';

function reduceJob(job: JobView, e: JobEvent): JobView {
  const next: JobView = { ...job, done: e.done, total: e.total, etaSeconds: e.etaSeconds ?? job.etaSeconds };
  if (e.type === 'item' && e.input) {
    next.items = [...job.items, { input: e.input, output: e.output, skipped: e.skipped, error: e.error }];
  }
  if (e.type === 'done') next.status = 'done';
  if (e.type === 'cancelled') next.status = 'cancelled';
  if (e.type === 'failed') {
    next.status = 'failed';
    next.error = e.error;
  }
  return next;
}

export function TranslateScreen() {
  const api = useApi();
  const models = useAsync(() => api.listModels(), [api]);
  const [modelId, setModelId] = useState('');
  const [direction, setDirection] = useState<Direction>('AtoB');
  const [inputPath, setInputPath] = useState<string | null>(null);
  const [inputBusy, setInputBusy] = useState<string | null>(null);
  const [inputError, setInputError] = useState<string | null>(null);
  const [inputScan, setInputScan] = useState<DomainScan | null>(null);
  const [jobs, setJobs] = useState<Record<'translate' | 'export', JobView | null>>({ translate: null, export: null });
  const [selected, setSelected] = useState(0);
  // Export options
  const [format, setFormat] = useState<Format>('png');
  const [quality, setQuality] = useState('90');
  const [naming, setNaming] = useState('{name}');
  const [destination, setDestination] = useState('');
  const [overwrite, setOverwrite] = useState(false);

  // Job events can beat the start call's answer: keep them by job id until the id is known.
  const early = useRef(new Map<string, JobEvent[]>());
  const knownJobs = useRef(new Map<string, 'translate' | 'export'>());
  useEffect(
    () =>
      api.onJobEvent((e) => {
        const kind = knownJobs.current.get(e.jobId);
        if (kind) {
          setJobs((js) => {
            const j = js[kind];
            return j && j.jobId === e.jobId ? { ...js, [kind]: reduceJob(j, e) } : js;
          });
          return;
        }
        const list = early.current.get(e.jobId) ?? [];
        list.push(e);
        early.current.set(e.jobId, list);
      }),
    [api],
  );

  const list = models.data ?? [];
  const model = list.find((m) => m.id === modelId) ?? list[0];
  useEffect(() => {
    if (!modelId && list[0]) setModelId(list[0].id);
  }, [list, modelId]);

  const onInput = async (source: FolderSource) => {
    setInputError(null);
    setInputScan(null);
    setInputPath(null);
    try {
      let path: string;
      if (source.kind === 'path') path = source.path;
      else {
        const { dropped } = source;
        setInputBusy(`Uploading ${plural(dropped.files.length, 'file')}…`);
        const up = await api.uploadDroppedFiles(dropped.files, dropped.name, (d, t) =>
          setInputBusy(`Uploading… ${d} of ${t}`),
        );
        path = `${up.folder.replace(/[\\/]+$/, '')}/${dropped.name}`;
      }
      setInputBusy('Reading the images…');
      const scan = (await api.scanFolders({ a: path })).a;
      if (scan.images.length === 0) throw new Error(`No images to translate in ${baseName(path)}.`);
      setInputScan(scan);
      setInputPath(path);
    } catch (err) {
      setInputError(errorText(err));
    } finally {
      setInputBusy(null);
    }
  };

  const qualityNumber = Number(quality);
  const qualityError =
    format === 'png'
      ? undefined
      : !Number.isInteger(qualityNumber) || qualityNumber < 1 || qualityNumber > 100
        ? 'Enter a whole number from 1 to 100.'
        : undefined;
  const namingError =
    !naming.includes('{name}') && !naming.includes('{index}')
      ? 'Include {name} or {index} so each file gets its own name.'
      : /[\\/:*?"<>|]/.test(naming.replace(/\{[a-z]+\}/g, ''))
        ? 'Names cannot contain \\ / : * ? " < > |'
        : undefined;

  const startJob = async (kind: 'translate' | 'export') => {
    if (!model || !inputPath) return;
    const started = await api.startTranslate(
      kind === 'translate'
        ? { modelId: model.id, direction, inputs: [inputPath], format: 'png', naming: '{name}', overwrite: true }
        : {
            modelId: model.id,
            direction,
            inputs: [inputPath],
            format,
            quality: format === 'png' ? undefined : qualityNumber,
            naming,
            overwrite,
            outDir: destination.trim() || undefined,
          },
    );
    let job: JobView = {
      jobId: started.jobId,
      kind,
      outDir: started.outDir,
      done: 0,
      total: 0,
      status: 'running',
      items: [],
    };
    for (const e of early.current.get(started.jobId) ?? []) job = reduceJob(job, e);
    early.current.delete(started.jobId);
    knownJobs.current.set(started.jobId, kind);
    setJobs((js) => ({ ...js, [kind]: job }));
    if (kind === 'translate') setSelected(0);
  };
  const translate = useAction(() => startJob('translate'));
  const exporting = useAction(() => startJob('export'));
  const cancel = useAction(async (jobId: string) => {
    await api.cancelTranslate({ jobId });
  });
  const chooseDestination = useAction(async () => {
    const r = await api.chooseFolder({ title: 'Export translations to', purpose: 'export' });
    if (r.path) setDestination(r.path);
  });

  const t = jobs.translate;
  const x = jobs.export;
  const results = (t?.items ?? []).filter((i) => i.output);
  const current = results[Math.min(selected, results.length - 1)];

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
                  <select {...p} value={model?.id ?? ''} onChange={(e) => setModelId(e.target.value)}>
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
                        onChange={() => setDirection(d)}
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
            busy={inputBusy ? <Loading label={inputBusy} /> : null}
            error={inputError}
          >
            {inputPath && inputScan ? (
              <>
                <p className="row small">
                  <span className="badge accent">{plural(inputScan.images.length, 'image')}</span>
                  {inputScan.skipped.length > 0 && (
                    <span
                      className="badge danger"
                      title={inputScan.skipped.map((x) => `${baseName(x.path)}: ${x.reason}`).join('\n')}
                    >
                      {inputScan.skipped.length} skipped
                    </span>
                  )}
                  <span className="muted">{inputPath}</span>
                </p>
                <ThumbnailGrid
                  images={inputScan.images}
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
                          onClick={() => setSelected(i)}
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
                  <select {...p} value={format} onChange={(e) => setFormat(e.target.value as Format)}>
                    <option value="png">PNG (lossless)</option>
                    <option value="jpeg">JPEG</option>
                    <option value="webp">WebP</option>
                  </select>
                )}
              </Field>
              <Field label="Quality" error={qualityError} hint={format === 'png' ? 'PNG is lossless' : '1–100'}>
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    min={1}
                    max={100}
                    value={quality}
                    disabled={format === 'png'}
                    onChange={(e) => setQuality(e.target.value)}
                  />
                )}
              </Field>
              <Field label="File names" error={namingError} hint={NAMING_HELP}>
                {(p) => <input {...p} type="text" value={naming} onChange={(e) => setNaming(e.target.value)} />}
              </Field>
              <Field label="Destination folder" hint="Empty: a new folder in the workspace">
                {(p) => (
                  <div className="row" style={{ flexWrap: 'nowrap', gap: 6 }}>
                    <input
                      {...p}
                      type="text"
                      value={destination}
                      placeholder="/path/to/output"
                      onChange={(e) => setDestination(e.target.value)}
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
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} />
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
