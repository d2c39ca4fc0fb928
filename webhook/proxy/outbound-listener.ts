// Outbound listener (15001): every captured outbound TCP connection lands here. The control plane
// supplies one chain per meshed destination (webhook/xds/outbound.ts: Service ClusterIP:port, or
// a headless Service's pod IP:port); everything else, the default chain, passes through untouched.
// Proxy ports of other pods are never captured there, so they stay plaintext.

import { PORTS } from '../config/names.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { bindAddresses, tcpProxy, TYPES, type Json } from './envoy-fragments.js';
import { BLACKHOLE_CLUSTER } from './inbound-listener.js';

export const OUTBOUND_PASSTHROUGH_CLUSTER = 'outbound|passthrough';

/** Ports another pod's proxy serves in plaintext, outside its capture (status, readiness, metrics). */
const PLAINTEXT_PROXY_PORTS: readonly number[] = [PORTS.status, PORTS.readiness, PORTS.metrics];

export function outboundListener(n: NormalizedInput, meshChains: readonly Json[] = []): Json {
  const chains: Json[] = [
    // A connection dialled to port 15001 itself would come straight back here.
    {
      name: 'outbound|15001|blackhole',
      filter_chain_match: { destination_port: PORTS.outbound },
      filters: [tcpProxy('outbound|blackhole', BLACKHOLE_CLUSTER)],
    },
    ...PLAINTEXT_PROXY_PORTS.map((port) => ({
      name: `outbound|${port}|proxy-port`,
      filter_chain_match: { destination_port: port },
      filters: [tcpProxy('outbound|passthrough', OUTBOUND_PASSTHROUGH_CLUSTER)],
    })),
    ...meshChains,
    { name: 'outbound|passthrough', filters: [tcpProxy('outbound|passthrough', OUTBOUND_PASSTHROUGH_CLUSTER)] },
  ];
  return {
    name: 'outbound',
    ...bindAddresses(PORTS.outbound, n.ipFamilies),
    traffic_direction: 'OUTBOUND',
    listener_filters: [{ name: 'envoy.filters.listener.original_dst', typed_config: { '@type': TYPES.originalDst } }],
    filter_chains: chains,
  };
}
