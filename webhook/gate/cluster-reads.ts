import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import type { NamespaceModes } from '../policy/authorization-enforceability.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
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

/** What an authorization check reads: see authorization-rules.ts. */
export interface AuthorizationWorld {
  readonly meshTlsPolicies: readonly MeshTLSPolicy[];
  readonly namespaces: readonly NamespaceModes[];
  readonly authorizationPolicies: readonly MeshAuthorizationPolicy[];
}

/**
 * One namespace (its policies of both kinds, plus the mesh namespace's), or with `'mesh'` every
 * namespace and every policy: what a mesh-wide policy of either kind can touch.
 */
export async function readAuthorizationWorld(
  cluster: ClusterState,
  config: Pick<MeshwardConfig, 'mesh'>,
  scope: { readonly namespace: KubeObject } | 'mesh',
): Promise<AuthorizationWorld> {
  const meshNamespace = config.mesh.namespace;
  if (scope === 'mesh') {
    const [namespaces, tls, authz] = await Promise.all([
      cluster.listNamespaces(),
      cluster.listAllPolicies(),
      cluster.listAllAuthorizationPolicies(),
    ]);
    const tlsPolicies = parseStoredPolicies(tls).policies;
    return {
      meshTlsPolicies: tlsPolicies.filter((p) => p.namespace === meshNamespace),
      namespaces: namespaces
        .filter((ns) => ns.metadata?.name)
        .map((ns) => ({
          name: ns.metadata!.name!,
          strict: isStrictNamespace(ns),
          tlsPolicies: tlsPolicies.filter((p) => p.namespace === ns.metadata!.name),
        })),
      authorizationPolicies: parseStoredAuthorizationPolicies(authz).policies,
    };
  }
  const name = scope.namespace.metadata?.name ?? '';
  const [set, own, mesh] = await Promise.all([
    readPolicySet(cluster, config, name),
    cluster.listAuthorizationPolicies(name),
    name === meshNamespace ? Promise.resolve([]) : cluster.listAuthorizationPolicies(meshNamespace),
  ]);
  return {
    meshTlsPolicies: set.meshPolicies,
    namespaces: [{ name, strict: isStrictNamespace(scope.namespace), tlsPolicies: set.namespacePolicies }],
    authorizationPolicies: parseStoredAuthorizationPolicies([...own, ...mesh]).policies,
  };
}
