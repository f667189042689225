/**
 * Monitor: the live run. On open (and after a reload) it finds the project's live run, loads its
 * logged history, then follows its events; events that arrive while the history loads are kept.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { type DuetEventPayload, isRunEnded, isRunLive, type RunState, type RunSummary } from '#contract';
import type { ProjectContext } from '../App';
import { useAction, useApi, useAsync } from '../api/context';
import { LossChart } from '../components/LossChart';
import { ProgressBar } from '../components/ProgressBar';
import { type SampleRef, SampleViewer } from '../components/SampleViewer';
import { Empty, ErrorMessage, errorText, Loading } from '../components/States';
import { LossStore, mergeHistory } from '../lib/lossStore';
import type { Route } from '../lib/route';
import {
  applyRunEvent,
  applyRunSummary,
  liveFromSummary,
  paletteCaption,
  type RunLive,
  sampleCaption,
} from '../lib/runState';

type RunEvent = DuetEventPayload<'run'>;

/**
 * The run this window last started, per project, kept for the session: Monitor follows it at once —
 * also after a reload — without waiting for the run list, which a busy engine can answer late.
 */
export function rememberRun(run: RunSummary): void {
  try {
    sessionStorage.setItem(`duet-run:${run.projectId}`, JSON.stringify(run));
  } catch {
    // storage can be off; Monitor then waits for the run list
  }
}
function recallRun(projectId: string): RunSummary | undefined {
  try {
    const raw = sessionStorage.getItem(`duet-run:${projectId}`);
    return raw ? (JSON.parse(raw) as RunSummary) : undefined;
  } catch {
    return undefined;
  }
}

function pickRun(runs: RunSummary[]): RunSummary | undefined {
  return runs.find((r) => isRunLive(r.state)) ?? [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

export function MonitorScreen({
  ctx,
  theme,
  navigate,
}: {
  ctx: ProjectContext;
  theme: string;
  navigate: (r: Route) => void;
}) {
  const api = useApi();
  const projectId = ctx.project.id;
  const runs = useAsync(() => api.listRuns({ projectId }), [api, projectId]);
  const remembered = useMemo(() => recallRun(projectId), [projectId]);
  const [runId, setRunId] = useState<string | null>(remembered?.id ?? null);
  useEffect(() => {
    if (!runId && runs.data) setRunId(pickRun(runs.data)?.id ?? null);
  }, [runs.data, runId]);

  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Monitor</h1>
          <p>Losses, samples and progress of a training run, live.</p>
        </div>
        {runs.data && runs.data.length > 1 && (
          <label className="row small" style={{ gap: 8 }}>
            Run
            <select value={runId ?? ''} onChange={(e) => setRunId(e.target.value)} style={{ width: 'auto' }}>
              {runs.data.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.state})
                </option>
              ))}
            </select>
          </label>
        )}
      </header>
      <ErrorMessage error={runs.error} />
      {runs.loading && !runs.data && !runId && <Loading label="Looking for this project's runs…" />}
      {runs.data && !runId && !remembered && (
        <Empty title="No runs yet" icon="∿">
          <p>Start training and follow it here.</p>
          <button type="button" className="btn primary" onClick={() => navigate({ screen: 'train', projectId })}>
            Go to Train
          </button>
        </Empty>
      )}
      {runId && (
        <RunView
          key={runId}
          projectId={projectId}
          summary={runs.data?.find((r) => r.id === runId) ?? (remembered?.id === runId ? remembered : undefined)}
          runId={runId}
          theme={theme}
          onSwitch={(r) => {
            rememberRun(r);
            runs.reload();
            setRunId(r.id);
          }}
          onStateChange={(state) => runs.setData((list) => list?.map((r) => (r.id === runId ? { ...r, state } : r)))}
        />
      )}
    </div>
  );
}

function RunView({
  projectId,
  runId,
  summary,
  theme,
  onSwitch,
  onStateChange,
}: {
  projectId: string;
  runId: string;
  summary?: RunSummary;
  theme: string;
  onSwitch: (r: RunSummary) => void;
  /** Called when the run's state changes (the run picker's labels name each run's state). */
  onStateChange: (state: RunState) => void;
}) {
  const api = useApi();
  const store = useRef(new LossStore()).current;
  const [version, setVersion] = useState(0);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [historyLoaded, setHistoryLoaded] = useState(false);
  const [live, setLive] = useState<RunLive>(() => liveFromSummary(summary));

  // Live events are shown as they come; the logged history joins them whenever it answers.
  useEffect(() => {
    let active = true;
    store.clear();

    const apply = (e: RunEvent) => {
      if (e.type === 'progress') {
        store.append(e.iteration, e.losses);
        setVersion(store.version);
      }
      setLive((l) => applyRunEvent(l, e));
    };
    const unsubscribe = api.onRunEvent((e) => active && apply(e), runId);

    (async () => {
      try {
        const [run, metrics] = await Promise.all([
          api.getRun({ projectId, runId }),
          api.getRunMetrics({ projectId, runId }),
        ]);
        if (!active) return;
        mergeHistory(store, metrics.rows);
        setVersion(store.version);
        setLive((l) => applyRunSummary(l, run, metrics.rows.at(-1)));
        setHistoryLoaded(true);
      } catch (err) {
        if (active) setLoadError(err);
      }
    })();
    return () => {
      active = false;
      unsubscribe();
    };
  }, [api, projectId, runId, store]);

  // The picker above lists every run with its state: read the list again when this run's state moves on.
  const notify = useRef(onStateChange);
  notify.current = onStateChange;
  const shownState = useRef(live.state);
  useEffect(() => {
    if (shownState.current === live.state) return;
    shownState.current = live.state;
    notify.current(live.state);
  }, [live.state]);

  // An ended run may have written its last checkpoint without an event (stop writes one): read the
  // run once more when it ends.
  const ended = isRunEnded(live.state);
  useEffect(() => {
    if (!ended) return;
    let active = true;
    api.getRun({ projectId, runId }).then(
      (run) =>
        active &&
        setLive((l) => {
          const checkpoints = [...l.checkpoints];
          for (const c of run.checkpoints)
            if (!checkpoints.some((y) => y.iteration === c.iteration)) checkpoints.push(c);
          const samples = [...l.samples];
          for (const x of run.samples) if (!samples.some((y) => y.iteration === x.iteration)) samples.push(x);
          return { ...l, checkpoints, samples: samples.sort((a, b) => a.iteration - b.iteration) };
        }),
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [ended, api, projectId, runId]);

  const control = useAction(async (what: 'pause' | 'resume' | 'stop') => {
    const ref = { projectId, runId };
    const r =
      what === 'pause'
        ? await api.pauseRun(ref)
        : what === 'resume'
          ? await api.resumeRun(ref)
          : await api.stopRun(ref);
    // State changes arrive as events, often before this answer (which can lag behind them); only an
    // ended run, which sends no more events, is taken from the answer.
    if (isRunEnded(r.state)) setLive((l) => ({ ...l, state: r.state, stateFrom: 'event' }));
  });
  const resumeFrom = useAction(async (iteration: number) => {
    const r = await api.resumeRunFrom({ projectId, runId, iteration });
    onSwitch(r);
  });
  const [savedModel, setSavedModel] = useState<string | null>(null);
  const save = useAction(async () => {
    const card = await api.saveModelFromRun({ projectId, runId });
    setSavedModel(card.name);
  });

  const samples: SampleRef[] = useMemo(
    () => live.samples.map((s) => ({ iteration: s.iteration, url: api.mediaUrl(s.path) })),
    [live.samples, api],
  );

  const state = live.state;
  const canPause = state === 'running' || state === 'starting';
  const canResume = state === 'paused';
  const canStop = canPause || canResume;
  return (
    <div className="stack" style={{ gap: 16 }}>
      <section className="card" aria-labelledby="run-title">
        <div className="row spread">
          <div className="row">
            <h2 id="run-title">{summary?.name ?? runId}</h2>
            <span
              className={`badge ${state === 'failed' ? 'danger' : state === 'running' ? 'ok' : 'accent'}`}
              data-testid="run-state"
            >
              {state}
            </span>
            {summary?.backend && <span className="badge">{summary.backend}</span>}
          </div>
          <div className="row">
            {canResume ? (
              <button
                type="button"
                className="btn primary"
                onClick={() => control.run('resume')}
                disabled={control.busy}
              >
                Resume
              </button>
            ) : (
              <button
                type="button"
                className="btn"
                onClick={() => control.run('pause')}
                disabled={!canPause || control.busy}
              >
                Pause
              </button>
            )}
            <button
              type="button"
              className="btn danger"
              onClick={() => control.run('stop')}
              disabled={!canStop || control.busy}
            >
              Stop
            </button>
          </div>
        </div>
        <ProgressBar
          label="Training progress"
          done={live.iteration}
          total={live.total}
          epoch={live.epoch}
          itPerSec={live.itPerSec}
          etaSeconds={isRunLive(state) ? live.etaSeconds : undefined}
          time={
            live.budgetSeconds === undefined
              ? undefined
              : { seconds: live.trainingSeconds ?? 0, budget: live.budgetSeconds }
          }
        />
        {live.message && <p className={state === 'failed' ? 'error' : 'muted small'}>{live.message}</p>}
        {!historyLoaded && !loadError && <Loading label="Loading the run's history…" />}
        <ErrorMessage error={loadError} />
        <ErrorMessage error={control.error} onDismiss={control.clearError} />
      </section>

      <section className="card">
        <LossChart store={store} version={version} theme={theme} />
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="samples-title">
          <h2 id="samples-title">Samples</h2>
          <p className="muted small">
            {sampleCaption(summary?.settings.model)} {paletteCaption(summary?.settings)}
          </p>
          <SampleViewer samples={samples} />
        </section>
        <section className="card" aria-labelledby="checkpoints-title">
          <h2 id="checkpoints-title">Checkpoints</h2>
          {live.checkpoints.length === 0 ? (
            <p className="muted">The first checkpoint is written after its interval, and always when you stop.</p>
          ) : (
            <ul className="checkpoints">
              {[...live.checkpoints]
                .sort((a, b) => b.iteration - a.iteration)
                .map((c) => (
                  <li key={c.iteration}>
                    <span>
                      Iteration <strong>{c.iteration}</strong>{' '}
                      <span className="muted small">{new Date(c.createdAt).toLocaleTimeString()}</span>
                    </span>
                    <button
                      type="button"
                      className="btn"
                      disabled={isRunLive(state) || resumeFrom.busy}
                      aria-label={`Resume from here (iteration ${c.iteration})`}
                      onClick={() => resumeFrom.run(c.iteration)}
                    >
                      Resume from here
                    </button>
                  </li>
                ))}
            </ul>
          )}
          <ErrorMessage error={resumeFrom.error} onDismiss={resumeFrom.clearError} />
          <div className="row">
            <button
              type="button"
              className="btn"
              disabled={isRunLive(state) || live.checkpoints.length === 0 || save.busy}
              onClick={() => save.run()}
            >
              Save as model
            </button>
            {savedModel && (
              <span className="badge ok" role="status">
                Saved “{savedModel}” to Models
              </span>
            )}
          </div>
          {save.error ? <p className="error small">{errorText(save.error)}</p> : null}
        </section>
      </div>
    </div>
  );
}
