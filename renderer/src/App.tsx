/**
 * The window: a sidebar of screens and the screen itself. The route lives in the URL hash, so a
 * reload comes back to the same screen and project (and Monitor reconnects to a live run).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AppSettings, EngineStatusEvent, OpenProjectResponse, Project, RunSummary } from '#contract';
import { useApi, useAsync } from './api/context';
import { ErrorMessage, Loading } from './components/States';
import { formatRoute, PROJECT_SCREENS, parseRoute, type Route, type Screen } from './lib/route';
import { DataScreen } from './screens/DataScreen';
import { ModelsScreen } from './screens/ModelsScreen';
import { MonitorScreen } from './screens/MonitorScreen';
import { ProjectsScreen } from './screens/ProjectsScreen';
import { SettingsScreen } from './screens/SettingsScreen';
import { TrainScreen } from './screens/TrainScreen';
import { TranslateScreen } from './screens/TranslateScreen';
import { useResolvedTheme } from './theme';

const NAV: { screen: Screen; label: string; icon: string }[] = [
  { screen: 'projects', label: 'Projects', icon: '▦' },
  { screen: 'data', label: 'Data', icon: '⇆' },
  { screen: 'train', label: 'Train', icon: '◎' },
  { screen: 'monitor', label: 'Monitor', icon: '∿' },
  { screen: 'translate', label: 'Translate', icon: '➜' },
  { screen: 'models', label: 'Models', icon: '◈' },
  { screen: 'settings', label: 'Settings', icon: '⚙' },
];

export interface ProjectContext {
  project: Project;
  runs: RunSummary[];
  reload: () => void;
  setProject: (p: Project) => void;
}

/** The engine process's exits and restarts, shown as a banner until it is ready again (then briefly). */
function useEngineStatus(): EngineStatusEvent | null {
  const api = useApi();
  const [status, setStatus] = useState<EngineStatusEvent | null>(null);
  useEffect(
    () =>
      api.onEngineStatus((e) => {
        setStatus(e.state === 'starting' ? null : e);
        if (e.state === 'ready') setTimeout(() => setStatus((s) => (s === e ? null : s)), 5000);
      }),
    [api],
  );
  return status;
}

function cacheProject(r: OpenProjectResponse): void {
  try {
    sessionStorage.setItem(`duet-project:${r.project.id}`, JSON.stringify(r));
  } catch {
    // storage can be off: the screen then waits for the engine
  }
}
function cachedProject(projectId: string): OpenProjectResponse | undefined {
  try {
    const raw = sessionStorage.getItem(`duet-project:${projectId}`);
    return raw ? (JSON.parse(raw) as OpenProjectResponse) : undefined;
  } catch {
    return undefined;
  }
}

export function App() {
  const api = useApi();
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  const [lastProjectId, setLastProjectId] = useState<string | undefined>(route.projectId);
  const settings = useAsync(() => api.getSettings(), [api]);
  const engine = useEngineStatus();
  const theme = useResolvedTheme(settings.data?.theme ?? 'system');

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const navigate = useCallback((next: Route) => {
    if (next.projectId) setLastProjectId(next.projectId);
    const hash = formatRoute(next);
    if (window.location.hash !== hash) window.location.hash = hash;
    setRoute(next);
  }, []);

  // Screens that need a project fall back to the last one opened.
  const projectId = PROJECT_SCREENS.includes(route.screen) ? (route.projectId ?? lastProjectId) : lastProjectId;
  const opened = useAsync(async () => {
    if (!projectId) return null;
    const r = await api.openProject({ projectId });
    cacheProject(r);
    return r;
  }, [api, projectId]);
  // Until the newly asked-for project has loaded, show none rather than the previous one — but a busy
  // engine (training) can answer late: after a reload, show the project as last seen meanwhile.
  const cached = useMemo(() => (projectId ? cachedProject(projectId) : undefined), [projectId]);
  const openedData = opened.data?.project.id === projectId ? opened.data : cached;
  const project = openedData?.project;

  const ctx: ProjectContext | null =
    openedData && project
      ? {
          project,
          runs: openedData.runs,
          reload: opened.reload,
          setProject: (p) => {
            const next = { project: p, runs: openedData.runs };
            cacheProject(next);
            opened.setData(next);
          },
        }
      : null;

  const onSettings = (s: AppSettings) => settings.setData(s);

  const needsProject = PROJECT_SCREENS.includes(route.screen);
  let body: React.ReactNode;
  if (needsProject && !projectId) {
    body = <ProjectsScreen navigate={navigate} hint="Open or create a project first." />;
  } else if (needsProject && opened.error && !ctx) {
    body = (
      <div className="screen">
        <ErrorMessage error={opened.error} />
        <button type="button" className="btn" onClick={() => navigate({ screen: 'projects' })}>
          Back to projects
        </button>
      </div>
    );
  } else if (needsProject && !ctx) {
    body = <Loading label="Opening the project…" />;
  } else if (route.screen === 'data' && ctx) body = <DataScreen ctx={ctx} navigate={navigate} />;
  else if (route.screen === 'train' && ctx) body = <TrainScreen ctx={ctx} navigate={navigate} />;
  else if (route.screen === 'monitor' && ctx) body = <MonitorScreen ctx={ctx} theme={theme} navigate={navigate} />;
  else if (route.screen === 'translate') body = <TranslateScreen />;
  else if (route.screen === 'models') body = <ModelsScreen />;
  else if (route.screen === 'settings')
    body = <SettingsScreen settings={settings.data} error={settings.error} onSaved={onSettings} />;
  else body = <ProjectsScreen navigate={navigate} />;

  return (
    <div className="app">
      <nav className="sidebar" aria-label="Screens">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Duet</span>
        </div>
        {NAV.map((item) => {
          const disabled = PROJECT_SCREENS.includes(item.screen) && !projectId;
          return (
            <button
              key={item.screen}
              type="button"
              className="nav-item"
              aria-current={route.screen === item.screen ? 'page' : undefined}
              disabled={disabled}
              title={disabled ? 'Open a project first' : undefined}
              onClick={() =>
                navigate(
                  PROJECT_SCREENS.includes(item.screen) ? { screen: item.screen, projectId } : { screen: item.screen },
                )
              }
            >
              <span className="nav-icon" aria-hidden="true">
                {item.icon}
              </span>
              <span className="nav-label">{item.label}</span>
            </button>
          );
        })}
        {project && (
          <div className="sidebar-project">
            Project
            <strong title={project.name}>{project.name}</strong>
          </div>
        )}
        <div className="sidebar-footer">
          <span>Theme: {theme}</span>
        </div>
      </nav>
      <main className="content" id="content">
        {engine && (
          <div
            className={`alert${engine.state === 'ready' ? ' info' : ''}`}
            role="alert"
            style={{ margin: '16px 28px 0' }}
          >
            {engine.message ??
              (engine.state === 'ready' ? 'The engine is back.' : `The engine process ${engine.state}.`)}
          </div>
        )}
        {body}
      </main>
    </div>
  );
}
