import type { MtlsMode } from '../config/types.js';

// The typed form of a MeshTLSPolicy (meshward.io/v1alpha1), after parse-policy.ts has checked it.
// Everything downstream (resolver, gate, injector, check, status, generate) works on this type.

/** One `spec.portLevelMtls` entry; the key is the workload's container port, not a Service port. */
export interface PortLevelMode {
  readonly port: number;
  readonly mode: MtlsMode;
}

export interface MeshTLSPolicy {
  readonly namespace: string;
  readonly name: string;
  /** RFC 3339; absent offline (manifests) and then sorts as the newest. */
  readonly creationTimestamp?: string;
  /** Non-empty matchLabels, or undefined: no selector means namespace (or mesh-wide) scope. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly mode: MtlsMode;
  /** Sorted by port; empty when the policy has none. */
  readonly portLevelMtls: readonly PortLevelMode[];
}

/**
 * Where a policy applies:
 * - `mesh-wide`: in the mesh (control-plane) namespace, without a selector;
 * - `namespace`: in any other namespace, without a selector;
 * - `workload`: with a selector, in any namespace. Unlike Istio (which ignores selector policies
 *   in its root namespace), a selector policy in the mesh namespace selects that namespace's pods.
 */
export type PolicyScope = 'mesh-wide' | 'namespace' | 'workload';

export function policyScope(policy: Pick<MeshTLSPolicy, 'namespace' | 'selector'>, meshNamespace: string): PolicyScope {
  if (policy.selector) return 'workload';
  return policy.namespace === meshNamespace ? 'mesh-wide' : 'namespace';
}

/** `namespace/name`: how messages, status and the resolver's `policy` field name a policy. */
export function policyRef(policy: Pick<MeshTLSPolicy, 'namespace' | 'name'>): string {
  return `${policy.namespace}/${policy.name}`;
}

export function samePolicy(a: Pick<MeshTLSPolicy, 'namespace' | 'name'>, b: Pick<MeshTLSPolicy, 'namespace' | 'name'>): boolean {
  return a.namespace === b.namespace && a.name === b.name;
}

/** `spec.portLevelMtls["8080"].mode`: the field path of one port entry, for messages. */
export function portModeField(port: number): string {
  return `spec.portLevelMtls["${port}"].mode`;
}
