// Clusters on the data path: the app's declared ports on loopback, inbound fallback to the
// original destination, and outbound mesh/passthrough to the original destination.

import { LOOPBACK } from '../capture/settings.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { originalDstCluster, staticCluster, UNLIMITED_CIRCUIT_BREAKERS, type Json } from './envoy-fragments.js';
import { INBOUND_PASSTHROUGH_CLUSTER, inboundPortCluster } from './inbound-listener.js';
import { OUTBOUND_MESH_CLUSTER, OUTBOUND_PASSTHROUGH_CLUSTER } from './outbound-listener.js';
import { upstreamMtls } from './tls-contexts.js';

export function dataClusters(n: NormalizedInput): Json[] {
  return [
    // Declared ports: the app on loopback (works for apps bound to 127.0.0.1 or to all addresses).
    ...n.ports.map(({ port }) =>
      staticCluster(inboundPortCluster(port), '127.0.0.1', port, { circuit_breakers: UNLIMITED_CIRCUIT_BREAKERS }),
    ),
    // Undeclared ports: the pod IP and port the client dialled. Capture sends the proxy's own
    // traffic to a local non-loopback address back to 15006 (the service-VIP rule), so the
    // connection leaves from 127.0.0.6 / ::6, which capture lets through: no loop.
    originalDstCluster(INBOUND_PASSTHROUGH_CLUSTER, {
      connect_timeout: '5s',
      upstream_bind_config: {
        source_address: { address: LOOPBACK.ipv4.passthroughSource.split('/')[0], port_value: 0 },
        extra_source_addresses: [{ address: { address: LOOPBACK.ipv6.passthroughSource.split('/')[0], port_value: 0 } }],
      },
    }),
    originalDstCluster(OUTBOUND_MESH_CLUSTER, { transport_socket: upstreamMtls(n) }),
    originalDstCluster(OUTBOUND_PASSTHROUGH_CLUSTER),
  ];
}
