/**
 * Electron main process entry. Glue only: the window, IPC, protocols, settings, dialogs. TensorFlow runs
 * in the engine process (utilityProcess), so a crash there can't take the window down.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, session, shell } from 'electron';
import { DROPPED_FOLDER_CHANNEL } from '#contract';
import { chooseFolder } from './electron/dialogs.js';
import { utilityEngineLauncher } from './electron/engine-launcher.js';
import { registerIpc } from './electron/ipc.js';
import { handleAppProtocol, handleMediaProtocol, MEDIA_SCHEME, registerSchemes } from './electron/protocols.js';
import { createQuitGuard } from './electron/quit.js';
import { ElectronSettingsStore } from './electron/settings-store.js';
import { createMainWindow, saveWindowState } from './electron/window.js';
import { EngineClient } from './engine/process/client.js';
import { resolveWorkspace } from './engine/workspace.js';
import { DuetHost } from './host.js';
import { contentSecurityPolicy } from './security/csp.js';
import { grantDroppedFolder } from './security/dropped-folder.js';
import { isAllowedExternalUrl } from './security/external-urls.js';
import { MediaRoots } from './security/media-path.js';
import { denyAllPermissions, type PermissionSession } from './security/permissions.js';
import { trustedOrigins } from './security/sender-frame.js';

const mainDir = import.meta.dirname;
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

registerSchemes();

// Tests and portable setups point Duet at their own profile folder (settings, workspace default).
if (process.env.DUET_USER_DATA) app.setPath('userData', process.env.DUET_USER_DATA);

// One Duet at a time: a second launch focuses the first window (two engines would fight over a run).
const primaryInstance = app.requestSingleInstanceLock();
if (!primaryInstance) app.quit();

let mainWindow: BrowserWindow | null = null;

async function start(): Promise<void> {
  const settings = new ElectronSettingsStore();
  const workspace = resolveWorkspace(
    settings.get().workspace ?? process.env.DUET_WORKSPACE ?? path.join(app.getPath('userData'), 'workspace'),
  );
  const mediaRoots = new MediaRoots(workspace);
  const engine = new EngineClient({
    launcher: utilityEngineLauncher(mainDir),
    workspace,
    backend: settings.get().backend,
    autoRestart: true,
  });
  engine.start().catch((err) => process.stderr.write(`duet: the engine did not start: ${(err as Error).message}\n`));

  const origins = trustedOrigins(devServerUrl);
  const csp = contentSecurityPolicy({ mediaScheme: MEDIA_SCHEME, dev: Boolean(devServerUrl) });
  handleAppProtocol(session.defaultSession, path.join(mainDir, '../renderer'), csp);
  handleMediaProtocol(session.defaultSession, mediaRoots);
  if (devServerUrl) {
    // The dev server's responses get the same CSP header the app protocol sends.
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
  // No page gets camera, microphone, notifications, …: Duet needs none (requests and checks both refused).
  denyAllPermissions(session.defaultSession as unknown as PermissionSession);

  const host = new DuetHost({
    engine,
    settings,
    mediaRoots,
    transport: 'electron',
    version: app.getVersion(),
    electronVersion: process.versions.electron,
    chooseFolder: (request) => chooseFolder(mainWindow, request),
    openExternal: async (url) => {
      if (isAllowedExternalUrl(url)) await shell.openExternal(url);
    },
    onEngineSettingsChanged: async ({ workspace: ws, backend }) => {
      await engine.shutdown('settings changed');
      const next = resolveWorkspace(ws ?? path.join(app.getPath('userData'), 'workspace'));
      engine.configure({ workspace: next, backend });
      mediaRoots.setWorkspace(next);
      await engine.start();
    },
  });
  ipcMain.on(DROPPED_FOLDER_CHANNEL, (event, folder) => {
    void grantDroppedFolder(event.senderFrame, folder, mediaRoots, origins).catch(() => false);
  });
  registerIpc({
    ipcMain,
    host,
    trustedOrigins: origins,
    eventTarget: () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null),
  });

  const quitGuard = createQuitGuard({
    engine,
    exit: (code) => app.exit(code),
    log: (line) => process.stderr.write(`duet: ${line}\n`),
  });
  app.on('before-quit', (event) => {
    if (mainWindow) saveWindowState(mainWindow, settings);
    quitGuard(event);
  });

  const open = () => {
    mainWindow = createMainWindow({
      preload: path.join(mainDir, '../preload/index.cjs'),
      settings,
      devServerUrl,
      trustedOrigins: origins,
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
}

if (primaryInstance) void app.whenReady().then(start);

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
