// The bootstrap's fingerprint for the pod's meshward.io/status annotation: sha256 over a
// canonical JSON form (object keys sorted), so it names the content, not the key order.

import { createHash } from 'node:crypto';

export function bootstrapHash(bootstrap: unknown): string {
  return createHash('sha256').update(canonicalJson(bootstrap)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
