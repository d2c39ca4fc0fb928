import { authorizationScope, formatPorts, portsOverlap } from './authorization-policy.js';
import type { MeshAuthorizationPolicy } from './authorization-types.js';
import { formatSelector, selectorsOverlap } from './label-selector.js';
import { policyRef, samePolicy } from './mesh-tls-policy.js';

// Allow lists add up, so two policies on one port are not ambiguous by themselves. What is:
// - a second selector-less policy in a namespace (namespace-wide, or mesh-wide in the mesh
//   namespace): which one to edit would be a guess, as for MeshTLSPolicy;
// - a second workload policy with the identical selector and a shared port: the same;
// - two policies that can select the same pod and port but say Enforce and Audit: whether that
//   port denies would depend on which one is read.

export type AuthorizationConflictKind = 'second-namespace-wide' | 'duplicate-selector' | 'enforcement-differs';

export interface AuthorizationConflict {
  readonly kind: AuthorizationConflictKind;
  /** The policy already there (`namespace/name`). */
  readonly existing: string;
  readonly detail: string;
}

/** Whether some pod of the mesh can be selected by both (mesh-wide policies select every namespace). */
function sameWorkloadPossible(a: MeshAuthorizationPolicy, b: MeshAuthorizationPolicy, meshNamespace: string): boolean {
  if (authorizationScope(a, meshNamespace) === 'mesh-wide' || authorizationScope(b, meshNamespace) === 'mesh-wide') return true;
  return a.namespace === b.namespace && selectorsOverlap(a.selector, b.selector);
}

function conflictWith(
  candidate: MeshAuthorizationPolicy,
  other: MeshAuthorizationPolicy,
  meshNamespace: string,
): AuthorizationConflict | undefined {
  const existing = policyRef(other);
  const scope = authorizationScope(candidate, meshNamespace);
  if (scope !== 'workload' && authorizationScope(other, meshNamespace) === scope && other.namespace === candidate.namespace) {
    const what = scope === 'mesh-wide' ? 'mesh-wide' : 'namespace-wide';
    return { kind: 'second-namespace-wide', existing, detail: `${existing} is already the ${what} authorization policy` };
  }
  const sharedPorts = portsOverlap(candidate.ports, other.ports);
  if (
    scope === 'workload' &&
    other.selector &&
    other.namespace === candidate.namespace &&
    formatSelector(other.selector) === formatSelector(candidate.selector) &&
    sharedPorts
  ) {
    return {
      kind: 'duplicate-selector',
      existing,
      detail: `${existing} already selects ${formatSelector(candidate.selector)} (${formatPorts(other.ports)})`,
    };
  }
  if (candidate.enforcement !== other.enforcement && sharedPorts && sameWorkloadPossible(candidate, other, meshNamespace)) {
    return {
      kind: 'enforcement-differs',
      existing,
      detail: `${existing} (${other.enforcement}, ${other.selector ? `selector ${formatSelector(other.selector)}` : 'no selector'}, ${formatPorts(other.ports)}) selects the same pods and ports as ${candidate.enforcement}`,
    };
  }
  return undefined;
}

/**
 * The conflicts a candidate would create with `others` (policies of its namespace, plus the
 * mesh-wide ones; every policy when the candidate is mesh-wide). The candidate itself (same
 * namespace/name: an UPDATE) is never a conflict. Pure; sorted by the other policy.
 */
export function findAuthorizationConflicts(
  candidate: MeshAuthorizationPolicy,
  others: readonly MeshAuthorizationPolicy[],
  meshNamespace: string,
): AuthorizationConflict[] {
  return others
    .filter((other) => !samePolicy(other, candidate))
    .map((other) => conflictWith(candidate, other, meshNamespace))
    .filter((c): c is AuthorizationConflict => c !== undefined)
    .sort((a, b) => (a.existing < b.existing ? -1 : a.existing > b.existing ? 1 : 0));
}
