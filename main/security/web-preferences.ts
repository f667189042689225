/**
 * Checklist: contextIsolation on, sandbox on, nodeIntegration off, webSecurity never off (DESIGN.md §6).
 *
 * The one set of web preferences every Duet window gets; the e2e spec reads them back from the window.
 */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}
