/**
 * Output names for translated images, and the folder structure they are written into. Pure.
 *
 * A naming pattern uses {name} (the input's base name without extension), {ext} (its extension without
 * the dot), {direction} (AtoB or BtoA), {model} (the model id) and {index} (1-based position in the job,
 * zero-padded to the job's size). The extension of the chosen output format is always appended.
 */
import type { Direction } from '#contract';

export type OutputFormat = 'png' | 'jpeg' | 'webp';

export const FORMAT_EXTENSIONS: Record<OutputFormat, string> = { png: '.png', jpeg: '.jpg', webp: '.webp' };

export const NAMING_PLACEHOLDERS = ['name', 'ext', 'direction', 'model', 'index'] as const;
export type NamingPlaceholder = (typeof NAMING_PLACEHOLDERS)[number];

export interface NamingContext {
  /** The input path relative to its root folder, with '/' separators ("city/tile_01.jpg"). */
  relative: string;
  direction: Direction;
  model: string;
  /** 0-based position in the job. */
  index: number;
  total: number;
}

const FORBIDDEN_CHARS = new Set(['/', '\\', ':', '*', '?', '"', '<', '>', '|']);

/** Characters no file name may hold on some system Duet runs on (and control characters). */
function isForbiddenChar(ch: string): boolean {
  return FORBIDDEN_CHARS.has(ch) || ch.charCodeAt(0) < 0x20;
}

/** Check a naming pattern up front, so a bad one fails before any image is translated. */
export function validateNamingPattern(pattern: string): void {
  if (!pattern.trim()) throw new Error('The naming pattern is empty');
  const braces = pattern.replace(/\{([a-z]+)\}/gi, (_whole, key: string) => {
    if (!(NAMING_PLACEHOLDERS as readonly string[]).includes(key)) {
      throw new Error(
        `Unknown placeholder {${key}} in the naming pattern; use ${NAMING_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
      );
    }
    return '';
  });
  if (/[{}]/.test(braces)) throw new Error(`Unbalanced brace in the naming pattern "${pattern}"`);
  if ([...braces].some(isForbiddenChar)) {
    throw new Error(
      `The naming pattern "${pattern}" contains a character not allowed in file names (/ \\ : * ? " < > |)`,
    );
  }
}

function splitName(relative: string): { dir: string; name: string; ext: string } {
  const slash = relative.lastIndexOf('/');
  const dir = slash >= 0 ? relative.slice(0, slash) : '';
  const base = relative.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? { dir, name: base.slice(0, dot), ext: base.slice(dot + 1) } : { dir, name: base, ext: '' };
}

/**
 * The output path, relative to the output folder, with '/' separators: the input's own sub-folders, then
 * the rendered pattern and the format's extension.
 */
export function outputRelativePath(pattern: string, format: OutputFormat, ctx: NamingContext): string {
  validateNamingPattern(pattern);
  const { dir, name, ext } = splitName(ctx.relative);
  const digits = String(Math.max(1, ctx.total)).length;
  const values: Record<NamingPlaceholder, string> = {
    name,
    ext,
    direction: ctx.direction,
    model: ctx.model,
    index: String(ctx.index + 1).padStart(digits, '0'),
  };
  const rendered = pattern.replace(/\{([a-z]+)\}/gi, (_w, key: NamingPlaceholder) => values[key]);
  // Values come from file names: anything a file name cannot hold becomes "_".
  const safe = [...rendered]
    .map((ch) => (isForbiddenChar(ch) ? '_' : ch))
    .join('')
    .trim();
  if (!safe || safe === '.' || safe === '..')
    throw new Error(`The naming pattern gives an empty name for ${ctx.relative}`);
  const file = `${safe}${FORMAT_EXTENSIONS[format]}`;
  return dir ? `${dir}/${file}` : file;
}

/** Seconds left, from the time spent and the share of the work done (null until there is something to go on). */
export function estimateEta(elapsedSeconds: number, fractionDone: number): number | null {
  if (!(fractionDone > 0) || !(elapsedSeconds > 0)) return null;
  if (fractionDone >= 1) return 0;
  return (elapsedSeconds * (1 - fractionDone)) / fractionDone;
}
