// Status listener (15020, plaintext, outside capture): the kubelet's rewritten probes, and
// nothing else (any other path is a 404). http/https probes are forwarded live to the original
// target, rewriting the path (and Host when the probe set one). tcp/grpc probes are answered by a
// health_check filter from Envoy's own active check of that port: 200 when it last passed, 503
// otherwise. The kubelet must call every probe, gRPC ones included, as httpGet on this port.

import { PORTS } from '../config/names.js';
import type { NormalizedInput, NormalizedProbe } from './bootstrap-input.js';
import { bindAddresses, httpConnectionManager, TYPES, type Json } from './envoy-fragments.js';
import { probeCluster } from './probe-clusters.js';

export function statusListener(n: NormalizedInput): Json {
  const checked = n.probes.filter((p) => p.kind !== 'http');
  const routeConfig = {
    name: 'status',
    virtual_hosts: [{ name: 'probes', domains: ['*'], routes: n.probes.map(probeRoute) }],
  };
  return {
    name: 'status',
    ...bindAddresses(PORTS.status, n.ipFamilies),
    filter_chains: [{ filters: [httpConnectionManager('status', routeConfig, checked.map(healthCheckFilter))] }],
  };
}

function probeRoute(p: NormalizedProbe): Json {
  if (p.kind !== 'http') {
    // Answered by the health_check filter before routing; reaching the router means no result.
    return { name: p.path, match: { path: p.path }, direct_response: { status: 503 } };
  }
  const hostHeader = p.headers.find((h) => h.name.toLowerCase() === 'host');
  const host = hostHeader?.value ?? (p.host ? `${p.host}:${p.port}` : undefined);
  const headers = p.headers.filter((h) => h !== hostHeader);
  return {
    name: p.path,
    match: { path: p.path },
    route: {
      cluster: probeCluster(p),
      prefix_rewrite: p.originalPath,
      ...(host ? { host_rewrite_literal: host } : {}),
      // The kubelet enforces the probe's own timeout.
      timeout: '0s',
    },
    ...(headers.length > 0
      ? { request_headers_to_add: headers.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })) }
      : {}),
  };
}

function healthCheckFilter(p: NormalizedProbe): Json {
  return {
    name: `envoy.filters.http.health_check:${p.path}`,
    typed_config: {
      '@type': TYPES.healthCheck,
      pass_through_mode: false,
      headers: [{ name: ':path', string_match: { exact: p.path } }],
      cluster_min_healthy_percentages: { [probeCluster(p)]: { value: 100 } },
    },
  };
}
