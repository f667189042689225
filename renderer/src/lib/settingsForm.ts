/**
 * The training form's validation, read from the one settings schema (limits, options) so the window
 * and the engine can never disagree about what is allowed. The form's values come from the engine
 * (defaultSettings, listPresets): the schema's own defaults are CycleGAN's, not every model type's.
 */
import type { z } from 'zod';
import { type TrainingSettings, TrainingSettingsSchema } from '#contract';

export type SettingKey = keyof TrainingSettings;

const shape = TrainingSettingsSchema.shape;

// biome-ignore lint/suspicious/noExplicitAny: walking zod's wrapper types generically
function unwrap(schema: z.ZodType): any {
  // biome-ignore lint/suspicious/noExplicitAny: zod 4 keeps the wrapped type under def.innerType
  let s: any = schema;
  while (s?.def?.innerType) s = s.def.innerType;
  return s;
}

export interface NumberLimits {
  min?: number;
  max?: number;
  integer: boolean;
  /** True when the schema only accepts values above min (z.positive()). */
  exclusiveMin: boolean;
}

export function numberLimits(key: SettingKey): NumberLimits {
  const s = unwrap(shape[key] as z.ZodType);
  const checks: { _zod?: { def?: { check?: string; value?: number; inclusive?: boolean; format?: string } } }[] =
    s?.def?.checks ?? [];
  const limits: NumberLimits = { integer: false, exclusiveMin: false };
  for (const c of checks) {
    const d = c._zod?.def;
    if (!d) continue;
    if (d.check === 'greater_than' && typeof d.value === 'number') {
      limits.min = Math.max(limits.min ?? -Infinity, d.value);
      if (!d.inclusive) limits.exclusiveMin = true;
    } else if (d.check === 'less_than' && typeof d.value === 'number') {
      limits.max = Math.min(limits.max ?? Infinity, d.value);
    } else if (d.check === 'number_format' && (d.format === 'safeint' || d.format === 'int32')) {
      limits.integer = true;
    }
  }
  if (s?.isInt) limits.integer = true;
  return limits;
}

export function enumOptions(key: SettingKey): string[] {
  const s = unwrap(shape[key] as z.ZodType);
  return Array.isArray(s?.options) ? (s.options as string[]) : [];
}

/**
 * Parses what the user typed into a number field and says in plain words what is wrong with it.
 * Returns the value or the message; an empty optional field is `undefined`.
 */
export function validateNumber(
  key: SettingKey,
  raw: string,
): { ok: true; value: number | undefined } | { ok: false; message: string } {
  const text = raw.trim();
  // Only a truly optional field may be left empty; a defaulted one would silently snap back.
  // biome-ignore lint/suspicious/noExplicitAny: zod 4 exposes the wrapper kind under def.type
  const optional = (shape[key] as any).def?.type === 'optional';
  if (text === '') return optional ? { ok: true, value: undefined } : { ok: false, message: 'Required.' };
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, message: 'Enter a number.' };
  const l = numberLimits(key);
  if (l.integer && !Number.isInteger(value)) return { ok: false, message: 'Enter a whole number.' };
  if (l.min !== undefined && (l.exclusiveMin ? value <= l.min : value < l.min)) {
    return { ok: false, message: l.exclusiveMin ? `Must be greater than ${l.min}.` : `Must be at least ${l.min}.` };
  }
  if (l.max !== undefined && value > l.max) return { ok: false, message: `Must be at most ${l.max}.` };
  const parsed = (shape[key] as z.ZodType).safeParse(value);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'Not allowed.' };
  return { ok: true, value };
}

/** Checks between fields that one field alone cannot express. */
export function crossFieldErrors(s: Partial<TrainingSettings>): Partial<Record<SettingKey, string>> {
  const errors: Partial<Record<SettingKey, string>> = {};
  if (s.size !== undefined && s.loadSize !== undefined && s.loadSize < s.size) {
    errors.loadSize = `Load size must be at least the crop size (${s.size}).`;
  }
  if (s.size !== undefined && s.generator?.startsWith('resnet') && s.size % 4 !== 0) {
    errors.size = 'The ResNet generator needs a size that is a multiple of 4.';
  }
  const unet = s.generator?.match(/^unet_(\d+)$/);
  if (s.size !== undefined && unet && s.size % Number(unet[1]) !== 0) {
    errors.size = `U-Net ${unet[1]} needs a size that is a multiple of ${unet[1]}.`;
  }
  return errors;
}
