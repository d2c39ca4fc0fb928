import type { PatchOperation } from '../admission/types.js';

/** RFC 6901: "~" → "~0", "/" → "~1" (label keys such as meshward.io/injected need it). */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Adds items to an array at `path`, creating it when missing; 'front' keeps their order. */
export function addToArray(path: string, currentLength: number, items: readonly unknown[], where: 'front' | 'back'): PatchOperation[] {
  if (items.length === 0) return [];
  if (currentLength === 0) return [{ op: 'add', path, value: [...items] }];
  if (where === 'back') return items.map((value) => ({ op: 'add', path: `${path}/-`, value }));
  return items.map((value, i) => ({ op: 'add', path: `${path}/${i}`, value }));
}

/** Sets keys of a string map at `path`, creating it when missing. `add` replaces existing keys. */
export function addToMap(
  path: string,
  current: Readonly<Record<string, string>> | undefined,
  entries: Readonly<Record<string, string>>,
): PatchOperation[] {
  if (Object.keys(entries).length === 0) return [];
  if (!current) return [{ op: 'add', path, value: { ...entries } }];
  return Object.entries(entries).map(([key, value]) => ({ op: 'add', path: `${path}/${escapePointer(key)}`, value }));
}
