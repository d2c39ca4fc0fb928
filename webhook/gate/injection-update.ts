import type { KubeObject } from '../admission/types.js';
import { ANNOTATION_PREFIX, LABEL_INJECTED, MESHWARD_CONTAINER_NAMES } from '../config/names.js';
import { isRecord } from './pod-template.js';
import { finding, type Finding } from './rules.js';
import { equalJson } from '../json/same-json.js';

// MW-SIDECAR-005: what meshward injected never changes after creation. A Pod's container images
// are mutable, so without this an UPDATE could swap meshward-proxy's image for any other (which
// then runs as the proxy UID and holds the workload key), or rewrite the status annotation that
// MW-SIDECAR-004 judged the pod by.

function container(pod: KubeObject, name: string): { path: string; value: unknown } | undefined {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  for (const list of ['initContainers', 'containers']) {
    const entries: unknown[] = Array.isArray(spec[list]) ? spec[list] : [];
    const index = entries.findIndex((c) => isRecord(c) && c.name === name);
    if (index >= 0) return { path: `spec.${list}[${index}]`, value: entries[index] };
  }
  return undefined;
}

/** meshward.io/* annotations and the injected label, by field. */
function meshwardMetadata(pod: KubeObject): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
    if (key.startsWith(ANNOTATION_PREFIX)) out.set(`metadata.annotations["${key}"]`, value);
  }
  const injected = pod.metadata?.labels?.[LABEL_INJECTED];
  if (injected !== undefined) out.set(`metadata.labels["${LABEL_INJECTED}"]`, injected);
  return out;
}

/** What an UPDATE of a Pod changed in meshward's containers and metadata. Pure. */
export function injectionChangeFindings(pod: KubeObject, old: KubeObject): Finding[] {
  const out: Finding[] = [];
  for (const name of MESHWARD_CONTAINER_NAMES) {
    const before = container(old, name);
    const after = container(pod, name);
    if (!before && !after) continue;
    if (!equalJson(before?.value, after?.value)) {
      out.push(
        finding(
          'MW-SIDECAR-005',
          after?.path ?? before!.path,
          `${name} was changed after the pod was created; a proxy or capture container that is not what meshward injected cannot be trusted`,
        ),
      );
    }
  }
  const before = meshwardMetadata(old);
  const after = meshwardMetadata(pod);
  for (const field of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(field) === after.get(field)) continue;
    const change = !before.has(field) ? 'was added' : !after.has(field) ? 'was removed' : 'was changed';
    out.push(
      finding('MW-SIDECAR-005', field, `${change} after the pod was created; meshward's injection was decided by it and is not redone`),
    );
  }
  return out;
}
