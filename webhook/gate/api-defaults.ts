import { quantityValue } from '../config/quantity.js';
import { isRecord } from './pod-template.js';

// What the API server does to a pod between the injector's patch and the gate: it fills in
// defaults (every container gets a terminationMessagePath, every probe its thresholds) and
// canonicalises quantities ("0.5" CPU is stored as "500m"). The integrity check compares the
// injector's rendering with the stored pod after putting both through this, so a default is
// never mistaken for tampering, and anything else is still a difference.

type Json = Record<string, unknown>;

const PROBE_DEFAULTS: Json = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

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

/** A container with the API server's defaults filled in and its quantities as numbers. */
export function normalizeContainer(container: Json): Json {
  const out: Json = {
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: defaultPullPolicy(container.image),
    ...container,
  };
  for (const probe of PROBES) if (isRecord(out[probe])) out[probe] = handler({ ...PROBE_DEFAULTS, ...out[probe] });
  if (Array.isArray(out.ports)) out.ports = out.ports.map((p: unknown) => (isRecord(p) ? { protocol: 'TCP', ...p } : p));
  if (Array.isArray(out.env)) {
    out.env = out.env.map((e: unknown) =>
      isRecord(e) && isRecord(e.valueFrom) && isRecord(e.valueFrom.fieldRef)
        ? { ...e, valueFrom: { ...e.valueFrom, fieldRef: { apiVersion: 'v1', ...e.valueFrom.fieldRef } } }
        : e,
    );
  }
  if (isRecord(out.lifecycle)) out.lifecycle = Object.fromEntries(Object.entries(out.lifecycle).map(([k, v]) => [k, handler(v)]));
  if (isRecord(out.resources)) {
    const limits = quantities(out.resources.limits);
    // Requests default to the limits the container sets.
    const requests = isRecord(limits)
      ? { ...limits, ...(quantities(out.resources.requests) as Json | undefined) }
      : quantities(out.resources.requests);
    out.resources = { ...out.resources, ...(limits !== undefined ? { limits } : {}), ...(requests !== undefined ? { requests } : {}) };
  }
  return out;
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
