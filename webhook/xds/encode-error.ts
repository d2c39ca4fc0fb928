// XdsEncodeError and the JSON paths it names. A resource that does not fit Envoy's schema is a bug
// in a renderer, found long before a proxy would NACK it; the message has to lead straight to the
// field: where it is (filter_chains[0].filters[1].typed_config.stat_prfix), which message it is in,
// and what that field would have accepted.

export class XdsEncodeError extends Error {
  override readonly name = 'XdsEncodeError';

  constructor(
    /** JSON path of the offending value ("" is the resource itself). */
    readonly path: string,
    /** What is wrong, naming the message type and the accepted form. */
    readonly detail: string,
  ) {
    super(`${path === '' ? '(resource)' : path}: ${detail}`);
  }
}

/** path + .key (or key at the top). */
export function fieldPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** path + [i] for a list item, path + ["key"] for a map entry. */
export function itemPath(path: string, index: number | string): string {
  return typeof index === 'number' ? `${path}[${index}]` : `${path}[${JSON.stringify(index)}]`;
}

/** A JSON value as an error message shows it: its kind and, when short, the value itself. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** The closest candidate within two edits, for "did you mean" (typos, not guesses). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
