// One cluster per rewritten probe, aimed at the app on loopback, where the kubelet's probe would
// have reached it (probes that name another host are never rewritten: the proxy, whose traffic is
// not captured, must not relay to other addresses). tcp and grpc probes are checked by Envoy itself (active health checking at
// the kubelet's own period and timeout); the status listener reports the latest result.

import type { NormalizedProbe } from './bootstrap-input.js';
import { httpProtocolOptions, staticCluster, type Json } from './envoy-fragments.js';
import { upstreamTlsUnverified } from './tls-contexts.js';

const LOOPBACK = '127.0.0.1';

/** /app-health/web/readyz → probe|app-health|web|readyz */
export function probeCluster(p: NormalizedProbe): string {
  return `probe|${p.path.slice(1).replace(/\//g, '|')}`;
}

export function probeClusters(probes: readonly NormalizedProbe[]): Json[] {
  return probes.map((p) => {
    const name = probeCluster(p);
    const target = (extra: Json): Json => staticCluster(name, LOOPBACK, p.port, extra);
    switch (p.kind) {
      case 'http':
        // Like the kubelet (no keep-alive): every probe is a fresh connection to the app.
        return target({
          typed_extension_protocol_options: httpProtocolOptions({ oneRequestPerConnection: true }),
          ...(p.scheme === 'HTTPS' ? { transport_socket: upstreamTlsUnverified() } : {}),
        });
      case 'tcp':
        // Connect-only check: no send/receive payload.
        return target({ health_checks: [healthCheck(p, { tcp_health_check: {} })] });
      case 'grpc':
        return target({
          typed_extension_protocol_options: httpProtocolOptions({ http2: true }),
          health_checks: [healthCheck(p, { grpc_health_check: { service_name: p.service, authority: `${LOOPBACK}:${p.port}` } })],
        });
    }
  });
}

function healthCheck(p: NormalizedProbe, kind: Json): Json {
  const interval = `${p.periodSeconds}s`;
  return {
    timeout: `${p.timeoutSeconds}s`,
    interval,
    // Nothing but the checks ever uses these clusters: without this Envoy would slow to its
    // 60s "no traffic" interval.
    no_traffic_interval: interval,
    no_traffic_healthy_interval: interval,
    unhealthy_threshold: 1,
    healthy_threshold: 1,
    ...kind,
  };
}
