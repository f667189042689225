import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applySettingsPatch,
  JsonSettingsStore,
  MIGRATIONS,
  migrateSettings,
  publicSettings,
  SETTINGS_VERSION,
  touchRecentProject,
} from '../../main/settings.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'duet-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('settings migrations', () => {
  it('has one migration per version, in order', () => {
    expect(MIGRATIONS.map((m) => m.to)).toEqual(Array.from({ length: SETTINGS_VERSION }, (_, i) => i + 1));
  });

  it('migration 1: stamps a version, renames backend aliases, drops unknown keys', () => {
    const m1 = MIGRATIONS[0];
    expect(m1?.migrate({ backend: 'gpu', theme: 'dark', junk: 1 })).toEqual({
      backend: 'tfjs-node-gpu',
      theme: 'dark',
      schemaVersion: 1,
    });
    expect(m1?.migrate({ backend: 'cpu' })).toEqual({ backend: 'cpu', schemaVersion: 1 });
  });

  it("migration 2: theme 'auto' becomes 'system', recent projects de-duplicated and capped at 10", () => {
    const m2 = MIGRATIONS[1];
    const recent = ['a', 'b', 'a', ...Array.from({ length: 12 }, (_, i) => `p${i}`)];
    const out = m2?.migrate({ schemaVersion: 1, theme: 'auto', recentProjects: recent });
    expect(out?.theme).toBe('system');
    expect(out?.recentProjects).toEqual(['a', 'b', ...Array.from({ length: 8 }, (_, i) => `p${i}`)]);
    expect(out?.schemaVersion).toBe(2);
    expect(m2?.migrate({ schemaVersion: 1, theme: 'dark' }).theme).toBe('dark');
  });

  it('brings an unversioned document to the current version and fills defaults', () => {
    const { settings, migrated } = migrateSettings({ backend: 'node', theme: 'auto' });
    expect(migrated).toBe(true);
    expect(settings).toEqual({
      schemaVersion: SETTINGS_VERSION,
      backend: 'tfjs-node',
      theme: 'system',
      recentProjects: [],
    });
  });

  it('resets a value that no longer validates to its default and says which', () => {
    const { settings, dropped } = migrateSettings({ schemaVersion: 2, theme: 'purple', backend: 'cpu' });
    expect(settings.theme).toBe('system');
    expect(settings.backend).toBe('cpu');
    expect(dropped).toEqual(['theme']);
  });

  it('refuses a document from a newer Duet instead of overwriting it', () => {
    expect(() => migrateSettings({ schemaVersion: 99 })).toThrow(/newer Duet/);
  });

  it('leaves a current document alone', () => {
    const doc = { schemaVersion: SETTINGS_VERSION, backend: 'wasm', theme: 'light', recentProjects: ['x'] };
    expect(migrateSettings(doc)).toEqual({ settings: doc, migrated: false, dropped: [] });
  });
});

describe('settings patches and the JSON store', () => {
  it('applies a patch without resetting other fields, and rejects bad values', () => {
    const base = migrateSettings({ schemaVersion: 2, backend: 'wasm', theme: 'light', recentProjects: ['x'] }).settings;
    const next = applySettingsPatch(base, { theme: 'dark' });
    expect(next).toEqual({ ...base, theme: 'dark' });
    expect(() => applySettingsPatch(base, { backend: 'tpu' })).toThrow(/Invalid settings: backend/);
    expect(() => applySettingsPatch(base, { schemaVersion: 3 })).toThrow(/Invalid settings/);
    expect(publicSettings({ ...next, windowState: { width: 800, height: 600, maximized: false } })).toEqual({
      backend: 'wasm',
      theme: 'dark',
      recentProjects: ['x'],
    });
  });

  it('migrates the file it opens, persists changes, keeps recent projects most recent first', () => {
    const file = path.join(tmp, 'settings.json');
    writeFileSync(file, JSON.stringify({ backend: 'gpu' }));
    const store = new JsonSettingsStore(file);
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe(SETTINGS_VERSION);
    touchRecentProject(store, 'a');
    touchRecentProject(store, 'b');
    touchRecentProject(store, 'a');
    store.setWindowState({ width: 900, height: 700, maximized: true });
    const again = new JsonSettingsStore(file);
    expect(again.get().recentProjects).toEqual(['a', 'b']);
    expect(again.get().backend).toBe('tfjs-node-gpu');
    expect(again.get().windowState).toEqual({ width: 900, height: 700, maximized: true });
  });
});

describe('electron-store schema', () => {
  it('accepts what migrations produce and refuses what zod refuses (checked through conf, under electron-store)', async () => {
    const { default: Conf } = await import('conf');
    const { settingsJsonSchema } = await import('../../main/settings.js');
    const conf = new Conf<Record<string, unknown>>({
      cwd: path.join(tmp, 'conf'),
      configName: 'settings',
      projectName: 'duet-test',
      schema: settingsJsonSchema() as never,
    });
    conf.store = migrateSettings({ backend: 'gpu' }).settings;
    expect(conf.get('backend')).toBe('tfjs-node-gpu');
    expect(() => conf.set('theme', 'purple')).toThrow(/theme/);
    expect(() => conf.set('windowState', { width: 10, height: 10 })).toThrow(/windowState/);
  });
});
