// The bootstrap's fingerprint for the pod's meshward.io/status annotation: sha256 over a
// canonical JSON form (object keys sorted), so it names the content, not the key order.

import { createHash } from 'node:crypto';

export function bootstrapHash(bootstrap: unknown): string {
  return createHash('sha256').update(canonicalJson(bootstrap)).digest('hex');
}

/** JSON with object keys sorted (UTF-16 order), undefined members dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  let out = '{';
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}
