// The outbound side every proxy shares: one filter chain per meshed Service ClusterIP:port on the
// 15001 listener, leading to an EDS cluster per Service port whose endpoints say, one by one,
// whether to use mTLS and with which identity; pods behind headless Services get a chain per
// pod IP:port (the client dialled that pod, so Envoy must not pick another). A Service port with
// no meshed endpoint gets nothing: its connections take the listener's plaintext passthrough,
// so the API server, kube-dns, unmeshed namespaces and external addresses are never wrapped in TLS.

import type { MeshwardConfig } from '../config/types.js';
import type { EndpointSlice, Service } from '../kube/types.js';
import { originalDstCluster, tcpProxy, UNLIMITED_CIRCUIT_BREAKERS, type Json } from '../proxy/envoy-fragments.js';
import { endpointTls, type EndpointTls } from './endpoint-tls.js';
import type { MeshView, PodPolicies } from './mesh-view.js';
import { TRANSPORT_SOCKET_MATCH, upstreamMtlsTo } from './upstream-tls.js';

export interface OutboundConfig {
  /** Filter chains for the outbound listener, in a stable order. */
  readonly chains: readonly Json[];
  readonly clusters: readonly Json[];
  /** ClusterLoadAssignments by cluster name. */
  readonly loadAssignments: ReadonlyMap<string, Json>;
}

interface Backend {
  readonly address: string;
  readonly port: number;
  readonly tls: EndpointTls;
}

export function serviceClusterName(service: Service, port: number): string {
  return `outbound|${port}|${service.metadata.name}.${service.metadata.namespace}`;
}

export function buildOutbound(view: MeshView, policies: PodPolicies, config: MeshwardConfig): OutboundConfig {
  const chains: Json[] = [];
  const clusters: Json[] = [];
  const loadAssignments = new Map<string, Json>();
  const headless = new Map<string, Json>();
  const identities = new Set<string>();
  const services = [...view.services()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  for (const service of services) {
    const slices = view.endpointSlices(service.metadata.namespace ?? 'default', service.metadata.name);
    const ips = clusterIps(service);
    for (const port of service.spec?.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP') continue;
      const backends = backendsOf(slices, port.name, view, policies, config);
      const meshed = backends.filter((b) => b.tls.mtls);
      if (meshed.length === 0) continue;
      if (ips.length === 0) {
        // Headless: the client names the pod; keep its choice, check that pod's identity.
        for (const b of meshed) {
          const id = (b.tls as { spiffeId: string }).spiffeId;
          identities.add(id);
          headless.set(`${b.address}|${b.port}`, chain(`headless|${b.address}|${b.port}`, b.port, [b.address], identityClusterName(id)));
        }
        continue;
      }
      const name = serviceClusterName(service, port.port);
      chains.push(chain(name, port.port, ips, name));
      clusters.push(edsCluster(name, config, [...new Set(meshed.map((b) => (b.tls as { spiffeId: string }).spiffeId))].sort()));
      loadAssignments.set(name, loadAssignment(name, backends));
    }
  }
  // A pod IP:port is one destination, whichever headless Services list it.
  chains.push(...[...headless.keys()].sort().map((k) => headless.get(k)!));
  for (const id of [...identities].sort()) {
    clusters.push(originalDstCluster(identityClusterName(id), { transport_socket: upstreamMtlsTo(config, [id]) }));
  }
  return { chains, clusters, loadAssignments };
}

/** Direct-to-pod mTLS (headless Services): the original destination, requiring exactly this identity. */
export function identityClusterName(spiffeId: string): string {
  return `outbound|pod|${spiffeId.replace(/^spiffe:\/\//, '')}`;
}

function keyOf(s: Service): string {
  return `${s.metadata.namespace}/${s.metadata.name}`;
}

function clusterIps(service: Service): string[] {
  const ips = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

function backendsOf(
  slices: readonly EndpointSlice[],
  portName: string | undefined,
  view: MeshView,
  policies: PodPolicies,
  config: MeshwardConfig,
): Backend[] {
  const out: Backend[] = [];
  const seen = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const target = slice.ports?.find((p) => (p.name ?? '') === (portName ?? '') && (p.protocol ?? 'TCP') === 'TCP')?.port;
    if (target === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      // Like kube-proxy: ready endpoints only (unset counts as ready).
      if (ep.conditions?.ready === false) continue;
      const ref = ep.targetRef;
      const pod = ref?.kind === 'Pod' && ref.name ? view.pod(ref.namespace ?? slice.metadata.namespace ?? 'default', ref.name) : undefined;
      const tls = endpointTls(pod, target, policies, config);
      for (const address of ep.addresses) {
        const key = `${address}|${target}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ address, port: target, tls });
      }
    }
  }
  return out.sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
}

function chain(name: string, port: number, ips: readonly string[], cluster: string): Json {
  return {
    name,
    filter_chain_match: {
      destination_port: port,
      prefix_ranges: ips.map((ip) => ({ address_prefix: ip, prefix_len: ip.includes(':') ? 128 : 32 })),
    },
    filters: [tcpProxy(name, cluster)],
  };
}

function edsCluster(name: string, config: MeshwardConfig, identities: readonly string[]): Json {
  return {
    name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
    connect_timeout: '10s',
    circuit_breakers: UNLIMITED_CIRCUIT_BREAKERS,
    // One TLS context per identity behind the Service; an endpoint without the metadata is plaintext.
    transport_socket_matches: identities.map((id) => ({
      name: `mtls|${id}`,
      match: { [TRANSPORT_SOCKET_MATCH]: id },
      transport_socket: upstreamMtlsTo(config, [id]),
    })),
  };
}

function loadAssignment(name: string, backends: readonly Backend[]): Json {
  return {
    cluster_name: name,
    endpoints: [
      {
        lb_endpoints: backends.map((b) => ({
          endpoint: { address: { socket_address: { address: b.address, port_value: b.port } } },
          ...(b.tls.mtls
            ? { metadata: { filter_metadata: { 'envoy.transport_socket_match': { [TRANSPORT_SOCKET_MATCH]: b.tls.spiffeId } } } }
            : {}),
        })),
      },
    ],
  };
}
