import type { PortAuthorization, Principal } from '../policy/authorization-types.js';
import type { PortAuthorizationStatus, WorkloadPort, WorkloadStatus } from './model.js';

// Who may call a port over mTLS, as status shows it: the policy resolver's answer with its
// principals written the way policies name callers (`shop/web`, `ns:pay`), so an operator can
// match a line to the MeshAuthorizationPolicy that put it there. Shared by the table and the dashboard.

/** `<ns>/<sa>` for the trust domain's ServiceAccount IDs, `ns:<ns>` for its namespace prefixes, others as given. */
export function callerText(principal: Principal, trustDomain: string): string {
  const base = `spiffe://${trustDomain}/ns/`;
  if ('prefix' in principal) {
    const ns = principal.prefix.startsWith(base) ? principal.prefix.slice(base.length, -1) : undefined;
    // A prefix meshward did not build (never from the resolver today) keeps a `*` so it does not read as exact.
    return ns !== undefined && principal.prefix.endsWith('/') && ns !== '' && !ns.includes('/') ? `ns:${ns}` : `${principal.prefix}*`;
  }
  const m = principal.exact.startsWith(base) ? /^([^/]+)\/sa\/([^/]+)$/.exec(principal.exact.slice(base.length)) : null;
  return m ? `${m[1]}/${m[2]}` : principal.exact;
}

export function authorizationStatus(auth: PortAuthorization, trustDomain: string): PortAuthorizationStatus {
  if (auth.kind !== 'allow-list') return { kind: auth.kind };
  return {
    kind: 'allow-list',
    enforcement: auth.enforcement,
    callers: auth.principals.map((p) => callerText(p, trustDomain)),
    policies: auth.policies,
  };
}

/** `mesh`, `deny`, `shop/web, ns:pay (enforce, pay/api-callers)`, `mixed` (the workload's pods disagree). */
export function describePortAuthorization(auth: PortAuthorizationStatus | 'mixed'): string {
  if (auth === 'mixed') return 'mixed';
  if (auth.kind === 'allow-mesh') return 'mesh';
  if (auth.kind === 'deny') return 'deny';
  // An allow list admitting no one is enforced as deny by the proxy (rbac-filter.ts).
  const callers = auth.callers.length > 0 ? auth.callers.join(', ') : 'no one';
  return `${callers} (${auth.enforcement.toLowerCase()}, ${auth.policies.join(', ')})`;
}

/** Whether any policy selects one of the workload's ports: only then does it get an authorization line. */
export function hasAuthorizationPolicies(w: Pick<WorkloadStatus, 'ports'>): boolean {
  return w.ports.some((p) => p.authorization === 'mixed' || p.authorization.kind === 'allow-list');
}

/** `8080: shop/web (enforce, pay/api-callers)`. */
export function describeWorkloadPortAuthorization(p: WorkloadPort): string {
  return `${p.port}: ${describePortAuthorization(p.authorization)}`;
}
