// Per-port connection counters of a proxy, read from its Prometheus metrics (15090): the inbound
// listener gives every filter chain its own stat prefix, inbound|<port>|<mtls|plaintext|tls-passthrough>,
// so Envoy's tcp_proxy counts connections per port and per kind. They tell an operator whether
// anything still arrives in plaintext before a port is made STRICT.

export interface PortCounters {
  /** A container port, or "undeclared" (ports the pod does not declare). */
  readonly port: string;
  readonly mtls: number;
  readonly plaintext: number;
  /** The app's own TLS passed through untouched (PERMISSIVE ports). */
  readonly tlsPassthrough: number;
}

const LINE = /^envoy_tcp_downstream_cx_total\{([^}]*)\}\s+([0-9.eE+]+)/;
const PREFIX = /envoy_tcp_prefix="inbound\|([^|"]+)\|(mtls|plaintext|tls-passthrough)"/;

/** Counters by port, ascending (undeclared last); ports never connected to are absent. */
export function parseInboundCounters(prometheusText: string): PortCounters[] {
  const byPort = new Map<string, { mtls: number; plaintext: number; tlsPassthrough: number }>();
  for (const line of prometheusText.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const p = PREFIX.exec(m[1]!);
    if (!p) continue;
    const [, port, kind] = p as unknown as [string, string, 'mtls' | 'plaintext' | 'tls-passthrough'];
    const counts = byPort.get(port) ?? { mtls: 0, plaintext: 0, tlsPassthrough: 0 };
    const value = Number(m[2]);
    if (kind === 'mtls') counts.mtls += value;
    else if (kind === 'plaintext') counts.plaintext += value;
    else counts.tlsPassthrough += value;
    byPort.set(port, counts);
  }
  const order = (p: string): number => (p === 'undeclared' ? Number.MAX_SAFE_INTEGER : Number(p));
  return [...byPort].sort(([a], [b]) => order(a) - order(b)).map(([port, c]) => ({ port, ...c }));
}
