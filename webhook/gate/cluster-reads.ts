import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { parseStoredPolicies } from '../policy/parse-policy.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import type { StrictNamespacePolicies } from './policy-rules.js';

// The reads the handler needs, parsed. Each throws ClusterUnavailableError like ClusterState.
// Stored policies that do not parse (older than the CRD's schema) are skipped by every reader.

export async function readPolicies(cluster: ClusterState, namespace: string): Promise<MeshTLSPolicy[]> {
  return parseStoredPolicies(await cluster.listPolicies(namespace)).policies;
}

export interface NamespacePolicySet {
  readonly meshPolicies: MeshTLSPolicy[];
  readonly namespacePolicies: MeshTLSPolicy[];
}

export async function readPolicySet(
  cluster: ClusterState,
  config: Pick<MeshwardConfig, 'mesh'>,
  namespace: string,
): Promise<NamespacePolicySet> {
  const namespacePolicies = await readPolicies(cluster, namespace);
  const meshPolicies = namespace === config.mesh.namespace ? namespacePolicies : await readPolicies(cluster, config.mesh.namespace);
  return { meshPolicies, namespacePolicies };
}

/** Every STRICT namespace with its policies (for a mesh-wide policy's effect). */
export async function readStrictNamespaces(cluster: ClusterState): Promise<StrictNamespacePolicies[]> {
  const [namespaces, all] = await Promise.all([cluster.listNamespaces(), cluster.listAllPolicies()]);
  const policies = parseStoredPolicies(all).policies;
  return namespaces
    .filter((ns) => isStrictNamespace(ns) && ns.metadata?.name)
    .map((ns) => ({ name: ns.metadata!.name!, policies: policies.filter((p) => p.namespace === ns.metadata!.name) }));
}
