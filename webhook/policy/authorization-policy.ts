import type { MeshAuthorizationPolicy } from './authorization-types.js';
import { formatSelector, selectorMatches } from './label-selector.js';
import { policyScope, type PolicyScope } from './mesh-tls-policy.js';

// What a MeshAuthorizationPolicy selects, read one way by the resolver, the conflict finder and
// the enforceability check. Scopes are MeshTLSPolicy's: no selector in the mesh namespace is
// mesh-wide, no selector elsewhere is namespace-wide, a selector picks pods of its own namespace.

export function authorizationScope(policy: MeshAuthorizationPolicy, meshNamespace: string): PolicyScope {
  return policyScope(policy, meshNamespace);
}

/** Whether the policy selects a pod of `namespace` with these labels. */
export function selectsWorkload(
  policy: MeshAuthorizationPolicy,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
  meshNamespace: string,
): boolean {
  if (authorizationScope(policy, meshNamespace) === 'mesh-wide') return true;
  return policy.namespace === namespace && selectorMatches(policy.selector, labels);
}

/** Whether the policy selects this container port (no spec.ports: every port). */
export function selectsPort(policy: MeshAuthorizationPolicy, port: number): boolean {
  return policy.ports === undefined || policy.ports.includes(port);
}

/** Whether two port sets share a port (undefined: every port). */
export function portsOverlap(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return a.some((port) => b.includes(port));
}

/** `8080,9090` or `all ports`: how messages and comments show spec.ports. */
export function formatPorts(ports: readonly number[] | undefined): string {
  return ports === undefined ? 'all ports' : `port${ports.length === 1 ? '' : 's'} ${ports.join(',')}`;
}

/** `selector app=web, ports 8080` / `namespace-wide, all ports` / `mesh-wide, all ports`. */
export function describeSelection(policy: MeshAuthorizationPolicy, meshNamespace: string): string {
  const scope = authorizationScope(policy, meshNamespace);
  const who = scope === 'workload' ? `selector ${formatSelector(policy.selector)}` : scope === 'mesh-wide' ? 'mesh-wide' : 'namespace-wide';
  return `${who}, ${formatPorts(policy.ports)}`;
}

/** Same selector and same port set: the one policy generate updates instead of adding another. */
export function sameSelection(
  a: Pick<MeshAuthorizationPolicy, 'selector' | 'ports'>,
  b: Pick<MeshAuthorizationPolicy, 'selector' | 'ports'>,
): boolean {
  return formatSelector(a.selector) === formatSelector(b.selector) && formatPorts(a.ports) === formatPorts(b.ports);
}
