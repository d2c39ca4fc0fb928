import type { KubeObject } from '../admission/types.js';
import type { KubeApi } from '../kube/api.js';
import { kubeApi } from '../kube/client-api.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { statusOf } from '../kube/errors.js';
import { loadKubeConfig } from '../kube/kube-client.js';
import type { Resource } from '../kube/resources.js';
import type { KubeResourceObject } from '../kube/types.js';
import { readManifestPaths } from '../kube/manifests.js';
import { StaticClusterState } from '../kube/static-state.js';
import type { SecretReader } from '../status/certificate.js';
import { kubeProxyTelemetry, kubeReplicaInjections } from '../status/kube-telemetry.js';
import type { ProxyTelemetry, ReplicaReads } from '../status/telemetry.js';
import { DirectClusterState } from '../kube/direct-state.js';

// The cluster for `status` and `generate`: live (direct API reads, plus Secret reads for the
// fallback certificates' expiry and the proxies' telemetry) or offline manifests (--state / -f).

export interface OpenedCluster {
  readonly cluster: ClusterState;
  readonly secrets?: SecretReader;
  /** Live clusters: the proxies' state and counters, through the API server's pod proxy (meshward's namespace given). */
  readonly telemetry?: (meshNamespace: string) => ProxyTelemetry;
  /** Live clusters: each replica's GET /injection body (what it injects now). */
  readonly replicaInjections?: (meshNamespace: string) => Promise<ReplicaReads<string>>;
  /** What the cluster is, for messages: the kubeconfig's server or the manifest files. */
  readonly origin: string;
  close(): Promise<void>;
}

export type ClusterSource =
  | {
      readonly kind: 'live';
      readonly kubeconfig: string;
      /** fresh reads (the dashboard) instead of one snapshot */ readonly fresh?: boolean;
    }
  | { readonly kind: 'manifests'; readonly paths: readonly string[] };

export function openManifestCluster(paths: readonly string[]): OpenedCluster {
  const objects: KubeObject[] = readManifestPaths(paths).map((s) => s.object);
  return { cluster: new StaticClusterState(objects), origin: paths.join(', '), close: async () => undefined };
}

/** Secret reads for the status report: a 403 is said in words (a missing grant, not an outage). */
function secretReader(api: Pick<KubeApi, 'get'>): SecretReader {
  return {
    async get<T extends KubeResourceObject>(r: Resource<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
      try {
        return await api.get(r, namespace, name);
      } catch (err) {
        throw new Error(statusOf(err) === 403 ? 'forbidden (no RBAC to get Secrets)' : (err as Error).message);
      }
    },
  };
}

/**
 * The live cluster, read directly (DirectClusterState): a snapshot for one command, or fresh
 * reads for a long-running dashboard. Fails with ClusterUnavailableError when it cannot list
 * namespaces, so an unreachable cluster is reported, not shown as empty.
 */
export async function openLiveCluster(kubeconfig: string, options: { snapshot: boolean } = { snapshot: true }): Promise<OpenedCluster> {
  const kc = loadKubeConfig(kubeconfig);
  const api = kubeApi(kc);
  const cluster = new DirectClusterState(api, options.snapshot);
  await cluster.listNamespaces();
  return {
    cluster,
    secrets: secretReader(api),
    telemetry: (meshNamespace) => kubeProxyTelemetry(api, meshNamespace),
    replicaInjections: (meshNamespace) => kubeReplicaInjections(api, meshNamespace),
    origin: kc.getCurrentCluster()?.server ?? 'the cluster',
    close: async () => undefined,
  };
}

export async function openCluster(source: ClusterSource): Promise<OpenedCluster> {
  return source.kind === 'live'
    ? openLiveCluster(source.kubeconfig, { snapshot: source.fresh !== true })
    : openManifestCluster(source.paths);
}
