/** Projects: list, create, open, delete, and the one-click sample for a first run. */
import { useState } from 'react';
import { useAction, useApi, useAsync } from '../api/context';
import { Empty, ErrorMessage, Loading } from '../components/States';
import { baseName } from '../lib/format';
import { MODEL_SHORT_NAME } from '../lib/modelChoice';
import type { Route } from '../lib/route';

export function ProjectsScreen({ navigate, hint }: { navigate: (r: Route) => void; hint?: string }) {
  const api = useApi();
  const projects = useAsync(() => api.listProjects(), [api]);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string>();
  const [confirming, setConfirming] = useState<string | null>(null);

  const sample = useAction(async () => {
    const p = await api.createSampleProject();
    navigate({ screen: 'data', projectId: p.id });
  });
  const create = useAction(async () => {
    const trimmed = name.trim();
    if (!trimmed) {
      setNameError('Give the project a name.');
      return;
    }
    const p = await api.createProject({ name: trimmed });
    setName('');
    navigate({ screen: 'data', projectId: p.id });
  });
  const remove = useAction(async (projectId: string) => {
    await api.deleteProject({ projectId });
    setConfirming(null);
    projects.reload();
  });

  const list = projects.data ?? [];
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Projects</h1>
          <p>Each project pairs two folders of images and the models trained on them.</p>
        </div>
      </header>
      {hint && (
        <div className="alert info" role="status">
          {hint}
        </div>
      )}

      {list.length === 0 && !projects.loading && (
        <section className="card hero" aria-labelledby="sample-title">
          <div className="stack">
            <h2 id="sample-title">New to Duet?</h2>
            <p className="muted">
              The sample project holds small aerial photos and the matching map tiles. Train a quick model on it in a
              few minutes and see how Duet works.
            </p>
            <ErrorMessage error={sample.error} onDismiss={sample.clearError} />
          </div>
          <button type="button" className="btn primary big" onClick={() => sample.run()} disabled={sample.busy}>
            {sample.busy ? 'Setting up…' : 'Try the sample (aerial ↔ map)'}
          </button>
        </section>
      )}

      <section className="card" aria-labelledby="new-project">
        <h2 id="new-project">New project</h2>
        <form
          className="row"
          style={{ alignItems: 'flex-start' }}
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <div className="field" style={{ flex: '1 1 260px' }}>
            <label htmlFor="project-name">Project name</label>
            <input
              id="project-name"
              type="text"
              value={name}
              placeholder="Aerial to map"
              aria-invalid={Boolean(nameError)}
              aria-describedby={nameError ? 'project-name-error' : undefined}
              onChange={(e) => {
                setName(e.target.value);
                setNameError(undefined);
              }}
            />
            {nameError && (
              <span className="error" id="project-name-error">
                {nameError}
              </span>
            )}
          </div>
          <button type="submit" className="btn primary" style={{ marginTop: 22 }} disabled={create.busy}>
            Create project
          </button>
        </form>
        <ErrorMessage error={create.error} onDismiss={create.clearError} />
      </section>

      <section className="stack" aria-labelledby="your-projects">
        <div className="row spread">
          <h2 id="your-projects">Your projects</h2>
          {list.length > 0 && (
            <button type="button" className="btn" onClick={() => sample.run()} disabled={sample.busy}>
              Try the sample (aerial ↔ map)
            </button>
          )}
        </div>
        {projects.loading && <Loading label="Loading projects…" />}
        <ErrorMessage error={projects.error} />
        <ErrorMessage error={remove.error} onDismiss={remove.clearError} />
        {!projects.loading && !projects.error && list.length === 0 && (
          <Empty title="No projects yet" icon="▦">
            <p>Create one above, or start with the sample.</p>
          </Empty>
        )}
        <ul className="grid-cards" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {list.map((p) => (
            <li key={p.id} className="card project-card">
              <div className="card-title">
                <h3>{p.name}</h3>
                <span className="badge accent">{MODEL_SHORT_NAME[p.model]}</span>
              </div>
              <dl className="kv">
                {p.domainA && !p.domainB ? (
                  <>
                    {/* One folder: it may hold both domains (trainA/ trainB/, A|B images); the Data screen says. */}
                    <dt>Data</dt>
                    <dd>{baseName(p.domainA)}</dd>
                  </>
                ) : (
                  <>
                    <dt>Domain A</dt>
                    <dd>{p.domainA ? baseName(p.domainA) : '—'}</dd>
                    <dt>Domain B</dt>
                    <dd>{p.domainB ? baseName(p.domainB) : '—'}</dd>
                  </>
                )}
                <dt>Created</dt>
                <dd>{new Date(p.createdAt).toLocaleString()}</dd>
              </dl>
              <div className="row">
                <button
                  type="button"
                  className="btn primary"
                  aria-label={`Open ${p.name}`}
                  onClick={() => navigate({ screen: 'data', projectId: p.id })}
                >
                  Open
                </button>
                {confirming === p.id ? (
                  <>
                    <button
                      type="button"
                      className="btn danger"
                      aria-label={`Confirm delete ${p.name}`}
                      onClick={() => remove.run(p.id)}
                      disabled={remove.busy}
                    >
                      Delete for good
                    </button>
                    <button type="button" className="btn" onClick={() => setConfirming(null)}>
                      Keep
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    className="btn"
                    aria-label={`Delete ${p.name}`}
                    onClick={() => setConfirming(p.id)}
                  >
                    Delete
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
