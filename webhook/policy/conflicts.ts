import { formatSelector, selectorsOverlap } from './label-selector.js';
import { policyRef, policyScope, samePolicy, type MeshTLSPolicy } from './mesh-tls-policy.js';

// Where Istio silently lets the oldest of two competing policies win, meshward refuses the second
// one. Two kinds of ambiguity, in any namespace:
// - a second selector-less policy in a namespace (namespace-wide, or mesh-wide in the mesh namespace);
// - two workload policies whose selectors can match the same pod but which say different things
//   (mode or port entries: the loser's port entries would be dropped, not merged).

export type ConflictKind = 'second-namespace-wide' | 'overlapping-selectors';

export interface PolicyConflict {
  readonly kind: ConflictKind;
  /** The policy already there (`namespace/name`). */
  readonly existing: string;
  readonly detail: string;
}

function portsKey(policy: MeshTLSPolicy): string {
  return policy.portLevelMtls.map((entry) => `${entry.port}=${entry.mode}`).join(',');
}

function describeDifference(a: MeshTLSPolicy, b: MeshTLSPolicy): string | undefined {
  if (a.mode !== b.mode) return `modes differ (${a.mode} vs ${b.mode})`;
  if (portsKey(a) !== portsKey(b)) return `port entries differ ({${portsKey(a) || 'none'}} vs {${portsKey(b) || 'none'}})`;
  return undefined;
}

/**
 * The conflicts a candidate policy would create with the policies of its namespace. The candidate
 * itself (same namespace/name: an UPDATE) is never a conflict. Pure.
 */
export function findPolicyConflicts(
  candidate: MeshTLSPolicy,
  namespacePolicies: readonly MeshTLSPolicy[],
  meshNamespace: string,
): PolicyConflict[] {
  const others = namespacePolicies.filter((p) => p.namespace === candidate.namespace && !samePolicy(p, candidate));
  const conflicts: PolicyConflict[] = [];
  const scope = policyScope(candidate, meshNamespace);
  for (const other of others) {
    if (scope !== 'workload' && !other.selector) {
      const what = scope === 'mesh-wide' ? 'mesh-wide' : 'namespace-wide';
      conflicts.push({
        kind: 'second-namespace-wide',
        existing: policyRef(other),
        detail: `${policyRef(other)} is already the ${what} policy`,
      });
      continue;
    }
    if (scope === 'workload' && other.selector && selectorsOverlap(candidate.selector, other.selector)) {
      const difference = describeDifference(candidate, other);
      if (!difference) continue;
      conflicts.push({
        kind: 'overlapping-selectors',
        existing: policyRef(other),
        detail: `selector ${formatSelector(candidate.selector)} overlaps ${policyRef(other)} (${formatSelector(other.selector)}) and ${difference}`,
      });
    }
  }
  return conflicts;
}
