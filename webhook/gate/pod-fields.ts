import { isRecord, type PodView } from './pod-template.js';

// Typed reads of the container fields the rules look at. Objects arrive as plain JSON (and offline
// as hand-written YAML), so every read tolerates a missing or mistyped field.

export type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  readonly list: ContainerList;
  readonly index: number;
  readonly name: string;
  readonly image: string;
  /** `Always` makes an init container a native sidecar. */
  readonly restartPolicy?: string;
  readonly securityContext: Readonly<Record<string, unknown>>;
  /** `spec.initContainers[1]` (with the view's prefix). */
  readonly path: string;
  /** The whole entry, for the fields only one rule reads. */
  readonly entry: Readonly<Record<string, unknown>>;
}

const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

/** Every container of the pod: init (including native sidecars), app and ephemeral. Read once per view: every rule asks. */
export function listContainers(view: PodView): readonly ContainerRef[] {
  let listed = containersOf.get(view);
  if (!listed) containersOf.set(view, (listed = readContainers(view)));
  return listed;
}

const containersOf = new WeakMap<PodView, readonly ContainerRef[]>();

function readContainers(view: PodView): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of LISTS) {
    const entries = view.spec[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, index) => {
      if (!isRecord(entry)) return;
      out.push({
        list,
        index,
        name: typeof entry.name === 'string' ? entry.name : '',
        image: typeof entry.image === 'string' ? entry.image : '',
        ...(typeof entry.restartPolicy === 'string' ? { restartPolicy: entry.restartPolicy } : {}),
        securityContext: isRecord(entry.securityContext) ? entry.securityContext : {},
        path: `${view.prefix}spec.${list}[${index}]`,
        entry,
      });
    });
  }
  return out;
}

/** An integer field (asInteger). */
export function readInteger(record: Readonly<Record<string, unknown>>, key: string): number | undefined {
  return asInteger(record[key]);
}

/** An integer; numeric strings count too (hand-written YAML), anything else is undefined. */
export function asInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[0-9]+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** `true` or the string "true" (any case): a runtime that coerces must not be a way around. */
export function readTrue(record: Readonly<Record<string, unknown>>, key: string): boolean {
  const value = record[key];
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

export function podSecurityContext(view: PodView): Readonly<Record<string, unknown>> {
  return isRecord(view.spec.securityContext) ? view.spec.securityContext : {};
}

/** Added capabilities, normalised: upper case, without the CAP_ prefix runtimes also accept. */
export function addedCapabilities(container: ContainerRef): string[] {
  const capabilities = container.securityContext.capabilities;
  const add = isRecord(capabilities) && Array.isArray(capabilities.add) ? capabilities.add : [];
  return add.filter((c): c is string => typeof c === 'string').map((c) => c.trim().toUpperCase().replace(/^CAP_/, ''));
}

/** The records of a list field (anything else in the list is skipped), with their index. */
export function records(value: unknown): Array<[Readonly<Record<string, unknown>>, number]> {
  if (!Array.isArray(value)) return [];
  const out: Array<[Readonly<Record<string, unknown>>, number]> = [];
  value.forEach((item: unknown, i) => {
    if (isRecord(item)) out.push([item, i]);
  });
  return out;
}
