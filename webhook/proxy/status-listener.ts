// Status listener (15020, plaintext, outside capture): the kubelet's rewritten probes, and
// nothing else. Any plaintext client in the cluster can reach this port, so a request is served
// only in the shape the kubelet's httpGet sends: GET or HEAD, exactly the rewritten path (no query
// string), no body. A probe path asked with another method is a 405, anything else a 404; neither
// is forwarded. http/https probes are forwarded live to the original target, rewriting the path
// (and Host when the probe set one). tcp/grpc probes are answered by a health_check filter from
// Envoy's own active check of that port: 200 when it last passed, 503 otherwise. The kubelet must
// call every probe, gRPC ones included, as httpGet on this port.

import { PORTS } from '../config/names.js';
import type { NormalizedInput, NormalizedProbe } from './bootstrap-input.js';
import { bindAddresses, httpConnectionManager, TYPES, type Json } from './envoy-fragments.js';
import { probeCluster } from './probe-clusters.js';

export function statusListener(n: NormalizedInput): Json {
  const checked = n.probes.filter((p) => p.kind !== 'http');
  const routeConfig = {
    name: 'status',
    virtual_hosts: [{ name: 'probes', domains: ['*'], routes: n.probes.flatMap((p) => [probeRoute(p), wrongMethodRoute(p)]) }],
  };
  return {
    name: 'status',
    ...bindAddresses(PORTS.status, n.ipFamilies),
    filter_chains: [{ filters: [httpConnectionManager('status', routeConfig, [...noRequestBody(), ...checked.map(healthCheckFilter)])] }],
  };
}

// Fresh objects per use: a shared one would come out as a YAML alias wherever the bootstrap is dumped.
const getOrHead = (): Json => ({ name: ':method', string_match: { safe_regex: { regex: '^(GET|HEAD)$' } } });

/** Header matchers for a probe request: GET or HEAD on exactly the rewritten path. */
function probeRequest(p: NormalizedProbe): Json[] {
  // A `path` match ignores the query string; `:path` carries it, so this refuses any query.
  return [{ name: ':path', string_match: { exact: p.path } }, getOrHead()];
}

// No request on this port may carry a body, and header matchers cannot see every body: the
// connection manager drops transfer-encoding before routing (a chunked body arrives with neither
// header), and HTTP/2 needs no length at all. So, ahead of every other filter, the buffer filter
// holds any body (413 past one byte) and then sets its content-length, and RBAC refuses (403)
// every request that has a content-length, "0" included: the kubelet's GET sends none, and
// allowing an empty one buys nothing. Header-only requests pass both untouched.
const noRequestBody = (): Json[] => [
  { name: 'envoy.filters.http.buffer', typed_config: { '@type': TYPES.buffer, max_request_bytes: 1 } },
  {
    name: 'envoy.filters.http.rbac',
    typed_config: {
      '@type': TYPES.rbac,
      rules: {
        action: 'DENY',
        policies: {
          'request-body': { permissions: [{ header: { name: 'content-length', present_match: true } }], principals: [{ any: true }] },
        },
      },
    },
  },
];

function probeRoute(p: NormalizedProbe): Json {
  const match = { path: p.path, headers: probeRequest(p) };
  if (p.kind !== 'http') {
    // Answered by the health_check filter before routing; reaching the router means no result.
    return { name: p.path, match, direct_response: { status: 503 } };
  }
  const hostHeader = p.headers.find((h) => h.name.toLowerCase() === 'host');
  const host = hostHeader?.value;
  const headers = p.headers.filter((h) => h !== hostHeader);
  return {
    name: p.path,
    match,
    route: {
      cluster: probeCluster(p),
      // Replaces the whole path: with the exact `:path` match above, no query string reaches the app.
      prefix_rewrite: p.originalPath,
      ...(host ? { host_rewrite_literal: host } : {}),
      // The kubelet enforces the probe's own timeout.
      timeout: '0s',
    },
    ...(headers.length > 0
      ? {
          request_headers_to_add: headers.map((h) => ({
            header: { key: h.name, value: h.value },
            append_action: 'OVERWRITE_IF_EXISTS_OR_ADD',
          })),
        }
      : {}),
  };
}

/** The probe's path asked with any other method: 405, answered here. */
function wrongMethodRoute(p: NormalizedProbe): Json {
  return {
    name: `${p.path}|method`,
    match: { path: p.path, headers: [{ ...getOrHead(), invert_match: true }] },
    direct_response: { status: 405 },
    response_headers_to_add: [{ header: { key: 'allow', value: 'GET, HEAD' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
  };
}

function healthCheckFilter(p: NormalizedProbe): Json {
  return {
    name: `envoy.filters.http.health_check:${p.path}`,
    typed_config: {
      '@type': TYPES.healthCheck,
      pass_through_mode: false,
      // The same request the route accepts, so other methods and queries fall through to a 405/404.
      headers: probeRequest(p),
      cluster_min_healthy_percentages: { [probeCluster(p)]: { value: 100 } },
    },
  };
}
