import type { AuthorizationSource, MeshAuthorizationPolicy, Principal } from './authorization-types.js';

// An allow list in the proxy's terms: URI SAN matchers over the SPIFFE IDs meshward issues
// (spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>). A namespace is a prefix that ends
// in "/", so ns/shop never admits ns/shop-admin; a ServiceAccount and an identity are exact.

export function namespacePrincipal(trustDomain: string, namespace: string): Principal {
  return { prefix: `spiffe://${trustDomain}/ns/${namespace}/` };
}

/** "<namespace>/<serviceaccount>" as the exact SPIFFE ID the signer issues for it. */
export function serviceAccountPrincipal(trustDomain: string, serviceAccount: string): Principal {
  const slash = serviceAccount.indexOf('/');
  return { exact: `spiffe://${trustDomain}/ns/${serviceAccount.slice(0, slash)}/sa/${serviceAccount.slice(slash + 1)}` };
}

export function principalValue(principal: Principal): string {
  return 'exact' in principal ? principal.exact : principal.prefix;
}

function principalKey(principal: Principal): string {
  return `${principalValue(principal)}\u0000${'exact' in principal ? 'exact' : 'prefix'}`;
}

/** By value, then exact before prefix: a total order, so equal sets render identically. */
export function comparePrincipals(a: Principal, b: Principal): number {
  const ka = principalKey(a);
  const kb = principalKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function sourcePrincipals(source: AuthorizationSource, trustDomain: string): Principal[] {
  return [
    ...(source.namespaces ?? []).map((ns) => namespacePrincipal(trustDomain, ns)),
    ...(source.serviceAccounts ?? []).map((sa) => serviceAccountPrincipal(trustDomain, sa)),
    ...(source.identities ?? []).map((id): Principal => ({ exact: id })),
  ];
}

/** The union of the policies' allow lists: deduplicated and sorted. */
export function principalsOf(policies: readonly MeshAuthorizationPolicy[], trustDomain: string): Principal[] {
  const byKey = new Map<string, Principal>();
  for (const policy of policies)
    for (const source of policy.allow)
      for (const principal of sourcePrincipals(source, trustDomain)) byKey.set(principalKey(principal), principal);
  return [...byKey.values()].sort(comparePrincipals);
}

/** Whether a peer SPIFFE ID matches a principal, as the proxy's RBAC filter matches a URI SAN. */
export function principalMatches(principal: Principal, spiffeId: string): boolean {
  return 'exact' in principal ? spiffeId === principal.exact : spiffeId.startsWith(principal.prefix);
}
