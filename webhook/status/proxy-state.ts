import { formatDuration } from './certificate.js';
import type { ProxyConfigStatus } from './model.js';
import type { ControlPlaneStates, ReplicaProxy } from './telemetry.js';

// A pod's proxy configuration state from the replicas' answers, with no I/O. A proxy holds one ADS
// stream, to one replica at a time; while it reconnects, the replica it left may still list it
// for a moment, so the newest connection wins. A proxy that no answering replica lists is only
// "not connected" when every replica answered: otherwise it may be the silent one's.

export interface ServedProxy extends ReplicaProxy {
  readonly replica: string;
}

export interface ControlPlaneView {
  /** Set when the replicas were not read at all (offline, no access): every state is unknown, for this reason. */
  readonly unknown?: string;
  /** By "<namespace>/<pod>". */
  readonly proxies: ReadonlyMap<string, ServedProxy>;
  /** Running replicas, answered or not. */
  readonly replicas: number;
  readonly unanswered: ReadonlyArray<{ readonly replica: string; readonly error: string }>;
}

export interface PodFacts {
  readonly namespace: string;
  readonly name: string;
  readonly phase: string;
  readonly ready: boolean;
}

export function unknownView(reason: string): ControlPlaneView {
  return { unknown: reason, proxies: new Map(), replicas: 0, unanswered: [] };
}

/** One view over every replica's answer. */
export function mergeControlPlane(states: ControlPlaneStates): ControlPlaneView {
  if (states.error !== undefined) return unknownView(states.error);
  const proxies = new Map<string, ServedProxy>();
  const unanswered: Array<{ replica: string; error: string }> = [];
  for (const answer of states.replicas) {
    if ('error' in answer) {
      unanswered.push({ replica: answer.replica, error: answer.error });
      continue;
    }
    for (const proxy of answer.proxies) {
      const key = `${proxy.namespace}/${proxy.pod}`;
      const seen = proxies.get(key);
      if (!seen || Date.parse(proxy.connectedAt) > Date.parse(seen.connectedAt)) proxies.set(key, { ...proxy, replica: answer.replica });
    }
  }
  return { proxies, replicas: states.replicas.length, unanswered };
}

function servedState(proxy: ServedProxy, now: Date): ProxyConfigStatus {
  const where = { replica: proxy.replica, ...(proxy.connectedAt ? { connectedAt: proxy.connectedAt } : {}) };
  const types = Object.entries(proxy.types).sort(([a], [b]) => a.localeCompare(b));
  // A NACK stands until the next ACK; it is this proxy's answer only if it refused what was sent last.
  const rejected = types
    .filter(([, t]) => t.nack !== undefined && (t.nackedVersion === undefined || t.nackedVersion === t.sent))
    .map(([type, t]) => ({ type, version: t.nackedVersion ?? t.sent ?? '', message: t.nack! }));
  if (rejected.length > 0) {
    const what = rejected.map((r) => `${r.type} ${r.version}: ${r.message}`).join('; ');
    return { state: 'rejected', ...where, rejected, note: `rejected ${what}; it keeps its last good configuration` };
  }
  const pending = types.filter(([, t]) => t.sent === undefined || t.acked !== t.sent);
  if (types.length === 0) return { state: 'stale', ...where, pending: [], note: `connected to ${proxy.replica}, nothing sent yet` };
  if (pending.length === 0) return { state: 'current', ...where, note: `ACKed the latest configuration from ${proxy.replica}` };
  const sentAt = pending.map(([, t]) => Date.parse(t.sentAt ?? '')).filter((t) => !Number.isNaN(t));
  const seconds = sentAt.length > 0 ? Math.max(0, Math.round((now.getTime() - Math.min(...sentAt)) / 1000)) : undefined;
  const names = pending.map(([type]) => type);
  const earlier = pending.find(([, t]) => t.nack !== undefined)?.[1].nack;
  return {
    state: 'stale',
    ...where,
    pending: names,
    ...(seconds !== undefined ? { pendingSeconds: seconds } : {}),
    note:
      `sent, not ACKed yet${seconds !== undefined ? ` for ${seconds < 60 ? `${seconds}s` : formatDuration(seconds)}` : ''} (${names.join(', ')})` +
      (earlier ? `; it refused the version before: ${earlier}` : ''),
  };
}

/** The proxy configuration state of an injected pod. */
export function proxyConfigState(pod: PodFacts, view: ControlPlaneView, now: Date): ProxyConfigStatus {
  if (view.unknown !== undefined) return { state: 'unknown', note: view.unknown };
  const served = view.proxies.get(`${pod.namespace}/${pod.name}`);
  if (served) return servedState(served, now);
  if (view.unanswered.length > 0) {
    const silent = view.unanswered.map((u) => `${u.replica} (${u.error})`).join(', ');
    return { state: 'unknown', note: `no replica that answered serves it; not answering: ${silent}` };
  }
  const expected = !(pod.phase === 'Running' && pod.ready);
  if (expected) {
    const why = pod.phase === 'Running' ? 'Running but not ready' : pod.phase;
    return { state: 'not-connected', expected, note: `not connected, as expected: the pod is ${why}` };
  }
  const why = view.replicas === 0 ? 'no meshward replica is running' : 'no meshward replica serves its proxy';
  return { state: 'not-connected', expected, note: `${why}, so it has no live configuration` };
}

/** Ready condition True. */
export function podReady(status: unknown): boolean {
  const conditions = (status as { conditions?: unknown } | undefined)?.conditions;
  return (
    Array.isArray(conditions) && conditions.some((c: { type?: unknown; status?: unknown }) => c?.type === 'Ready' && c.status === 'True')
  );
}
