/**
 * App settings on disk: one versioned document, validated by the contract's schema, upgraded by
 * numbered migrations (each tested). electron-store persists it in the desktop app
 * (main/electron/settings-store.ts); `duet serve` keeps it as a JSON file in the workspace.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  type AppSettings,
  AppSettingsSchema,
  DuetError,
  describeZodError,
  type SettingsPatch,
  SettingsPatchSchema,
} from '#contract';
import { writeFileAtomicSync } from './engine/atomic-files.js';

export const SETTINGS_VERSION = 2;

/** Window geometry, kept with the settings but not part of the API's AppSettings. */
export const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export const StoredSettingsSchema = AppSettingsSchema.extend({
  schemaVersion: z.literal(SETTINGS_VERSION),
  windowState: WindowStateSchema.optional(),
});
export type StoredSettings = z.infer<typeof StoredSettingsSchema>;

export const RECENT_PROJECTS_LIMIT = 10;

type Doc = Record<string, unknown>;

/** Migration N upgrades a version N-1 document (0 = no schemaVersion) to version N. */
export const MIGRATIONS: ReadonlyArray<{ to: number; why: string; migrate: (doc: Doc) => Doc }> = [
  {
    to: 1,
    why: 'Unversioned settings: stamp a version, spell backend names as the backend selector does, keep known keys.',
    migrate: (doc) => {
      const aliases: Record<string, string> = { gpu: 'tfjs-node-gpu', node: 'tfjs-node', tensorflow: 'tfjs-node' };
      const out: Doc = {};
      for (const key of ['workspace', 'backend', 'theme', 'recentProjects', 'windowState']) {
        if (key in doc) out[key] = doc[key];
      }
      if (typeof out.backend === 'string') out.backend = aliases[out.backend] ?? out.backend;
      return { ...out, schemaVersion: 1 };
    },
  },
  {
    to: 2,
    why: "Theme 'auto' is now 'system'; recent projects are de-duplicated and capped.",
    migrate: (doc) => {
      const recent = Array.isArray(doc.recentProjects) ? doc.recentProjects.filter((p) => typeof p === 'string') : [];
      return {
        ...doc,
        theme: doc.theme === 'auto' ? 'system' : doc.theme,
        recentProjects: [...new Set(recent)].slice(0, RECENT_PROJECTS_LIMIT),
        schemaVersion: 2,
      };
    },
  },
];

/**
 * Bring any stored document to the current version and validate it. Values that no longer validate fall
 * back to their defaults (reported in `dropped`) rather than locking the user out of the app.
 */
export function migrateSettings(raw: unknown): { settings: StoredSettings; migrated: boolean; dropped: string[] } {
  let doc: Doc = raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Doc) } : {};
  const from = typeof doc.schemaVersion === 'number' ? doc.schemaVersion : 0;
  if (from > SETTINGS_VERSION) {
    throw new Error(
      `The settings were written by a newer Duet (version ${from}; this one reads up to ${SETTINGS_VERSION}).`,
    );
  }
  for (const m of MIGRATIONS) if (m.to > from) doc = m.migrate(doc);
  const dropped: string[] = [];
  let parsed = StoredSettingsSchema.safeParse(doc);
  while (!parsed.success) {
    const keys = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
    if (keys.has('') || keys.has('schemaVersion')) throw new Error(describeZodError(parsed.error));
    for (const k of keys) {
      dropped.push(k);
      delete doc[k];
    }
    parsed = StoredSettingsSchema.safeParse(doc);
  }
  return { settings: parsed.data, migrated: from !== SETTINGS_VERSION || dropped.length > 0, dropped };
}

/** Apply an API patch: validated, recent projects kept unique and capped. */
export function applySettingsPatch(current: StoredSettings, patch: unknown): StoredSettings {
  const p = SettingsPatchSchema.safeParse(patch);
  if (!p.success) throw new DuetError('invalid-request', `Invalid settings: ${describeZodError(p.error)}`);
  const next = { ...current, ...p.data } as StoredSettings;
  if (p.data.recentProjects) next.recentProjects = [...new Set(p.data.recentProjects)].slice(0, RECENT_PROJECTS_LIMIT);
  return StoredSettingsSchema.parse(next);
}

/** The API's view: AppSettings without the window geometry or the version stamp. */
export function publicSettings(s: StoredSettings): AppSettings {
  const { schemaVersion: _v, windowState: _w, ...rest } = s;
  return AppSettingsSchema.parse(rest);
}

export interface SettingsStore {
  get(): StoredSettings;
  set(patch: SettingsPatch): StoredSettings;
  setWindowState(state: WindowState): void;
}

/** Remember a project as most recently opened. */
export function touchRecentProject(store: SettingsStore, projectId: string): void {
  const recent = store.get().recentProjects.filter((p) => p !== projectId);
  store.set({ recentProjects: [projectId, ...recent].slice(0, RECENT_PROJECTS_LIMIT) });
}

/** Settings as a JSON file (`duet serve`, tests); written atomically. */
export class JsonSettingsStore implements SettingsStore {
  private current: StoredSettings;

  constructor(private readonly file: string) {
    let raw: unknown = {};
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        process.stderr.write(`duet: settings file ${file} is unreadable (${(err as Error).message}); using defaults\n`);
      }
    }
    const { settings, migrated } = migrateSettings(raw);
    this.current = settings;
    if (migrated) this.save();
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.file, `${JSON.stringify(this.current, null, 2)}\n`);
  }

  get(): StoredSettings {
    return this.current;
  }
  set(patch: SettingsPatch): StoredSettings {
    this.current = applySettingsPatch(this.current, patch);
    this.save();
    return this.current;
  }
  setWindowState(state: WindowState): void {
    this.current = { ...this.current, windowState: WindowStateSchema.parse(state) };
    this.save();
  }
}

/**
 * The JSON schema electron-store (conf underneath) checks every write against: the same schema as the
 * zod one, so the two can't drift.
 */
export function settingsJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(StoredSettingsSchema, { io: 'input' }) as { properties: Record<string, unknown> };
  return json.properties;
}
