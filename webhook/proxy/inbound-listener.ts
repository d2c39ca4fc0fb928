// Inbound listener (15006): every captured inbound TCP connection lands here; original_dst
// restores the address and port the client dialled, and one group of filter chains per declared
// port applies that port's live mode. Ports the pod does not declare take the workload mode
// (chains with no destination_port: Envoy tries the exact port first, these are the fallback).
// Every chain forwards to the original destination, the pod IP, as the app would be reached
// without a mesh (apps bound to the pod IP work; loopback-only ports stay unreachable). Each chain
// has its own stat prefix, inbound|<port>|<mtls|plaintext|tls-passthrough>, so an operator sees
// per port what still arrives in plaintext before making it STRICT. A port's authorization (who
// may call it, rbac-filter.ts) adds the RBAC filter to its mTLS chain, and an enforcing one takes
// away every chain that would admit a caller without a mesh identity.

import { PORTS } from '../config/names.js';
import type { ResolvedMode } from '../config/types.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { bindAddresses, tcpProxy, TYPES, type Json } from './envoy-fragments.js';
import { admitsUnidentified, authorizationOf, type PortAuthorization } from './inbound-authorization.js';
import { denialAccessLog, rbacFilter } from './rbac-filter.js';
import { downstreamMtls, MESH_ALPN, selfPeer } from './tls-contexts.js';

export const INBOUND_PASSTHROUGH_CLUSTER = 'inbound|passthrough';
export const BLACKHOLE_CLUSTER = 'blackhole';
export const ADMIN_CLUSTER = 'admin';

/** Ports that must never be forwarded: a connection to them would loop back into the proxy. */
export const LOOP_PORTS: readonly number[] = [PORTS.outbound, PORTS.inbound];

export function inboundListener(n: NormalizedInput): Json {
  const chains: Json[] = [
    ...inboundPorts(n).flatMap(({ port, mode }) =>
      modeChains(n, mode, String(port), { destination_port: port }, authorizationOf(n.authorization, port)),
    ),
    ...selfCheckAndLoopChains(n),
    ...modeChains(n, n.workloadMode, 'undeclared', {}, n.authorization.undeclared),
  ];
  const inspector = tlsInspector(n);
  return {
    name: 'inbound',
    ...bindAddresses(PORTS.inbound, n.ipFamilies),
    traffic_direction: 'INBOUND',
    listener_filters: [
      { name: 'envoy.filters.listener.original_dst', typed_config: { '@type': TYPES.originalDst } },
      ...(inspector ? [inspector] : []),
    ],
    // A server-speaks-first protocol on a PERMISSIVE port sends no ClientHello to inspect: after
    // the listener-filter timeout (Envoy's default, 15s) it continues as plaintext, not dropped.
    ...(inspector ? { continue_on_listener_filters_timeout: true } : {}),
    filter_chains: chains,
  };
}

/**
 * Declared ports with their modes, plus the ports only an authorization names (the workload mode
 * applies there): each needs chains of its own, or its connections would take the undeclared ones.
 */
function inboundPorts(n: NormalizedInput): NormalizedInput['ports'] {
  const declared = new Set(n.ports.map((p) => p.port));
  const named = n.authorization.ports.filter((p) => !declared.has(p.port)).map((p) => ({ port: p.port, mode: n.workloadMode }));
  return [...n.ports, ...named].sort((a, b) => a.port - b.port);
}

/**
 * STRICT: mTLS only. DISABLE: plaintext only. PERMISSIVE: mesh mTLS (TLS offering our ALPN),
 * the app's own TLS passed through untouched (TLS without it), and plaintext (everything else,
 * deliberately without a transport_protocol so a tls_inspector timeout still lands here).
 * Fail closed: under an enforcing authorization (an Enforce allow-list, or deny) a PERMISSIVE
 * port keeps only its mTLS chain, so plaintext and foreign TLS find no chain and are closed,
 * and a DISABLE port refuses every connection. The gate refuses such pairs, but modes change
 * after policies are admitted; a caller without an identity must never pass an allow-list.
 */
function modeChains(n: NormalizedInput, mode: ResolvedMode, label: string, match: Json, auth: PortAuthorization): Json[] {
  const chain = (suffix: string, m: Json, tls: boolean, cluster = INBOUND_PASSTHROUGH_CLUSTER): Json => {
    const statPrefix = `inbound|${label}|${suffix}`;
    const rbac = tls ? rbacFilter(statPrefix, auth) : undefined;
    return {
      name: statPrefix,
      ...(Object.keys(m).length > 0 ? { filter_chain_match: m } : {}),
      ...(tls ? { transport_socket: downstreamMtls(n) } : {}),
      // RBAC before tcp_proxy: it judges the caller before a byte is forwarded.
      filters: [...(rbac ? [rbac] : []), tcpProxy(statPrefix, cluster, rbac ? denialAccessLog(auth) : [])],
    };
  };
  const open = admitsUnidentified(auth);
  switch (mode) {
    case 'STRICT':
      return [chain('mtls', match, true)];
    case 'DISABLE':
      return [open ? chain('plaintext', match, false) : chain('refused', match, false, BLACKHOLE_CLUSTER)];
    case 'PERMISSIVE':
      return [
        chain('mtls', { ...match, transport_protocol: 'tls', application_protocols: [MESH_ALPN] }, true),
        ...(open ? [chain('tls-passthrough', { ...match, transport_protocol: 'tls' }, false), chain('plaintext', match, false)] : []),
      ];
  }
}

/** Where the readiness self-check dials the inbound listener: a loopback address it binds. */
export function loopbackAddress(n: NormalizedInput): string {
  return n.ipFamilies.includes('IPv4') ? '127.0.0.1' : '::1';
}

/**
 * Loopback:15006 with mTLS for exactly our own identity → admin: the readiness self-check path
 * (see the readiness listener in templates/envoy-bootstrap.yaml). Anything else aimed at the
 * proxy's own ports is dropped instead of forwarded back to the proxy in a loop.
 */
function selfCheckAndLoopChains(n: NormalizedInput): Json[] {
  return [
    {
      name: 'inbound|self-check',
      filter_chain_match: {
        destination_port: PORTS.inbound,
        prefix_ranges: [{ address_prefix: loopbackAddress(n), prefix_len: n.ipFamilies.includes('IPv4') ? 32 : 128 }],
      },
      transport_socket: downstreamMtls(n, selfPeer(n)),
      filters: [tcpProxy('inbound|self-check', ADMIN_CLUSTER)],
    },
    ...LOOP_PORTS.map((port) => ({
      name: `inbound|${port}|blackhole`,
      filter_chain_match: { destination_port: port },
      filters: [tcpProxy('inbound|blackhole', BLACKHOLE_CLUSTER)],
    })),
  ];
}

/**
 * tls_inspector (reads the ClientHello for transport_protocol/ALPN) only where a PERMISSIVE
 * chain needs it: it holds every connection until the client speaks first.
 */
function tlsInspector(n: NormalizedInput): Json | undefined {
  const ports = inboundPorts(n);
  const permissive = ports.filter((p) => p.mode === 'PERMISSIVE').map((p) => p.port);
  const other = ports.filter((p) => p.mode !== 'PERMISSIVE').map((p) => p.port);
  let disabled: Json;
  if (n.workloadMode === 'PERMISSIVE') disabled = anyPort([...other, ...LOOP_PORTS].sort((a, b) => a - b));
  else if (permissive.length > 0) disabled = { not_match: anyPort(permissive) };
  else return undefined;
  return { name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': TYPES.tlsInspector }, filter_disabled: disabled };
}

function anyPort(ports: number[]): Json {
  const rules = ports.map((p) => ({ destination_port_range: { start: p, end: p + 1 } }));
  // or_match needs at least two rules.
  return rules.length === 1 ? rules[0]! : { or_match: { rules } };
}
