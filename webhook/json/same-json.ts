/**
 * Whether two JSON values serialise to the same text, without serialising them: member order
 * counts, as in JSON.stringify. A false "different" (NaN, undefined members) only costs a cache
 * miss; "same" always means the same text.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for...in visits own members in Object.keys order (ES2020) without allocating a key array;
  // inherited ones are skipped, as JSON.stringify skips them.
  const keysB = Object.keys(b);
  let i = 0;
  for (const key in a) {
    if (!hasOwn.call(a, key)) continue;
    if (key !== keysB[i++] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return i === keysB.length;
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Whether two JSON values are equal as data: member order does not count (the API server writes
 * members in its own order). Faster than util.isDeepStrictEqual on parsed JSON, which also
 * compares prototypes and symbols that JSON never has.
 */
export function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!hasOwn.call(x, key) || x[key] === undefined) continue;
    count++;
    if (!hasOwn.call(y, key) || !equalJson(x[key], y[key])) return false;
  }
  for (const key in y) if (hasOwn.call(y, key) && y[key] !== undefined) count--;
  return count === 0;
}
