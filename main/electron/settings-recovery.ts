/**
 * A settings file that cannot be read (truncated by a crash or a full disk, edited by hand) must not keep
 * the window from opening: it is moved aside as `settings.json.corrupt-<time>`, the user is told where,
 * and the settings start from their defaults. (`duet serve`'s JSON store already falls back the same way.)
 */
import { existsSync, renameSync } from 'node:fs';

export interface SettingsRecovery<T> {
  store: T;
  /** Where the unreadable file was moved, when it was. */
  backup: string | null;
}

/** Opens the store; on failure backs the file up, says so through `log`, and opens a fresh one. */
export function openSettingsRecovering<T>(
  file: string,
  open: () => T,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  now: () => Date = () => new Date(),
): SettingsRecovery<T> {
  try {
    return { store: open(), backup: null };
  } catch (err) {
    if (!existsSync(file)) throw err;
    const backup = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, backup);
    log(
      `duet: the settings file ${file} could not be read (${(err as Error).message.split('\n')[0]}); ` +
        `it was moved to ${backup} and Duet starts with default settings.`,
    );
    return { store: open(), backup };
  }
}
