/**
 * The window: a sidebar of screens and the screen itself. The route lives in the URL hash, so a
 * reload comes back to the same screen and project (and Monitor reconnects to a live run).
 */
import { useCallback, useEffect, useState } from 'react';
import type { AppSettings, Project, RunSummary } from '../../main/contract/index';
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

export function App() {
  const api = useApi();
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  const [lastProjectId, setLastProjectId] = useState<string | undefined>(route.projectId);
  const settings = useAsync(() => api.getSettings(), [api]);
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
  const opened = useAsync(async () => (projectId ? api.openProject({ projectId }) : null), [api, projectId]);
  // Until the newly asked-for project has loaded, show none rather than the previous one.
  const project = opened.data?.project.id === projectId ? opened.data?.project : undefined;

  const ctx: ProjectContext | null =
    opened.data && project
      ? {
          project,
          runs: opened.data.runs,
          reload: opened.reload,
          setProject: (p) => opened.setData({ project: p, runs: opened.data?.runs ?? [] }),
        }
      : null;

  const onSettings = (s: AppSettings) => settings.setData(s);

  const needsProject = PROJECT_SCREENS.includes(route.screen);
  let body: React.ReactNode;
  if (needsProject && !projectId) {
    body = <ProjectsScreen navigate={navigate} hint="Open or create a project first." />;
  } else if (needsProject && opened.error) {
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
        {body}
      </main>
    </div>
  );
}
