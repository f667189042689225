/** Hash routes, so a reload lands on the same screen and project: `#/monitor/<projectId>`. */
export const SCREENS = ['projects', 'data', 'train', 'monitor', 'translate', 'models', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];
/** Screens that work on one open project. */
export const PROJECT_SCREENS: readonly Screen[] = ['data', 'train', 'monitor'];

export interface Route {
  screen: Screen;
  projectId?: string;
}

export function parseRoute(hash: string): Route {
  const [screen, projectId] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const s = (SCREENS as readonly string[]).includes(screen ?? '') ? (screen as Screen) : 'projects';
  return projectId ? { screen: s, projectId } : { screen: s };
}

export function formatRoute(route: Route): string {
  return `#/${route.screen}${route.projectId ? `/${encodeURIComponent(route.projectId)}` : ''}`;
}
