// Clusters on the data path that every proxy has: inbound to the original destination (the pod IP
// and port the client dialled) and outbound plaintext passthrough. Meshed destinations get their
// own clusters from the control plane (webhook/xds/outbound.ts).

import { LOOPBACK } from '../capture/settings.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { originalDstCluster, type Json } from './envoy-fragments.js';
import { INBOUND_PASSTHROUGH_CLUSTER } from './inbound-listener.js';
import { OUTBOUND_PASSTHROUGH_CLUSTER } from './outbound-listener.js';

export function dataClusters(_n: NormalizedInput): Json[] {
  return [
    // The pod IP and port the client dialled. Capture sends the proxy's own
    // traffic to a local non-loopback address back to 15006 (the service-VIP rule), so the
    // connection leaves from 127.0.0.6 / ::6, which capture lets through: no loop.
    originalDstCluster(INBOUND_PASSTHROUGH_CLUSTER, {
      connect_timeout: '5s',
      upstream_bind_config: {
        source_address: { address: LOOPBACK.ipv4.passthroughSource.split('/')[0], port_value: 0 },
        extra_source_addresses: [{ address: { address: LOOPBACK.ipv6.passthroughSource.split('/')[0], port_value: 0 } }],
      },
    }),
    originalDstCluster(OUTBOUND_PASSTHROUGH_CLUSTER),
  ];
}
