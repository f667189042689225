/**
 * Settings in the desktop app: electron-store persists the document (in userData/settings.json, with
 * electron-store's JSON-schema check on every write); Duet's own numbered migrations (main/settings.ts,
 * one test each) upgrade it on open, the same ones `duet serve` applies to its JSON file. An unreadable
 * file is backed up and reset (settings-recovery.ts).
 */
import path from 'node:path';
import { app } from 'electron';
import Store from 'electron-store';
import type { SettingsPatch } from '#contract';
import {
  applySettingsPatch,
  migrateSettings,
  type SettingsStore,
  type StoredSettings,
  settingsJsonSchema,
  type WindowState,
  WindowStateSchema,
} from '../settings.js';
import { openSettingsRecovering } from './settings-recovery.js';

export class ElectronSettingsStore implements SettingsStore {
  private readonly store: Store<StoredSettings>;
  private current: StoredSettings;

  constructor() {
    // Migrate first with a schema-less view: an old document need not pass today's schema. A file that
    // is not JSON at all is backed up and replaced by defaults rather than keeping the window closed.
    const file = path.join(app.getPath('userData'), 'settings.json');
    const { store: raw } = openSettingsRecovering(file, () => new Store<Record<string, unknown>>({ name: 'settings' }));
    const { settings, migrated, dropped } = migrateSettings(raw.store);
    if (dropped.length) process.stderr.write(`duet: reset invalid settings to defaults: ${dropped.join(', ')}\n`);
    if (migrated) raw.store = settings;
    this.current = settings;
    // From here on electron-store checks every write against the schema; zod checks every patch.
    this.store = new Store<StoredSettings>({ name: 'settings', schema: settingsJsonSchema() as never });
  }

  get(): StoredSettings {
    return this.current;
  }
  set(patch: SettingsPatch): StoredSettings {
    this.current = applySettingsPatch(this.current, patch);
    this.store.store = this.current;
    return this.current;
  }
  setWindowState(state: WindowState): void {
    this.current = { ...this.current, windowState: WindowStateSchema.parse(state) };
    this.store.set('windowState', this.current.windowState as never);
  }
}
