import { mapBounded } from './bounded.js';
import type { PodCounters, ReplicaStatus, TelemetryStatus } from './model.js';
import type { PortCounters } from './proxy-counters.js';
import { mergeControlPlane, unknownView, type ControlPlaneView } from './proxy-state.js';
import type { ControlPlaneStates, ProxyTelemetry } from './telemetry.js';

// The one place status reads the running mesh: the replicas' view of the proxies, and the
// counters of every Running injected pod's proxy, a bounded number at a time. Failures become
// data (a replica's error, a pod's "counters unavailable"): they never fail the report.

export const OFFLINE = 'offline: manifests carry no proxy state';
/** Counter reads in flight at once (each has its own deadline in the ProxyTelemetry). */
export const COUNTER_READS_AT_ONCE = 8;

export interface TelemetryRequest {
  /** Absent: nothing is read, every proxy is unknown (for `unavailable`'s reason). */
  readonly telemetry?: ProxyTelemetry;
  readonly unavailable?: string;
  /** false: the replicas only, no read per pod (--no-proxy-stats). */
  readonly proxyStats?: boolean;
  readonly concurrency?: number;
}

export type CountersRead = { readonly ports: readonly PortCounters[] } | { readonly error: string };

export interface TelemetryData {
  readonly view: ControlPlaneView;
  /** By "<namespace>/<pod>": each read pod's counters or the reason they could not be read. */
  readonly counters: ReadonlyMap<string, CountersRead>;
  /** Why no pod's counters were read (offline, --no-proxy-stats); absent when they were. */
  readonly countersNotRead?: string;
  readonly status: TelemetryStatus;
}

export interface CounterTarget {
  readonly namespace: string;
  readonly name: string;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function replicaStatuses(states: ControlPlaneStates): ReplicaStatus[] {
  return states.replicas.map((r) => ('error' in r ? { name: r.replica, error: r.error } : { name: r.replica, proxies: r.proxies.length }));
}

function controlPlaneNote(states: ControlPlaneStates, replicas: readonly ReplicaStatus[]): string {
  if (states.error !== undefined) return states.error;
  if (replicas.length === 0) return 'no meshward replica is running';
  const answered = replicas.filter((r) => r.error === undefined);
  const failed = replicas.filter((r) => r.error !== undefined);
  return [
    `${answered.length} of ${replicas.length} replica(s) answered${answered.length > 0 ? ` (${answered.map((r) => `${r.name}: ${r.proxies}`).join(', ')})` : ''}`,
    ...failed.map((r) => `${r.name} did not: ${r.error}`),
  ].join('; ');
}

/** Reads what `targets` (the Running injected pods) and the replicas tell. */
export async function readTelemetry(req: TelemetryRequest, targets: readonly CounterTarget[]): Promise<TelemetryData> {
  const t = req.telemetry;
  if (!t) {
    const why = req.unavailable ?? OFFLINE;
    const status = { controlPlane: { read: false, note: why, replicas: [] }, counters: { read: false, note: why } };
    return { view: unknownView(why), counters: new Map(), countersNotRead: why, status };
  }
  const skipped = req.proxyStats === false ? 'not read (--no-proxy-stats)' : undefined;
  const [states, reads] = await Promise.all([
    t
      .controlPlaneStates()
      .catch((err: unknown): ControlPlaneStates => ({ replicas: [], error: `cannot read the replicas: ${message(err)}` })),
    skipped
      ? Promise.resolve([] as CountersRead[])
      : mapBounded(targets, req.concurrency ?? COUNTER_READS_AT_ONCE, async (p): Promise<CountersRead> => {
          try {
            return { ports: await t.inboundCounters(p.namespace, p.name) };
          } catch (err) {
            return { error: message(err) };
          }
        }),
  ]);
  const counters = new Map(reads.map((read, i) => [`${targets[i]!.namespace}/${targets[i]!.name}`, read]));
  const failed = reads.filter((r) => 'error' in r).length;
  const replicas = replicaStatuses(states);
  const countersNote =
    skipped ??
    `read from ${reads.length - failed} of ${targets.length} Running injected pod(s)${failed > 0 ? `, ${failed} unavailable` : ''}`;
  return {
    view: mergeControlPlane(states),
    counters,
    ...(skipped ? { countersNotRead: skipped } : {}),
    status: {
      controlPlane: { read: states.error === undefined, note: controlPlaneNote(states, replicas), replicas },
      counters: { read: skipped === undefined, note: countersNote },
    },
  };
}

/** An injected pod's counters as the report shows them. */
export function podCounters(namespace: string, name: string, phase: string, data: TelemetryData): PodCounters {
  if (data.countersNotRead !== undefined) return { state: 'not-read', reason: data.countersNotRead };
  const read = data.counters.get(`${namespace}/${name}`);
  if (!read) return { state: 'not-read', reason: `the pod is ${phase}` };
  return 'error' in read ? { state: 'unavailable', reason: read.error } : { state: 'read', ports: read.ports };
}
