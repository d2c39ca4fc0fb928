import { quantityValue } from '../config/quantity.js';
import { isRecord } from './pod-template.js';

// What the API server does to a pod between the injector's patch and the gate: it fills in
// defaults (every container gets a terminationMessagePath, every probe its thresholds) and
// canonicalises quantities ("0.5" CPU is stored as "500m"). The integrity check compares the
// injector's rendering with the stored pod after putting both through this, so a default is
// never mistaken for tampering, and anything else is still a difference.

type Json = Record<string, unknown>;

const PROBE_DEFAULTS: Json = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

function quantities(list: unknown): unknown {
  return isRecord(list) ? Object.fromEntries(Object.entries(list).map(([k, v]) => [k, quantityValue(v)])) : list;
}

function handler(action: unknown): unknown {
  if (!isRecord(action) || !isRecord(action.httpGet)) return action;
  return { ...action, httpGet: { path: '/', scheme: 'HTTP', ...action.httpGet } };
}

/** The image pull policy the API server picks when none is set. */
function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string' || image.includes('@')) return 'IfNotPresent';
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/**
 * One field of a container as the API server stores it: its default filled in, quantities as
 * numbers. By field, so the comparison normalises only the fields that differ as written.
 */
export function normalizeContainerField(key: string, value: unknown, container: Json): unknown {
  switch (key) {
    case 'terminationMessagePath':
      return value ?? '/dev/termination-log';
    case 'terminationMessagePolicy':
      return value ?? 'File';
    case 'imagePullPolicy':
      return value ?? defaultPullPolicy(container.image);
    case 'livenessProbe':
    case 'readinessProbe':
    case 'startupProbe':
      return isRecord(value) ? handler({ ...PROBE_DEFAULTS, ...value }) : value;
    case 'ports':
      return Array.isArray(value) ? value.map((p: unknown) => (isRecord(p) ? { protocol: 'TCP', ...p } : p)) : value;
    case 'env':
      return Array.isArray(value) ? value.map(envDefaults) : value;
    case 'lifecycle':
      return isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, handler(v)])) : value;
    case 'resources':
      return isRecord(value) ? resourceDefaults(value) : value;
    default:
      return value;
  }
}

/** Every field a container has, or gets by default. */
export function containerFields(container: Json): string[] {
  return [...new Set([...Object.keys(container), 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy'])];
}

function envDefaults(e: unknown): unknown {
  if (!isRecord(e) || !isRecord(e.valueFrom) || !isRecord(e.valueFrom.fieldRef)) return e;
  return { ...e, valueFrom: { ...e.valueFrom, fieldRef: { apiVersion: 'v1', ...e.valueFrom.fieldRef } } };
}

function resourceDefaults(resources: Json): Json {
  const limits = quantities(resources.limits);
  // Requests default to the limits the container sets.
  const requests = isRecord(limits)
    ? { ...limits, ...(quantities(resources.requests) as Json | undefined) }
    : quantities(resources.requests);
  return { ...resources, ...(limits !== undefined ? { limits } : {}), ...(requests !== undefined ? { requests } : {}) };
}

/** A volume with the API server's defaults filled in and its quantities as numbers. */
export function normalizeVolume(volume: Json): Json {
  const out: Json = { ...volume };
  for (const source of ['projected', 'secret', 'configMap', 'downwardAPI']) {
    if (isRecord(out[source])) out[source] = { defaultMode: 0o644, ...out[source] };
  }
  if (isRecord(out.emptyDir) && out.emptyDir.sizeLimit !== undefined)
    out.emptyDir = { ...out.emptyDir, sizeLimit: quantityValue(out.emptyDir.sizeLimit) };
  return out;
}
