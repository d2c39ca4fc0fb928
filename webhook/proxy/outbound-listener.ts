// Outbound listener (15001): every captured outbound TCP connection lands here. The proxy knows
// mesh membership by address only: destinations inside config.mesh.meshCidrs get mesh mTLS
// (our workload certificate, peer verified to be in the trust domain); everything else passes
// through untouched. Proxy ports of other pods are never captured there, so they stay plaintext.

import { PORTS } from '../config/names.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { bindAddresses, tcpProxy, TYPES, type Json } from './envoy-fragments.js';
import { BLACKHOLE_CLUSTER } from './inbound-listener.js';

export const OUTBOUND_MESH_CLUSTER = 'outbound|mesh';
export const OUTBOUND_PASSTHROUGH_CLUSTER = 'outbound|passthrough';

/** Ports another pod's proxy serves in plaintext, outside its capture (status, readiness, metrics). */
const PLAINTEXT_PROXY_PORTS: readonly number[] = [PORTS.status, PORTS.readiness, PORTS.metrics];

export function outboundListener(n: NormalizedInput): Json {
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

/** "10.0.0.0/8" → Envoy CidrRange (config already checked the form). */
export function cidrRange(cidr: string): Json {
  const [address, len] = cidr.split('/');
  return { address_prefix: address, prefix_len: Number(len) };
}
