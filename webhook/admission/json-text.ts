// Values that are the same object admission after admission (the injected containers of identical
// replicas) are serialised once: `frozenJson` deep-freezes a value and remembers its JSON text, and
// `jsonText` returns that text instead of running JSON.stringify again. Freezing is what makes the
// remembered text safe: nobody can change the value behind it.

const TEXT = new WeakMap<object, string>();

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/** Deep-freezes `value` and remembers its JSON text for jsonText(). Returns `value`. */
export function frozenJson<T extends object>(value: T): T {
  deepFreeze(value);
  TEXT.set(value, JSON.stringify(value));
  return value;
}

/** Exactly JSON.stringify(value), from memory for frozenJson values and arrays of them. */
export function jsonText(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const known = TEXT.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value) && value.length > 0) {
      const parts: string[] = [];
      for (const item of value) {
        const text = typeof item === 'object' && item !== null ? TEXT.get(item) : undefined;
        if (text === undefined) return JSON.stringify(value);
        parts.push(text);
      }
      return `[${parts.join(',')}]`;
    }
  }
  return JSON.stringify(value);
}
