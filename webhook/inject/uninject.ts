import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  ANNOTATION_STATUS,
  LABEL_INJECTED,
  MESHWARD_CONTAINER_NAMES,
  MESHWARD_VOLUME_NAMES,
  PORTS,
  PROXY_CONTAINER_NAME,
} from '../config/names.js';
import { PROBE_KINDS, probePath, restoreProbe, type ProbeRoute } from './probes.js';

// The inverse of injectPod: the pod as it was before meshward injected it, from the pod and the
// probe routes its status annotation records. Injecting the result again must give the pod back
// exactly; the gate uses that to judge a pod that arrives injected (MW-SIDECAR-004).

export interface Uninjected {
  readonly pod: V1Pod;
  /** Recorded routes no rewritten probe of the pod uses. */
  readonly unusedRoutes: readonly ProbeRoute[];
}

function restoreContainer(container: V1Container, routes: Map<string, ProbeRoute>, used: Set<ProbeRoute>): V1Container {
  const restored = { ...container };
  for (const kind of PROBE_KINDS) {
    const probe = container[kind];
    if (!probe) continue;
    // Probe rewrites patch inside the probe: each one is a copy, restored or not.
    restored[kind] = { ...probe };
    const path = probePath(container.name, kind);
    if (probe.httpGet?.port !== PORTS.status || probe.httpGet.path !== path) continue;
    const route = routes.get(path);
    if (!route) continue;
    used.add(route);
    restored[kind] = restoreProbe(probe, route);
  }
  return restored;
}

/**
 * The pod without meshward's containers, volumes, status and label, its probes restored. Pure:
 * every object on the way to what injection changes (spec, its lists, each container and probe,
 * metadata, labels, annotations) is a fresh shallow copy, so a patch may be applied to the result in place
 * without touching `pod`; everything else is shared with it.
 */
export function uninjectPod(pod: V1Pod, routes: readonly ProbeRoute[]): Uninjected {
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const used = new Set<ProbeRoute>();
  const spec = pod.spec ?? { containers: [] };
  const initContainers = (spec.initContainers ?? [])
    .filter((c) => !MESHWARD_CONTAINER_NAMES.has(c.name))
    .map((c) => (c.restartPolicy === 'Always' ? restoreContainer(c, byPath, used) : { ...c }));
  const containers = (spec.containers ?? []).filter((c) => c.name !== PROXY_CONTAINER_NAME).map((c) => restoreContainer(c, byPath, used));
  const volumes = (spec.volumes ?? []).filter((v) => !MESHWARD_VOLUME_NAMES.has(v.name));
  // Arrays the injector created are absent again, so injecting creates them the same way.
  const restoredSpec = {
    ...spec,
    containers,
    initContainers: initContainers.length > 0 ? initContainers : undefined,
    volumes: volumes.length > 0 ? volumes : undefined,
  };
  const { [ANNOTATION_STATUS]: _status, ...annotations } = pod.metadata?.annotations ?? {};
  const { [LABEL_INJECTED]: _injected, ...labels } = pod.metadata?.labels ?? {};
  return {
    pod: { ...pod, metadata: { ...pod.metadata, annotations, labels }, spec: restoredSpec },
    unusedRoutes: routes.filter((r) => !used.has(r)),
  };
}
