import type { KubeObject } from '../admission/types.js';
import type { ClusterState } from './cluster-state.js';

/**
 * A ClusterState whose implementation is still loading: `meshward serve` imports the Kubernetes
 * client (about 90 MB of RSS) only when it talks to a cluster, never in --offline mode.
 */
export function deferredClusterState(loading: Promise<ClusterState>): ClusterState {
  return {
    getNamespace: async (name: string): Promise<KubeObject | undefined> => (await loading).getNamespace(name),
    listPolicies: async (namespace: string): Promise<KubeObject[]> => (await loading).listPolicies(namespace),
    listAllPolicies: async (): Promise<KubeObject[]> => (await loading).listAllPolicies(),
    listAuthorizationPolicies: async (namespace: string): Promise<KubeObject[]> => (await loading).listAuthorizationPolicies(namespace),
    listAllAuthorizationPolicies: async (): Promise<KubeObject[]> => (await loading).listAllAuthorizationPolicies(),
    listNamespaces: async (): Promise<KubeObject[]> => (await loading).listNamespaces(),
    listPods: async (namespace: string): Promise<KubeObject[]> => (await loading).listPods(namespace),
  };
}
