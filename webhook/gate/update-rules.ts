import type { Finding } from './rules.js';

// UPDATE is judged on the new object, except that an UPDATE cannot be blamed for what it did not
// change: finalizer removal, owner references or status patches on an object that already
// violated (say, created before its namespace turned STRICT) must not be blocked, or the object
// could never be deleted. Those pre-existing findings become warnings.

export function findingKey(f: Finding): string {
  return `${f.rule} ${f.field}`;
}

/** Splits findings into those the UPDATE introduced and those the old object already had. */
export function splitByPrevious(
  current: readonly Finding[],
  previous: readonly Finding[],
): { introduced: Finding[]; preexisting: Finding[] } {
  const before = new Set(previous.map(findingKey));
  return { introduced: current.filter((f) => !before.has(findingKey(f))), preexisting: current.filter((f) => before.has(findingKey(f))) };
}
