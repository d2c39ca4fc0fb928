// One proxy's own part of its configuration: the inbound listener with this pod's live port
// modes, the status listener with its probe routes, and the clusters behind them, built with the
// same renderers (webhook/proxy) the tests validate against Envoy's API. Inputs come from the pod
// as the injector left it: its ServiceAccount, declared ports and the original probe targets the
// status annotation recorded.

import { ANNOTATION_STATUS, CREDENTIAL_FILES, PORTS } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ProbeRoute } from '../inject/probes.js';
import { CREDENTIALS_DIR, PROXY_CONFIG_DIR } from '../inject/volumes.js';
import type { Pod } from '../kube/types.js';
import { normalizeInput, type NormalizedInput, type ProbeInput } from '../proxy/bootstrap-input.js';
import { dataClusters } from '../proxy/data-clusters.js';
import { httpProtocolOptions, staticCluster, type Json } from '../proxy/envoy-fragments.js';
import { BLACKHOLE_CLUSTER, inboundListener, loopbackAddress } from '../proxy/inbound-listener.js';
import { probeClusters } from '../proxy/probe-clusters.js';
import { statusListener } from '../proxy/status-listener.js';
import { selfPeer, upstreamMtls } from '../proxy/tls-contexts.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';

/** The cluster the static bootstrap's readiness route (15021) points at. */
export const READINESS_CLUSTER = 'readiness-self-check';

export interface PodResources {
  readonly input: NormalizedInput;
  readonly listeners: readonly Json[];
  readonly clusters: readonly Json[];
}

/** Throws BootstrapInputError (naming the field) when the pod's recorded facts are unusable. */
export function podProxyInput(pod: Pod, modes: WorkloadModes, config: MeshwardConfig): NormalizedInput {
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
    credentialsDir: CREDENTIALS_DIR,
    credentialFiles: { certChain: CREDENTIAL_FILES.bundle, privateKey: CREDENTIAL_FILES.bundle, trustBundle: CREDENTIAL_FILES.trustBundle },
    sdsDir: PROXY_CONFIG_DIR,
    // Listen only on the families the pod has: binding :: fails where the node disabled IPv6.
    ...(families.size > 0 ? { ipFamilies: [...families] as Array<'IPv4' | 'IPv6'> } : {}),
  });
}

export function podResources(n: NormalizedInput): PodResources {
  return {
    input: n,
    listeners: [inboundListener(n), statusListener(n)],
    clusters: [
      ...dataClusters(n),
      ...probeClusters(n.probes),
      readinessCluster(n),
      // No endpoints: connections routed here are closed at once (loop guard).
      { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: '1s' },
    ],
  };
}

/**
 * Our own inbound listener on loopback, over mesh mTLS that must present exactly this pod's
 * identity, with no session resumption and one request per connection: every readiness check is a
 * full handshake with the current certificate.
 */
function readinessCluster(n: NormalizedInput): Json {
  return staticCluster(READINESS_CLUSTER, loopbackAddress(n), PORTS.inbound, {
    connect_timeout: '1s',
    transport_socket: upstreamMtls(n, { peers: selfPeer(n), noResumption: true }),
    typed_extension_protocol_options: httpProtocolOptions({ oneRequestPerConnection: true }),
  });
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
  return routes.map(({ grpcService, headers, ...route }) => {
    const p = pace.get(route.path);
    return {
      ...route,
      ...(headers ? { headers: headers.map((h) => ({ ...h })) } : {}),
      ...(grpcService !== undefined ? { service: grpcService } : {}),
      ...(p?.timeoutSeconds !== undefined ? { timeoutSeconds: p.timeoutSeconds } : {}),
      ...(p?.periodSeconds !== undefined ? { periodSeconds: p.periodSeconds } : {}),
    };
  });
}
