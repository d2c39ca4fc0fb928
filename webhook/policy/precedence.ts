import type { MeshTLSPolicy } from './mesh-tls-policy.js';

// When two policies compete at one level, Istio lets the oldest win (a strict Before on
// creationTimestamp, then input order). meshward refuses the second one at admission, but one can
// still exist (created while the webhook was down, or before meshward was installed), so the
// resolver needs a winner that does not depend on list order: oldest creationTimestamp, then
// name, then namespace. A policy without a timestamp (offline manifests) counts as the newest.

function timestampMillis(policy: MeshTLSPolicy): number {
  if (!policy.creationTimestamp) return Number.POSITIVE_INFINITY;
  const millis = Date.parse(policy.creationTimestamp);
  return Number.isNaN(millis) ? Number.POSITIVE_INFINITY : millis;
}

/** Orders policies from the one that wins to the one that loses. */
export function comparePolicyPrecedence(a: MeshTLSPolicy, b: MeshTLSPolicy): number {
  const byAge = timestampMillis(a) - timestampMillis(b);
  if (byAge !== 0 && !Number.isNaN(byAge)) return byAge < 0 ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.namespace !== b.namespace) return a.namespace < b.namespace ? -1 : 1;
  return 0;
}

/** The winning policy among competitors, or undefined when there are none. */
export function pickWinningPolicy(policies: readonly MeshTLSPolicy[]): MeshTLSPolicy | undefined {
  let winner: MeshTLSPolicy | undefined;
  for (const policy of policies) {
    if (!winner || comparePolicyPrecedence(policy, winner) < 0) winner = policy;
  }
  return winner;
}
