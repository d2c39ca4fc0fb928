import { kubeApi } from './client-api.js';
import { DirectClusterState } from './direct-state.js';
import type { ClusterState } from './cluster-state.js';
import { loadKubeConfig } from './kube-client.js';

/**
 * One consistent, read-once view of a live cluster for one-shot CLI commands (`check
 * --kubeconfig`): direct reads, so an unreachable API server is an error, never an empty cluster.
 */
export async function openLiveClusterState(kubeconfigPath: string): Promise<ClusterState> {
  return new DirectClusterState(kubeApi(loadKubeConfig(kubeconfigPath)), true);
}
