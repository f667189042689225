/**
 * Checklist: names that come from outside (an imported model's card, a rename) are shown as written,
 * never as something else — no control characters, no bidirectional overrides that reorder what follows
 * (`exe.gpj` shown as `jpg.exe`), at most 120 characters like every name Duet takes.
 */

export const NAME_MAX = 120;

// C0/C1 controls (newlines, escapes), and the bidi embedding/override/isolate marks.
const UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Whether a string holds a control character or a bidi mark (file names from a page, for instance). */
export function hasUnsafeCharacters(text: string): boolean {
  return new RegExp(UNSAFE.source, 'u').test(text);
}

/** A name with unsafe characters removed, whitespace runs collapsed, cut to NAME_MAX characters. */
export function cleanDisplayName(name: string, fallback = 'Imported model'): string {
  const cleaned = name.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const cut = [...cleaned].slice(0, NAME_MAX).join('').trim();
  return cut || fallback;
}

/** Whether a name needs no cleaning. */
export function isCleanDisplayName(name: string): boolean {
  return cleanDisplayName(name, '') === name;
}
