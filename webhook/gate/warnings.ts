import { clampWarning } from '../admission/envelope.js';

// Warnings reach kubectl as HTTP Warning headers: one line each, ≤120 characters, few of them.

export const MAX_LISTED = 5;

/** `a, b, c, d, e and 3 more`: a list that stays short however large the namespace. */
export function capList(items: readonly string[], max: number = MAX_LISTED): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** One warning per item for the first `max` items, then one `…and N more` line. */
export function cappedWarnings(lines: readonly string[], max: number = MAX_LISTED): string[] {
  const shown = lines.slice(0, max).map(clampWarning);
  if (lines.length > max) shown.push(`…and ${lines.length - max} more`);
  return shown;
}

export { clampWarning };
