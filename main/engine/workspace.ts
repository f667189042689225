/**
 * Where Duet keeps its projects, runs, checkpoints and models. User folders are only ever read.
 */
import os from 'node:os';
import path from 'node:path';

/** Electron's userData for an app named "Duet", so the CLI and the desktop app share one workspace. */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Duet');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Duet');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Duet');
}

/** The workspace: an explicit choice wins, then DUET_WORKSPACE, then `<userData>/workspace`. */
export function resolveWorkspace(explicit?: string, env = process.env): string {
  const chosen = explicit ?? env.DUET_WORKSPACE;
  if (chosen) return path.resolve(chosen);
  return path.join(defaultUserDataDir(process.platform, env), 'workspace');
}
