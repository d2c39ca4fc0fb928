import type { PortCounters } from './proxy-counters.js';

// What status reads from the running mesh besides the stored objects: each meshward replica's
// view of the proxies it serves (GET /xds/proxies) and each proxy's inbound counters. Passed in
// as an interface, so the decisions (proxy-state.ts) get plain data and tests pass a fake.

/** One xDS type of a proxy as a replica reports it (Listener, Cluster, ClusterLoadAssignment). */
export interface ReplicaProxyType {
  readonly sent?: string;
  /** RFC 3339: when `sent` was pushed (older replicas leave it out). */
  readonly sentAt?: string;
  readonly acked?: string;
  /** Envoy's message for the last refused version; cleared by the next ACK. */
  readonly nack?: string;
  readonly nackedVersion?: string;
}

/**
 * One connected proxy in a replica's GET /xds/proxies answer ({ proxies: [...] }). The shape
 * `meshward serve` writes (xds/ads-server.ts ProxyState), restated here: status reads the wire,
 * it does not import the control plane.
 */
export interface ReplicaProxy {
  readonly namespace: string;
  readonly pod: string;
  readonly connectedAt: string;
  readonly upToDate: boolean;
  readonly types: Readonly<Record<string, ReplicaProxyType>>;
}

/** One meshward replica's answer, or why it gave none. */
export type ReplicaAnswer =
  { readonly replica: string; readonly proxies: readonly ReplicaProxy[] } | { readonly replica: string; readonly error: string };

/** One replica's parsed answer to a GET, or why it gave none. */
export type ReplicaRead<T> = { readonly replica: string; readonly answer: T } | { readonly replica: string; readonly error: string };

/** Every Running replica's read; `error` when the replicas themselves could not be listed. */
export interface ReplicaReads<T> {
  readonly replicas: readonly ReplicaRead<T>[];
  readonly error?: string;
}

export interface ControlPlaneStates {
  /** Every Running meshward replica, answered or not. */
  readonly replicas: readonly ReplicaAnswer[];
  /** Set when the replicas themselves could not be listed: nothing is known. */
  readonly error?: string;
}

export interface ProxyTelemetry {
  /** Every replica's proxies. Never rejects: a replica that does not answer is an entry with its error. */
  controlPlaneStates(): Promise<ControlPlaneStates>;
  /** The pod's inbound counters by port; rejects (with the reason) when its metrics cannot be read. */
  inboundCounters(namespace: string, pod: string): Promise<PortCounters[]>;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function typeOf(v: unknown): ReplicaProxyType {
  const t = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const fields = ['sent', 'sentAt', 'acked', 'nack', 'nackedVersion'] as const;
  return Object.fromEntries(fields.filter((f) => text(t[f]) !== undefined).map((f) => [f, text(t[f])]));
}

/** The proxies of a GET /xds/proxies body; throws when it is not that JSON. Malformed entries are skipped. */
export function parseReplicaProxies(body: string): ReplicaProxy[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('the answer is not JSON');
  }
  const list = (parsed as { proxies?: unknown } | null)?.proxies;
  if (!Array.isArray(list)) throw new Error('the answer has no proxies list');
  const out: ReplicaProxy[] = [];
  for (const entry of list as unknown[]) {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const { namespace, pod, connectedAt } = { namespace: text(e.namespace), pod: text(e.pod), connectedAt: text(e.connectedAt) };
    if (!namespace || !pod) continue;
    const types = typeof e.types === 'object' && e.types !== null ? (e.types as Record<string, unknown>) : {};
    out.push({
      namespace,
      pod,
      connectedAt: connectedAt ?? '',
      upToDate: e.upToDate === true,
      types: Object.fromEntries(Object.entries(types).map(([k, v]) => [k, typeOf(v)])),
    });
  }
  return out;
}
