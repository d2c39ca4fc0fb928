// Per-port connection counters of a proxy, read from its Prometheus metrics (15090): the inbound
// listener gives every filter chain its own stat prefix, inbound|<port>|<mtls|plaintext|tls-passthrough>,
// so Envoy's tcp_proxy counts connections per port and per kind. They tell an operator whether
// anything still arrives in plaintext before a port is made STRICT. The mTLS chain's RBAC filter
// (MeshAuthorizationPolicy) counts under the same prefix, envoy_rbac_prefix="inbound|<port>|mtls":
// what it refused, and what it would refuse under Audit.

export interface PortCounters {
  /** A container port, or "undeclared" (ports the pod does not declare). */
  readonly port: string;
  readonly mtls: number;
  readonly plaintext: number;
  /** The app's own TLS passed through untouched (PERMISSIVE ports). */
  readonly tlsPassthrough: number;
  /** mTLS callers the port's authorization refused (Enforce allow-list, or deny). */
  readonly denied: number;
  /** mTLS callers an Audit allow-list would refuse and let through. */
  readonly auditDenied: number;
}

type Counts = { -readonly [K in Exclude<keyof PortCounters, 'port'>]: number };

const TCP_LINE = /^envoy_tcp_downstream_cx_total\{([^}]*)\}\s+([0-9.eE+]+)/;
const TCP_PREFIX = /envoy_tcp_prefix="inbound\|([^|"]+)\|(mtls|plaintext|tls-passthrough)"/;
const RBAC_LINE = /^envoy_rbac_(denied|shadow_denied)\{([^}]*)\}\s+([0-9.eE+]+)/;
// The filter's stat_prefix ends in a dot (rbac-filter.ts); Envoy's tag drops it, tolerate it anyway.
const RBAC_PREFIX = /envoy_rbac_prefix="inbound\|([^|"]+)\|mtls\.?"/;

/** Counters by port, ascending (undeclared last); ports never connected to are absent. */
export function parseInboundCounters(prometheusText: string): PortCounters[] {
  const byPort = new Map<string, Counts & { shadowDenied: number }>();
  const countsOf = (port: string): Counts & { shadowDenied: number } => {
    const found = byPort.get(port);
    if (found) return found;
    const fresh = { mtls: 0, plaintext: 0, tlsPassthrough: 0, denied: 0, auditDenied: 0, shadowDenied: 0 };
    byPort.set(port, fresh);
    return fresh;
  };
  for (const line of prometheusText.split('\n')) {
    const tcp = TCP_LINE.exec(line);
    const tcpPrefix = tcp ? TCP_PREFIX.exec(tcp[1]!) : null;
    if (tcp && tcpPrefix) {
      const [, port, kind] = tcpPrefix as unknown as [string, string, 'mtls' | 'plaintext' | 'tls-passthrough'];
      const counts = countsOf(port);
      const value = Number(tcp[2]);
      if (kind === 'mtls') counts.mtls += value;
      else if (kind === 'plaintext') counts.plaintext += value;
      else counts.tlsPassthrough += value;
      continue;
    }
    const rbac = RBAC_LINE.exec(line);
    const rbacPrefix = rbac ? RBAC_PREFIX.exec(rbac[2]!) : null;
    if (rbac && rbacPrefix) {
      const counts = countsOf(rbacPrefix[1]!);
      if (rbac[1] === 'denied') counts.denied += Number(rbac[3]);
      else counts.shadowDenied += Number(rbac[3]);
    }
  }
  const order = (p: string): number => (p === 'undeclared' ? Number.MAX_SAFE_INTEGER : Number(p));
  return [...byPort]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([port, { shadowDenied, ...c }]) => ({
      port,
      ...c,
      // Enforce and deny carry their rules as shadow rules too (for the denial log), so every refusal
      // is also a shadow denial: only the excess is what Audit let through. The difference stays right
      // across a live switch between Audit and Enforce, as both counters live as long as the proxy.
      auditDenied: Math.max(0, shadowDenied - c.denied),
    }));
}
