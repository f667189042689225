/** Models: the library as cards, with export, import and delete. */
import { useState } from 'react';
import type { ModelCard } from '#contract';
import { useAction, useApi, useAsync } from '../api/context';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { MODEL_SHORT_NAME } from '../lib/modelChoice';

function ModelCardView({ card, onChanged }: { card: ModelCard; onChanged: () => void }) {
  const api = useApi();
  const [destination, setDestination] = useState('');
  const [exported, setExported] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const exportModel = useAction(async () => {
    const r = await api.exportModel({ modelId: card.id, destination: destination.trim() || undefined, format: 'tfjs' });
    setExported(r.path);
  });
  const remove = useAction(async () => {
    await api.deleteModel({ modelId: card.id });
    onChanged();
  });
  const metrics = Object.entries(card.metrics);
  return (
    <li className="card">
      <div className="card-title">
        <h3>{card.name}</h3>
        <span className="badge accent">{MODEL_SHORT_NAME[card.model]}</span>
      </div>
      <dl className="kv">
        <dt>Directions</dt>
        <dd>
          {card.directions.A} ↔ {card.directions.B}
        </dd>
        <dt>Architecture</dt>
        <dd>
          {card.architecture.generator} / {card.architecture.discriminator} / {card.architecture.norm}
        </dd>
        <dt>Data</dt>
        <dd>
          {card.data.countA} A · {card.data.countB} B · {card.data.pairing}
        </dd>
        <dt>Trained</dt>
        <dd>
          {card.iterations.toLocaleString('en-US')} iterations at {card.settings.size} px on {card.backend}
        </dd>
        <dt>Created</dt>
        <dd>{new Date(card.createdAt).toLocaleString()}</dd>
        {metrics.map(([dir, m]) => (
          <FragmentRow
            key={dir}
            label={
              dir === 'AtoB'
                ? `${card.directions.A} → ${card.directions.B}`
                : dir === 'BtoA'
                  ? `${card.directions.B} → ${card.directions.A}`
                  : dir
            }
            value={formatMetrics(m)}
          />
        ))}
      </dl>
      <div className="field">
        <label htmlFor={`export-${card.id}`}>Export to folder</label>
        <input
          id={`export-${card.id}`}
          type="text"
          placeholder="Empty: the workspace's exports folder"
          value={destination}
          onChange={(e) => setDestination(e.target.value)}
        />
      </div>
      <div className="row">
        <button
          type="button"
          className="btn"
          aria-label={`Export ${card.name}`}
          onClick={() => exportModel.run()}
          disabled={exportModel.busy}
        >
          Export
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="btn danger"
              aria-label={`Confirm delete ${card.name}`}
              onClick={() => remove.run()}
            >
              Delete for good
            </button>
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="btn" aria-label={`Delete ${card.name}`} onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
      </div>
      {exported && (
        <p className="small" role="status">
          Exported to <code>{exported}</code>
        </p>
      )}
      <ErrorMessage error={exportModel.error} onDismiss={exportModel.clearError} />
      <ErrorMessage error={remove.error} onDismiss={remove.clearError} />
    </li>
  );
}

/** "RMSE 31.2 · accuracy 41% · PSNR 18.3 dB" */
export function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => {
      if (k === 'rmse') return `RMSE ${v.toFixed(1)}`;
      if (k === 'pixelAccuracy') return `accuracy ${(v * 100).toFixed(0)}%`;
      if (k === 'psnr') return `PSNR ${v.toFixed(1)} dB`;
      if (k === 'l1') return `L1 ${v.toFixed(3)}`;
      if (k === 'count') return `${v} images`;
      return `${k} ${Number.isInteger(v) ? v : v.toFixed(3)}`;
    })
    .join(' · ');
}

function FragmentRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd title={value}>{value}</dd>
    </>
  );
}

export function ModelsScreen() {
  const api = useApi();
  const models = useAsync(() => api.listModels(), [api]);
  const [source, setSource] = useState('');
  const importModel = useAction(async (path: string) => {
    await api.importModel({ source: path });
    setSource('');
    models.reload();
  });
  const chooseImport = useAction(async () => {
    const r = await api.chooseFolder({ title: 'Import a Duet model folder', purpose: 'import' });
    if (r.path) await importModel.run(r.path);
  });
  const list = models.data ?? [];
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Models</h1>
          <p>Trained generators with their cards: what they learned from, how long, and how well.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="import-title">
        <h2 id="import-title">Import a model</h2>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            if (source.trim()) void importModel.run(source.trim());
          }}
        >
          <label htmlFor="import-source" className="visually-hidden">
            Model folder to import
          </label>
          <input
            id="import-source"
            type="text"
            style={{ flex: '1 1 300px', width: 'auto' }}
            placeholder="Folder of an exported Duet model"
            value={source}
            onChange={(e) => setSource(e.target.value)}
          />
          <button type="submit" className="btn" disabled={!source.trim() || importModel.busy}>
            Import
          </button>
          {api.transport === 'electron' && (
            <button type="button" className="btn" onClick={() => chooseImport.run()}>
              Choose…
            </button>
          )}
        </form>
        <ErrorMessage error={importModel.error ?? chooseImport.error} onDismiss={importModel.clearError} />
      </section>
      {models.loading && <Loading label="Loading models…" />}
      <ErrorMessage error={models.error} />
      {!models.loading && !models.error && list.length === 0 && (
        <Empty title="The library is empty" icon="◈">
          <p>Save a model from a run in Monitor, or import one above.</p>
        </Empty>
      )}
      <ul className="grid-cards" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {list.map((m) => (
          <ModelCardView key={m.id} card={m} onChanged={models.reload} />
        ))}
      </ul>
    </div>
  );
}
