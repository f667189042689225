/**
 * Native dialogs: choosing a domain folder, an export target or a model to import.
 */
import { type BrowserWindow, dialog } from 'electron';
import type { DuetParsedRequest } from '#contract';

export async function chooseFolder(
  win: BrowserWindow | null,
  request: DuetParsedRequest<'chooseFolder'>,
): Promise<string | null> {
  const purpose = request?.purpose ?? 'domain';
  const titles = {
    domain: 'Choose a folder of images',
    export: 'Choose where to export',
    import: 'Choose a Duet model file to import',
  };
  const options: Electron.OpenDialogOptions = {
    title: request?.title ?? titles[purpose],
    properties: purpose === 'export' ? ['openDirectory', 'createDirectory'] : ['openDirectory'],
  };
  if (purpose === 'import') {
    // A model to import is one file: Duet's single-file export.
    options.properties = ['openFile'];
    options.filters = [{ name: 'Duet model', extensions: ['duetmodel'] }];
  }
  const result = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
