// MeshAuthorizationPolicy as meshward reads it, and what the resolver hands the inbound proxy for
// one port. Shared by the parser, the resolver, the gate, check/status/generate and the xDS
// renderers, so each reads one shape.

export const ENFORCEMENTS = ['Enforce', 'Audit'] as const;
export type Enforcement = (typeof ENFORCEMENTS)[number];

export const DEFAULT_AUTHORIZATIONS = ['allow-mesh', 'deny'] as const;
export type DefaultAuthorization = (typeof DEFAULT_AUTHORIZATIONS)[number];

/** One entry of spec.allow: any of its lists admits a caller. */
export interface AuthorizationSource {
  /** Every workload of these namespaces (spiffe://<td>/ns/<ns>/…). */
  readonly namespaces?: readonly string[];
  /** "<namespace>/<serviceaccount>" (spiffe://<td>/ns/<ns>/sa/<sa>). */
  readonly serviceAccounts?: readonly string[];
  /** Exact SPIFFE IDs (workloads outside the cluster, `meshward ca issue`). */
  readonly identities?: readonly string[];
}

export interface MeshAuthorizationPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly creationTimestamp?: string;
  /** spec.selector.matchLabels; undefined = namespace-wide (mesh-wide in the mesh namespace). */
  readonly selector?: Readonly<Record<string, string>>;
  /** spec.ports (container ports); undefined = every port of the selected workloads. */
  readonly ports?: readonly number[];
  readonly allow: readonly AuthorizationSource[];
  readonly enforcement: Enforcement;
}

/** A peer certificate's URI SAN matcher, as the proxy's RBAC filter takes it. */
export type Principal = { readonly exact: string } | { readonly prefix: string };

/** What the inbound proxy enforces on one port's mTLS connections. */
export type PortAuthorization =
  /** No policy selects the port and the mesh default is allow-mesh: any identity of the trust domain. */
  | { readonly kind: 'allow-mesh' }
  /** No policy selects the port and the mesh default is deny: no mTLS caller. */
  | { readonly kind: 'deny' }
  /** Policies select the port: only these principals (the union of their allow lists). */
  | {
      readonly kind: 'allow-list';
      readonly principals: readonly Principal[];
      /** Audit: the proxy counts what it would deny and denies nothing. */
      readonly enforcement: Enforcement;
      /** "namespace/name" of every policy that selects the port. */
      readonly policies: readonly string[];
    };

export interface WorkloadAuthorization {
  /** Declared ports (and the ports policies name), ascending. */
  readonly ports: ReadonlyArray<{ readonly port: number; readonly authorization: PortAuthorization }>;
  /** Ports the pod does not declare. */
  readonly undeclared: PortAuthorization;
}
