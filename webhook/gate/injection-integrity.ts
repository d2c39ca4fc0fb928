import type { V1Pod } from '@kubernetes/client-node';
import fastJsonPatch from 'fast-json-patch';
import { equalJson } from '../json/same-json.js';
import { ANNOTATION_STATUS, LABEL_INJECTED } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { injectPod } from '../inject/inject-pod.js';
import type { ProbeRoute } from '../inject/probes.js';
import type { InjectionTemplates } from '../inject/templates.js';
import { uninjectPod } from '../inject/uninject.js';
import { BootstrapInputError } from '../proxy/index.js';
import { containerFields, normalizeContainerField, normalizeVolume } from './api-defaults.js';
import { isRecord } from './pod-template.js';
import { finding, type Finding } from './rules.js';

// MW-SIDECAR-004: a Pod that arrives injected must be exactly what meshward's injector renders
// for it, not a look-alike. The gate takes meshward's parts out of the pod (inject/uninject.ts),
// injects what is left as the injector would, and compares the result with the pod: every
// container and volume whole, their order, and the status annotation. A field the injector
// renders tomorrow is compared by construction. The proxy's configuration is not in the pod: it
// comes from the xDS server, for this pod's identity and from the probe routes of the status
// annotation, which the comparison covers (and which must be routes the proxy can render).
// Tolerated, because other admission plugins do it and none of it lets plaintext in: resources
// the rendering leaves unset (LimitRanger fills them in), imagePullPolicy Always
// (AlwaysPullImages), and the status annotation's trust-root fingerprint (informational; it
// changes with root rotation between the injector's call and the gate's: the re-render is given
// the pod's own).

export interface IntegrityDeps {
  readonly config: MeshwardConfig;
  readonly templates: InjectionTemplates;
  readonly configHash: string;
}

type Json = Record<string, unknown>;
const STATUS_FIELD = `metadata.annotations["${ANNOTATION_STATUS}"]`;
const WHY = "is not what meshward's injector renders for this pod, so its capture rules or proxy cannot be trusted";

function readStatus(pod: V1Pod): { trustRoot?: unknown; probes: ProbeRoute[] } | undefined {
  try {
    const status: unknown = JSON.parse(pod.metadata?.annotations?.[ANNOTATION_STATUS] ?? '');
    if (!isRecord(status)) return undefined;
    const probes = status.probes ?? [];
    return Array.isArray(probes) && probes.every(isRecord)
      ? { trustRoot: status.trustRoot, probes: probes as unknown as ProbeRoute[] }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Every member of `expected` is in `actual` with the same value; `actual` may have more. */
function within(actual: unknown, expected: unknown): boolean {
  return isRecord(actual) && isRecord(expected) && Object.entries(expected).every(([key, value]) => equalJson(actual[key], value));
}

/** One container field as compared: with the tolerances above. */
function sameField(key: string, actual: unknown, expected: unknown): boolean {
  if (key === 'imagePullPolicy' && actual === 'Always') return true;
  if (key === 'resources' && isRecord(actual) && isRecord(expected))
    return Object.entries(expected).every(([kind, values]) => within(actual[kind], values));
  return equalJson(actual, expected);
}

// The injector's volumes are frozen and shared by every replica: normalised once.
const normalized = new WeakMap<object, Json>();
function normalizedVolume(volume: Json): Json {
  if (!Object.isFrozen(volume)) return normalizeVolume(volume);
  let out = normalized.get(volume);
  if (!out) normalized.set(volume, (out = normalizeVolume(volume)));
  return out;
}

/**
 * The fields of each container that differ. Field by field: an equal field (the common case:
 * app containers, meshward's env) costs one comparison; only a field that differs as written
 * is compared again with the API server's defaults filled in.
 */
function containerDifferences(list: string, actual: unknown[], expected: unknown[]): string[] {
  const names = (items: unknown[]): unknown[] => items.map((c) => (isRecord(c) ? c.name : undefined));
  if (!equalJson(names(actual), names(expected))) return [`spec.${list}`];
  const out: string[] = [];
  expected.forEach((e, i) => {
    const a = actual[i] as Json;
    const x = e as Json;
    if (a === x) return;
    for (const key of new Set([...containerFields(a), ...containerFields(x)])) {
      if (a[key] === x[key] || equalJson(a[key], x[key])) continue;
      if (!sameField(key, normalizeContainerField(key, a[key], a), normalizeContainerField(key, x[key], x)))
        out.push(`spec.${list}[${i}].${key}`);
    }
  });
  return out;
}

function volumeDifferences(actual: unknown[], expected: unknown[]): string[] {
  const byName = new Map(expected.filter(isRecord).map((v) => [v.name, v]));
  const same = (a: Json, x: Json | undefined): boolean =>
    x !== undefined && (a === x || equalJson(normalizeVolume(a), normalizedVolume(x)));
  const out = actual.flatMap((v, i) => (isRecord(v) && same(v, byName.get(v.name)) ? [] : [`spec.volumes[${i}]`]));
  return actual.length === expected.length || out.length > 0 ? out : ['spec.volumes'];
}

/** The status annotation as written (the expected one carries the pod's own trust root) and the injected label. */
function metadataDifferences(actual: V1Pod, expected: V1Pod): string[] {
  const out =
    actual.metadata?.annotations?.[ANNOTATION_STATUS] === expected.metadata?.annotations?.[ANNOTATION_STATUS] ? [] : [STATUS_FIELD];
  if (actual.metadata?.labels?.[LABEL_INJECTED] !== expected.metadata?.labels?.[LABEL_INJECTED])
    out.push(`metadata.labels["${LABEL_INJECTED}"]`);
  return out;
}

/** MW-SIDECAR-004 findings for a Pod that already has meshward's containers (MW-SIDECAR-001/002 passed). */
export function injectionIntegrityFindings(pod: V1Pod, deps: IntegrityDeps): Finding[] {
  const status = readStatus(pod);
  if (!status) return [finding('MW-SIDECAR-004', STATUS_FIELD, 'is missing or not the JSON meshward writes')];
  const { pod: original, unusedRoutes } = uninjectPod(pod, status.probes);
  if (unusedRoutes.length > 0) {
    return [
      finding(
        'MW-SIDECAR-004',
        STATUS_FIELD,
        `records probe routes no rewritten probe of this pod uses (${unusedRoutes.map((r) => JSON.stringify(r.path)).join(', ')}), so meshward did not write them`,
      ),
    ];
  }
  let result: ReturnType<typeof injectPod>;
  try {
    const trustRootFingerprint = typeof status.trustRoot === 'string' ? status.trustRoot : undefined;
    result = injectPod(original, {
      config: deps.config,
      templates: deps.templates,
      configHash: deps.configHash,
      trustRootFingerprint,
    });
  } catch (err) {
    // The routes come from the pod: whatever makes them unrenderable, meshward did not write them.
    const why = err instanceof BootstrapInputError ? err.message : 'malformed probe routes';
    return [finding('MW-SIDECAR-004', STATUS_FIELD, `records probes meshward cannot have rendered: ${why}`)];
  }
  if (!result.ok)
    return result.problems.map(
      (p) => p.finding ?? finding('MW-SIDECAR-004', p.field, `is invalid, so this pod cannot carry meshward's injection: ${p.message}`),
    );
  // uninjectPod copied everything a patch can change: applied in place, it touches nothing of `pod`.
  const expected = fastJsonPatch.applyPatch(original, result.patch as fastJsonPatch.Operation[], false, true).newDocument;
  const list = (p: V1Pod, key: 'initContainers' | 'containers' | 'volumes'): unknown[] => p.spec?.[key] ?? [];
  const fields = [
    ...containerDifferences('initContainers', list(pod, 'initContainers'), list(expected, 'initContainers')),
    ...containerDifferences('containers', list(pod, 'containers'), list(expected, 'containers')),
    ...volumeDifferences(list(pod, 'volumes'), list(expected, 'volumes')),
    ...metadataDifferences(pod, expected),
  ];
  return fields.map((field) => finding('MW-SIDECAR-004', field, WHY));
}
