import type { KubeObject } from '../admission/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { ClusterUnavailableError } from '../kube/cluster-state.js';
import type { MeshwardConfig } from '../config/types.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { tlsAuthorizationFindings } from './authorization-tls-rules.js';
import { readAuthorizationWorld } from './cluster-reads.js';
import { tryRead } from './decisions.js';
import type { Finding } from './rules.js';

// The reads behind MW-AUTHZ-004 for a MeshTLSPolicy admission. Under the STRICT label nothing a
// MeshTLSPolicy says lowers a port (the floor), so there is nothing to read; a mesh-wide policy
// reads every namespace.

/** Whether the policy says anything but STRICT (UNSET inherits, and may inherit less). */
export function couldLower(policy: MeshTLSPolicy): boolean {
  return policy.mode !== 'STRICT' || policy.portLevelMtls.some((entry) => entry.mode !== 'STRICT');
}

/** MW-AUTHZ-004 findings, or the read that failed. */
export async function tlsAuthorizationCheck(
  candidate: MeshTLSPolicy,
  namespace: KubeObject,
  meshWide: boolean,
  deps: { readonly config: MeshwardConfig; readonly cluster: ClusterState },
): Promise<Finding[] | ClusterUnavailableError> {
  if (!meshWide && isStrictNamespace(namespace)) return [];
  const world = await tryRead(() => readAuthorizationWorld(deps.cluster, deps.config, meshWide ? 'mesh' : { namespace }));
  if (world instanceof ClusterUnavailableError) return world;
  return tlsAuthorizationFindings(candidate, { config: deps.config, ...world });
}

/**
 * When the MeshTLSPolicies could not be read, a policy outside STRICT namespaces used to pass with
 * a warning: only its conflict check was lost. It still may, unless it could lower a port an
 * allow list selects (or whether one does cannot be read either).
 */
export async function authorizationAtStake(
  candidate: MeshTLSPolicy,
  deps: { readonly config: MeshwardConfig; readonly cluster: ClusterState },
): Promise<boolean> {
  if (!couldLower(candidate)) return false;
  const meshNamespace = deps.config.mesh.namespace;
  try {
    const [own, mesh] = await Promise.all([
      deps.cluster.listAuthorizationPolicies(candidate.namespace),
      candidate.namespace === meshNamespace ? Promise.resolve([]) : deps.cluster.listAuthorizationPolicies(meshNamespace),
    ]);
    // Stored objects, not parsed: one that does not parse is still a sign an allow list is meant here.
    return own.length > 0 || mesh.some((p) => !(p.spec as { selector?: unknown } | undefined)?.selector);
  } catch {
    return true;
  }
}
