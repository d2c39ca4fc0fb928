import { PORTS } from '../config/names.js';
import type { KubeApi } from '../kube/api.js';
import { KubeApiError, statusOf } from '../kube/errors.js';
import { PODS } from '../kube/resources.js';
import { mapBounded } from './bounded.js';
import { parseInboundCounters, type PortCounters } from './proxy-counters.js';
import {
  parseReplicaProxies,
  type ControlPlaneStates,
  type ProxyTelemetry,
  type ReplicaAnswer,
  type ReplicaRead,
  type ReplicaReads,
} from './telemetry.js';

// Reads over the API server's pod proxy, with the caller's own credentials: the replicas'
// GET /xds/proxies and GET /injection (their HTTPS port) and each proxy's GET /stats/prometheus
// (its metrics port).
// Every read has a deadline, so one hung pod costs seconds, not the whole report.

/** How meshward's own pods are labelled (manifests/base/deployment.yaml). */
export const MESHWARD_POD_SELECTOR = 'app.kubernetes.io/name=meshward';
/** The replicas' HTTPS container port, which serves GET /xds/proxies and GET /injection. */
export const MESHWARD_HTTPS_PORT = 8443;
export const TELEMETRY_TIMEOUT_MS = 3000;

/** The reads it makes: list meshward's pods, GET through pods/proxy. */
export type PodProxyReader = Pick<KubeApi, 'list' | 'proxyGet'>;

export interface KubeTelemetryOptions {
  /** Per request; default TELEMETRY_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Replicas read at once; default 8. */
  readonly concurrency?: number;
}

/** A failed read in a few words: a missing grant says so, the rest is the API server's message. */
export function readFailure(err: unknown, what: string): string {
  // The deadline's own message names the whole request; the reader knows which pod it is.
  if (err instanceof KubeApiError && err.reason === 'Timeout') return err.message.slice(err.message.lastIndexOf(': ') + 2);
  if (statusOf(err) === 403) return `forbidden: no RBAC to get pods/proxy (${what})`;
  if (statusOf(err) === 404) return `${what}: not found`;
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 160 ? `${message.slice(0, 159)}…` : message;
}

function isRunning(pod: { status?: unknown; metadata: { deletionTimestamp?: unknown } }): boolean {
  return (pod.status as { phase?: unknown } | undefined)?.phase === 'Running' && pod.metadata.deletionTimestamp === undefined;
}

/** Each Running replica's answer to GET `path` on its HTTPS port, in name order; never rejects. */
async function askReplicas<T>(
  api: PodProxyReader,
  meshNamespace: string,
  path: string,
  parse: (body: string) => T,
  options: KubeTelemetryOptions,
): Promise<ReplicaReads<T>> {
  let names: string[];
  try {
    const pods = await api.list(PODS, { namespace: meshNamespace, labelSelector: MESHWARD_POD_SELECTOR });
    names = pods.items.filter(isRunning).map((p) => p.metadata.name);
  } catch (err) {
    const reason = statusOf(err) === 403 ? `forbidden: no RBAC to list pods in ${meshNamespace}` : readFailure(err, 'list');
    return { replicas: [], error: `cannot list meshward's pods: ${reason}` };
  }
  const timeoutMs = options.timeoutMs ?? TELEMETRY_TIMEOUT_MS;
  const replicas = await mapBounded(names.sort(), options.concurrency ?? 8, async (replica): Promise<ReplicaRead<T>> => {
    try {
      return {
        replica,
        answer: parse(await api.proxyGet(PODS, meshNamespace, replica, { scheme: 'https', port: MESHWARD_HTTPS_PORT, path, timeoutMs })),
      };
    } catch (err) {
      // 404 from the replica itself: a meshward that predates the endpoint.
      return { replica, error: statusOf(err) === 404 ? `no GET ${path} (an older meshward?)` : readFailure(err, path) };
    }
  });
  return { replicas };
}

/** Every Running replica's GET /injection body (what it injects now), unparsed. */
export function kubeReplicaInjections(
  api: PodProxyReader,
  meshNamespace: string,
  options: KubeTelemetryOptions = {},
): Promise<ReplicaReads<string>> {
  return askReplicas(api, meshNamespace, '/injection', (body) => body, options);
}

export function kubeProxyTelemetry(api: PodProxyReader, meshNamespace: string, options: KubeTelemetryOptions = {}): ProxyTelemetry {
  const timeoutMs = options.timeoutMs ?? TELEMETRY_TIMEOUT_MS;
  return {
    async controlPlaneStates(): Promise<ControlPlaneStates> {
      const { replicas, error } = await askReplicas(api, meshNamespace, '/xds/proxies', parseReplicaProxies, options);
      return {
        replicas: replicas.map((r): ReplicaAnswer => ('error' in r ? r : { replica: r.replica, proxies: r.answer })),
        ...(error ? { error } : {}),
      };
    },
    async inboundCounters(namespace: string, pod: string): Promise<PortCounters[]> {
      try {
        const body = await api.proxyGet(PODS, namespace, pod, { port: PORTS.metrics, path: '/stats/prometheus', timeoutMs });
        return parseInboundCounters(body);
      } catch (err) {
        throw new Error(readFailure(err, `:${PORTS.metrics}/stats/prometheus`), { cause: err });
      }
    },
  };
}
