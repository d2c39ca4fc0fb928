// One proxy's own part of its configuration: the inbound listener with this pod's live port
// modes, the status listener with its probe routes, and the clusters behind them, built with the
// same renderers (webhook/proxy) the tests validate against Envoy's API. Inputs come from the pod
// as the injector left it: its ServiceAccount, declared ports and the original probe targets the
// status annotation recorded, and who may call each port (the pod's WorkloadAuthorization).

import { ANNOTATION_STATUS } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ProbeRoute } from '../inject/probes.js';
import { proxyProbeInputs } from '../inject/proxy-probes.js';
import type { Pod } from '../kube/types.js';
import { normalizeInput, type NormalizedInput, type ProbeInput } from '../proxy/bootstrap-input.js';
import { dataClusters } from '../proxy/data-clusters.js';
import type { Json } from '../proxy/envoy-fragments.js';
import { inboundListener } from '../proxy/inbound-listener.js';
import { blackholeCluster, readinessSelfCheckCluster } from '../proxy/local-clusters.js';
import { probeClusters } from '../proxy/probe-clusters.js';
import { PROXY_PATHS } from '../proxy/proxy-paths.js';
import { statusListener } from '../proxy/status-listener.js';
import type { WorkloadAuthorization } from '../policy/authorization-types.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';

export interface PodResources {
  readonly input: NormalizedInput;
  readonly listeners: readonly Json[];
  readonly clusters: readonly Json[];
}

/** Throws BootstrapInputError (naming the field) when the pod's recorded facts are unusable. */
export function podProxyInput(
  pod: Pod,
  modes: WorkloadModes,
  config: MeshwardConfig,
  authorization?: WorkloadAuthorization,
): NormalizedInput {
  const families = new Set(
    (pod.status as { podIPs?: Array<{ ip: string }> } | undefined)?.podIPs?.map((p) => (p.ip.includes(':') ? 'IPv6' : 'IPv4')),
  );
  return normalizeInput({
    config,
    namespace: pod.metadata.namespace ?? 'default',
    serviceAccount: pod.spec?.serviceAccountName || 'default',
    podName: pod.metadata.name,
    workloadMode: modes.workloadMode,
    ports: modes.ports.map((p) => ({ port: p.port, mode: p.mode })),
    probes: recordedProbes(pod),
    // The resolver's shape is the renderer's input type as it is: the compiler keeps them in step.
    ...(authorization ? { authorization } : {}),
    ...PROXY_PATHS,
    // Listen only on the families the pod has: binding :: fails where the node disabled IPv6.
    ...(families.size > 0 ? { ipFamilies: [...families] as Array<'IPv4' | 'IPv6'> } : {}),
  });
}

export function podResources(n: NormalizedInput): PodResources {
  return {
    input: n,
    listeners: [inboundListener(n), statusListener(n)],
    clusters: [...dataClusters(n), ...probeClusters(n.probes), readinessSelfCheckCluster(n), blackholeCluster()],
  };
}

/** The original probe targets (status annotation) with the kubelet's pace read from the rewritten probes. */
function recordedProbes(pod: Pod): ProbeInput[] {
  let routes: ProbeRoute[] = [];
  try {
    const status = JSON.parse(pod.metadata.annotations?.[ANNOTATION_STATUS] ?? '{}') as { probes?: ProbeRoute[] };
    routes = Array.isArray(status.probes) ? status.probes : [];
  } catch {
    routes = [];
  }
  const pace = new Map<string, { timeoutSeconds?: number; periodSeconds?: number }>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      const probe = c[kind] as { httpGet?: { path?: string }; timeoutSeconds?: number; periodSeconds?: number } | undefined;
      if (probe?.httpGet?.path) pace.set(probe.httpGet.path, { timeoutSeconds: probe.timeoutSeconds, periodSeconds: probe.periodSeconds });
    }
  }
  return proxyProbeInputs(routes).map((route) => {
    const p = pace.get(route.path);
    return {
      ...route,
      ...(p?.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
      ...(p?.periodSeconds !== undefined ? { periodSeconds: p.periodSeconds } : {}),
    };
  });
}
