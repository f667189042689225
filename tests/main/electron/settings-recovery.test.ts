/**
 * Finding 6: a truncated desktop settings.json made electron-store throw at start, so no window opened.
 * electron-store is conf underneath; conf is used here directly (no Electron) to reproduce the throw.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterAll, describe, expect, it } from 'vitest';
import { openSettingsRecovering } from '../../../main/electron/settings-recovery.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('an unreadable desktop settings file', () => {
  it('is backed up, reported, and replaced by defaults instead of stopping the start', () => {
    const file = path.join(tmp, 'settings.json');
    writeFileSync(file, '{"schemaVersion": 2, "theme": "da');
    const open = () => new Conf<Record<string, unknown>>({ cwd: tmp, configName: 'settings', projectName: 'duet' });
    expect(open).toThrow(); // what the desktop app hit at start
    const log: string[] = [];
    const { store, backup } = openSettingsRecovering(
      file,
      open,
      (l) => log.push(l),
      () => new Date(0),
    );
    expect(store.store).toEqual({});
    expect(backup).toBe(`${file}.corrupt-1970-01-01T00-00-00-000Z`);
    expect(readFileSync(backup!, 'utf8')).toBe('{"schemaVersion": 2, "theme": "da');
    expect(log.join('\n')).toMatch(/could not be read .*moved to .*corrupt.*default settings/);
    store.set('theme', 'dark');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ theme: 'dark' });
  });

  it('leaves a readable file alone, and rethrows when there is no file to blame', () => {
    const dir = mkdtempSync(path.join(tmp, 'ok-'));
    writeFileSync(path.join(dir, 'settings.json'), '{"theme":"light"}');
    const { store, backup } = openSettingsRecovering(
      path.join(dir, 'settings.json'),
      () => new Conf<Record<string, unknown>>({ cwd: dir, configName: 'settings', projectName: 'duet' }),
    );
    expect(backup).toBeNull();
    expect(store.get('theme')).toBe('light');
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(() =>
      openSettingsRecovering(path.join(dir, 'missing.json'), () => {
        throw new Error('no disk');
      }),
    ).toThrow('no disk');
    expect(existsSync(path.join(dir, 'missing.json'))).toBe(false);
  });
});
