/**
 * The main window: secure web preferences, the CSP'd app protocol, navigation locked, geometry remembered.
 */
import { BrowserWindow, screen, shell } from 'electron';
import { blockNavigation } from '../security/navigation.js';
import { secureWebPreferences } from '../security/web-preferences.js';
import type { SettingsStore, WindowState } from '../settings.js';
import { APP_ORIGIN } from './protocols.js';

export interface MainWindowOptions {
  preload: string;
  settings: SettingsStore;
  /** The dev server while developing; the app protocol otherwise. */
  devServerUrl?: string;
  trustedOrigins: readonly string[];
}

/** A remembered position is used only while it is still on a connected display. */
function visibleState(saved: WindowState | undefined): Partial<WindowState> {
  if (!saved) return {};
  if (saved.x === undefined || saved.y === undefined) return { width: saved.width, height: saved.height };
  const onScreen = screen.getAllDisplays().some((d) => {
    const b = d.workArea;
    return (
      saved.x !== undefined &&
      saved.y !== undefined &&
      saved.x >= b.x - 50 &&
      saved.y >= b.y - 50 &&
      saved.x < b.x + b.width &&
      saved.y < b.y + b.height
    );
  });
  return onScreen ? saved : { width: saved.width, height: saved.height };
}

/** Remember where the window was; called on close and before quitting (quit skips the close events). */
export function saveWindowState(win: BrowserWindow, settings: SettingsStore): void {
  if (win.isDestroyed()) return;
  const b = win.getNormalBounds();
  settings.setWindowState({ x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() });
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const saved = visibleState(o.settings.get().windowState);
  const webPreferences = secureWebPreferences(o.preload);
  // Kept where the e2e spec can read it back (Electron has no getter for a window's web preferences).
  (globalThis as { duetWebPreferences?: unknown }).duetWebPreferences = webPreferences;
  const win = new BrowserWindow({
    width: saved.width ?? 1280,
    height: saved.height ?? 860,
    x: saved.x,
    y: saved.y,
    minWidth: 900,
    minHeight: 600,
    title: 'Duet',
    show: false,
    webPreferences,
  });
  if (o.settings.get().windowState?.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  blockNavigation(win.webContents, o.trustedOrigins, (url) => void shell.openExternal(url));

  win.on('close', () => saveWindowState(win, o.settings));

  void win.loadURL(o.devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return win;
}
