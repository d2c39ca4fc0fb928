import type { PodStatus, ProxyConfigStatus } from './model.js';
import type { PortCounters } from './proxy-counters.js';

// Short phrases for a proxy's configuration state and its per-port counters, shared by the table
// and the dashboard.

/** `current`, `stale 12s`, `REJECTED`, `not connected (expected: Pending)`, `unknown`. */
export function describeProxyConfig(config: ProxyConfigStatus): string {
  switch (config.state) {
    case 'current':
      return 'current';
    case 'stale': {
      const s = config.pendingSeconds;
      return s === undefined ? 'stale' : `stale ${s < 60 ? `${s}s` : `${Math.floor(s / 60)}m`}`;
    }
    case 'rejected':
      return 'REJECTED';
    case 'not-connected':
      return config.expected ? 'not connected (expected)' : 'NOT CONNECTED';
    case 'unknown':
      return 'unknown';
  }
}

/** `denied 3 would deny 5`: the port's authorization refusals, only what is not zero. */
export function describeDenials(c: Pick<PortCounters, 'denied' | 'auditDenied'>): string {
  return [c.denied > 0 ? `denied ${c.denied}` : '', c.auditDenied > 0 ? `would deny ${c.auditDenied}` : ''].filter(Boolean).join(' ');
}

/** `mtls 120 plain 3`, with ` tls 7` when the app's own TLS passed through (PERMISSIVE ports) and the denials when any. */
export function describeConnections(c: Omit<PortCounters, 'port'>): string {
  const denials = describeDenials(c);
  return `mtls ${c.mtls} plain ${c.plaintext}${c.tlsPassthrough > 0 ? ` tls ${c.tlsPassthrough}` : ''}${denials ? ` ${denials}` : ''}`;
}

export interface PortTraffic {
  /** A declared port, or "undeclared". */
  readonly port: string;
  /** The mode its proxy enforces (the workload's for undeclared ports). */
  readonly mode: string;
  /** Absent: the proxy counted nothing for this port (no inbound chain: not captured, or no configuration yet). */
  readonly counters?: PortCounters;
}

/** Each declared port with its mode and counters, then whatever else the proxy counted. */
export function podTraffic(pod: PodStatus): PortTraffic[] {
  const read = pod.counters?.state === 'read' ? pod.counters.ports : [];
  const declared = pod.ports.map((p): PortTraffic => {
    const counters = read.find((c) => c.port === String(p.port));
    return { port: String(p.port), mode: p.proxy ?? p.resolved, ...(counters ? { counters } : {}) };
  });
  const others = read
    .filter((c) => !pod.ports.some((p) => String(p.port) === c.port))
    .map((counters): PortTraffic => ({ port: counters.port, mode: pod.mode.mode, counters }));
  return [...declared, ...others];
}

/** `8080 STRICT mtls 120 plain 0`; `8080 STRICT none counted` when the proxy has no counter for it. */
export function describePortTraffic(t: PortTraffic): string {
  return `${t.port} ${t.mode} ${t.counters ? describeConnections(t.counters) : 'none counted'}`;
}

/** The counters part of a pod's line: per port, `counters unavailable (why)`, or undefined when not read. */
export function describePodCounters(pod: PodStatus): string | undefined {
  const c = pod.counters;
  if (!c || c.state === 'not-read') return undefined;
  if (c.state === 'unavailable') return `counters unavailable (${c.reason})`;
  const traffic = podTraffic(pod);
  return traffic.length > 0 ? traffic.map(describePortTraffic).join(', ') : 'no inbound counters';
}

/** Whether a pod gets a proxy line in the table: something to say beyond "current" or "unknown". */
export function hasProxyLine(pod: PodStatus): boolean {
  if (!pod.injected || !pod.proxyConfig) return false;
  return (pod.proxyConfig.state !== 'current' && pod.proxyConfig.state !== 'unknown') || describePodCounters(pod) !== undefined;
}

/** A pod's proxy configuration in words: the label and what it needs (types pending, the NACK, why not connected). */
export function proxyConfigText(pod: Pick<PodStatus, 'phase' | 'proxyConfig'>): string {
  const c = pod.proxyConfig;
  if (!c) return 'no proxy';
  switch (c.state) {
    case 'current':
      return 'current';
    case 'stale':
      return `${describeProxyConfig(c)}${c.pending && c.pending.length > 0 ? ` (${c.pending.join(', ')} not ACKed)` : ''}`;
    case 'rejected':
      return `REJECTED ${(c.rejected ?? []).map((r) => `${r.type}: ${r.message}`).join('; ')} (it keeps its last good configuration)`;
    case 'not-connected':
      return c.expected ? `not connected (expected: ${pod.phase === 'Running' ? 'not ready' : pod.phase})` : `NOT CONNECTED: ${c.note}`;
    case 'unknown':
      return `unknown (${c.note})`;
  }
}
