/** Settings: workspace, backend preference, theme; and what this machine offers. */
import { useEffect, useState } from 'react';
import type { AppSettings } from '#contract';
import { useAction, useApi, useAsync } from '../api/context';
import { BackendBadge } from '../components/BackendBadge';
import { Field } from '../components/Field';
import { ErrorMessage, Loading } from '../components/States';

const BACKENDS: { value: AppSettings['backend']; label: string }[] = [
  { value: 'auto', label: 'Automatic (fastest available)' },
  { value: 'tfjs-node-gpu', label: 'TensorFlow GPU (CUDA)' },
  { value: 'webgpu', label: 'WebGPU (Vulkan, Metal, D3D12)' },
  { value: 'tfjs-node', label: 'TensorFlow CPU (native)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'cpu', label: 'Plain JavaScript' },
];

export function SettingsScreen({
  settings,
  error,
  onSaved,
}: {
  settings?: AppSettings;
  error?: unknown;
  onSaved: (s: AppSettings) => void;
}) {
  const api = useApi();
  const system = useAsync(() => api.getSystemInfo(), [api]);
  const [workspace, setWorkspace] = useState('');
  useEffect(() => {
    setWorkspace(settings?.workspace ?? system.data?.workspace ?? '');
  }, [settings?.workspace, system.data?.workspace]);
  const saveNow = useAction(async (patch: Partial<AppSettings>) => onSaved(await api.setSettings(patch)));
  // The choice shows at once; the saved settings replace it when they come back (or the error shows).
  const save = {
    ...saveNow,
    run: (patch: Partial<AppSettings>) => {
      if (settings) onSaved({ ...settings, ...patch });
      return saveNow.run(patch);
    },
  };
  const workspaceError = workspace.trim() === '' ? 'Enter a folder for Duet’s projects and models.' : undefined;

  if (error)
    return (
      <div className="screen">
        <ErrorMessage error={error} />
      </div>
    );
  if (!settings) return <Loading label="Loading settings…" />;
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Settings</h1>
          <p>Saved as you change them.</p>
        </div>
      </header>
      <ErrorMessage error={save.error} onDismiss={save.clearError} />
      <section className="card" aria-labelledby="appearance">
        <h2 id="appearance">Appearance</h2>
        <fieldset>
          <legend>Theme</legend>
          <div className="segmented">
            {(['system', 'light', 'dark'] as const).map((t) => (
              <label key={t}>
                <input
                  type="radio"
                  name="theme"
                  value={t}
                  checked={settings.theme === t}
                  onChange={() => save.run({ theme: t })}
                />
                {t === 'system' ? 'Match system' : t === 'light' ? 'Light' : 'Dark'}
              </label>
            ))}
          </div>
        </fieldset>
      </section>
      <section className="card" aria-labelledby="training">
        <div className="row spread">
          <h2 id="training">Training backend</h2>
          <BackendBadge info={system.data} error={system.error} />
        </div>
        <Field
          label="Backend preference"
          hint="Used for the next run; Automatic falls back in order GPU → native CPU → WebAssembly → JavaScript."
        >
          {(p) => (
            <select
              {...p}
              value={settings.backend}
              onChange={(e) => save.run({ backend: e.target.value as AppSettings['backend'] })}
            >
              {BACKENDS.map((b) => (
                <option key={b.value} value={b.value}>
                  {b.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {system.data?.backend && (
          <ul className="small muted" style={{ margin: 0 }}>
            {system.data.backend.attempts.map((a) => (
              <li key={a.candidate}>
                {a.candidate}: {a.ok ? 'available' : (a.reason ?? 'not available')}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="storage">
        <h2 id="storage">Workspace</h2>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (!workspaceError) void save.run({ workspace: workspace.trim() });
          }}
        >
          <Field
            label="Workspace folder"
            error={workspaceError}
            hint="Projects, runs, checkpoints and models live here."
          >
            {(p) => <input {...p} type="text" value={workspace} onChange={(e) => setWorkspace(e.target.value)} />}
          </Field>
          <div className="row">
            <button type="submit" className="btn" disabled={Boolean(workspaceError) || save.busy}>
              Save workspace
            </button>
          </div>
        </form>
        {system.data && (
          <p className="small muted">
            Duet {system.data.duet} · Node {system.data.node}
            {system.data.electron ? ` · Electron ${system.data.electron}` : ''} · {system.data.platform} ·{' '}
            {system.data.transport}
          </p>
        )}
      </section>
    </div>
  );
}
