import { PkiInputError } from './errors.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90s", "45m", "24h", "7d", "1h30m" → whole seconds. Bare numbers are refused (ambiguous unit). */
export function parseDurationSeconds(text: string, field: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+)([smhd])/g)];
  if (trimmed === '' || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new PkiInputError(field, `"${text}" is not a duration; use a number with a unit s, m, h or d, e.g. "24h" or "90m"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2] as string] ?? 0), 0);
}
