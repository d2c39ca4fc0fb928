import type { KubeObject } from '../admission/types.js';
import type { PodCounts, PodStatus, WorkloadPort, WorkloadStatus } from './model.js';
import { workloadOf } from './workload-owner.js';

// Groups pod statuses into workloads and sums them up per port.

function single<T extends string>(values: readonly T[]): T | 'mixed' {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? distinct[0]! : 'mixed';
}

/** Running, ready pods with a proxy that no replica serves: their proxies have no live configuration. */
export function isDisconnected(pod: PodStatus): boolean {
  return pod.proxyConfig?.state === 'not-connected' && pod.proxyConfig.expected === false;
}

export function podCounts(pods: readonly PodStatus[]): PodCounts {
  return {
    meshed: pods.filter((p) => p.injected).length,
    total: pods.length,
    restart: pods.filter((p) => p.restart).length,
    stale: pods.filter((p) => p.proxyConfig?.state === 'stale').length,
    rejected: pods.filter((p) => p.proxyConfig?.state === 'rejected').length,
    disconnected: pods.filter(isDisconnected).length,
  };
}

export function workloadPorts(pods: readonly PodStatus[]): WorkloadPort[] {
  const ports = [...new Set(pods.flatMap((p) => p.ports.map((port) => port.port)))].sort((a, b) => a - b);
  return ports.map((port) => {
    const entries = pods.map((pod) => ({ pod, entry: pod.ports.find((p) => p.port === port) }));
    const resolved = single(entries.map(({ pod, entry }) => entry?.resolved ?? pod.mode.mode));
    const proxy = single(entries.map(({ pod, entry }) => (pod.injected ? (entry?.proxy ?? 'mixed') : 'none')));
    const authorizations = entries.map(({ entry }) => entry?.authorization);
    const first = authorizations[0];
    const same = first !== undefined && authorizations.every((a) => JSON.stringify(a) === JSON.stringify(first));
    return { port, resolved, proxy, authorization: same ? first : 'mixed' };
  });
}

/** Workloads with their pods, sorted by name then kind; pods sorted by name. */
export function groupWorkloads(pods: ReadonlyArray<{ readonly object: KubeObject; readonly status: PodStatus }>): WorkloadStatus[] {
  const groups = new Map<string, { kind: string; name: string; pods: PodStatus[] }>();
  for (const { object, status } of pods) {
    const ref = workloadOf(object);
    const key = `${ref.kind}/${ref.name}`;
    const group = groups.get(key) ?? { ...ref, pods: [] };
    group.pods.push(status);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => {
      const sorted = [...g.pods].sort((a, b) => a.name.localeCompare(b.name));
      return {
        kind: g.kind,
        name: g.name,
        ...podCounts(sorted),
        violations: sorted.reduce((n, p) => n + p.violations.length, 0),
        ports: workloadPorts(sorted),
        pods: sorted,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}
