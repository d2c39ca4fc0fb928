// Small Envoy v3 JSON builders shared by the listener and cluster renderers. Plain objects,
// keys in a fixed order, so rendering is deterministic.

export type Json = Record<string, unknown>;

const TYPE = 'type.googleapis.com/envoy.';
export const TYPES = {
  tcpProxy: `${TYPE}extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  hcm: `${TYPE}extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  router: `${TYPE}extensions.filters.http.router.v3.Router`,
  healthCheck: `${TYPE}extensions.filters.http.health_check.v3.HealthCheck`,
  buffer: `${TYPE}extensions.filters.http.buffer.v3.Buffer`,
  rbac: `${TYPE}extensions.filters.http.rbac.v3.RBAC`,
  networkRbac: `${TYPE}extensions.filters.network.rbac.v3.RBAC`,
  stdoutAccessLog: `${TYPE}extensions.access_loggers.stream.v3.StdoutAccessLog`,
  originalDst: `${TYPE}extensions.filters.listener.original_dst.v3.OriginalDst`,
  tlsInspector: `${TYPE}extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  downstreamTls: `${TYPE}extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  upstreamTls: `${TYPE}extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  secret: `${TYPE}extensions.transport_sockets.tls.v3.Secret`,
  httpProtocolOptions: `${TYPE}extensions.upstreams.http.v3.HttpProtocolOptions`,
} as const;

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

/** Listener address fields for a port on every wanted family (0.0.0.0 and/or ::). */
export function bindAddresses(port: number, families: ReadonlyArray<'IPv4' | 'IPv6'>): Json {
  const [first, ...rest] = families.map((f) => socketAddress(f === 'IPv4' ? '0.0.0.0' : '::', port));
  return { address: first, additional_addresses: rest.map((address) => ({ address })) };
}

export function tcpProxy(statPrefix: string, cluster: string, accessLog: readonly Json[] = []): Json {
  return {
    name: 'envoy.filters.network.tcp_proxy',
    typed_config: { '@type': TYPES.tcpProxy, stat_prefix: statPrefix, cluster, ...(accessLog.length > 0 ? { access_log: accessLog } : {}) },
  };
}

export function httpConnectionManager(statPrefix: string, routeConfig: Json, httpFilters: Json[]): Json {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: {
      '@type': TYPES.hcm,
      stat_prefix: statPrefix,
      // AUTO: HTTP/1.1 from the kubelet's httpGet, HTTP/2 (h2c) where a client speaks it.
      codec_type: 'AUTO',
      route_config: routeConfig,
      http_filters: [...httpFilters, { name: 'envoy.filters.http.router', typed_config: { '@type': TYPES.router } }],
    },
  };
}

/** Envoy's default circuit breakers cap a cluster at 1024 connections: far too low for a sidecar. */
export const UNLIMITED_CIRCUIT_BREAKERS: Json = {
  thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295 }],
};

export function staticCluster(name: string, address: string, port: number, extra: Json = {}): Json {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '5s',
    ...extra,
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }] },
  };
}

/** Connects wherever the connection was originally going (restored by the original_dst filter). */
export function originalDstCluster(name: string, extra: Json = {}): Json {
  return {
    name,
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: '10s',
    circuit_breakers: UNLIMITED_CIRCUIT_BREAKERS,
    ...extra,
  };
}

/** HTTP upstream options: h2 for gRPC, and one request per connection where a probe wants a fresh connect. */
export function httpProtocolOptions(opts: { http2?: boolean; oneRequestPerConnection?: boolean }): Json {
  return {
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
      '@type': TYPES.httpProtocolOptions,
      ...(opts.oneRequestPerConnection ? { common_http_protocol_options: { max_requests_per_connection: 1 } } : {}),
      explicit_http_config: opts.http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
    },
  };
}
