import type { MeshConfig } from '../config/types.js';
import { authorizationScope, selectsPort } from './authorization-policy.js';
import { principalsOf } from './authorization-principals.js';
import type { MeshAuthorizationPolicy, PortAuthorization, WorkloadAuthorization } from './authorization-types.js';
import { selectorMatches } from './label-selector.js';
import { policyRef } from './mesh-tls-policy.js';

// The one resolver of who may call a workload's ports, shared by the gate, check, generate and
// the control plane's inbound listeners:
// - the policies that select the workload: mesh-wide (mesh namespace, no selector), namespace-wide
//   (no selector) and workload policies whose matchLabels match the pod;
// - per port, those of them that name the port (or name no ports): the union of their allow
//   lists, as principals. Unlike MeshTLSPolicy there is no winner: allow lists add up, so
//   neither age nor list order can change what a port admits;
// - a port no policy selects follows mesh.defaultAuthorization (allow-mesh or deny).
// Selecting policies that disagree on enforcement are refused at admission (MW-AUTHZ-003); one
// that exists anyway (created while the gate was down) resolves to Enforce, the side that never
// lets an unlisted caller through.

export interface AuthorizationInput {
  readonly config: { readonly mesh: Pick<MeshConfig, 'namespace' | 'trustDomain' | 'defaultAuthorization'> };
  /** Policies of config.mesh.namespace (only the selector-less ones count: mesh-wide). */
  readonly meshPolicies: readonly MeshAuthorizationPolicy[];
  /** Policies of the workload's namespace. */
  readonly namespacePolicies: readonly MeshAuthorizationPolicy[];
  readonly podLabels: Readonly<Record<string, string>> | undefined;
  /** The pod's declared container ports (duplicates are fine). */
  readonly ports: readonly number[];
}

/** The policies that select the workload, each once, ordered by `namespace/name`. */
export function selectingPolicies(input: Omit<AuthorizationInput, 'ports'>): MeshAuthorizationPolicy[] {
  const meshNamespace = input.config.mesh.namespace;
  const selected = new Map<string, MeshAuthorizationPolicy>();
  for (const policy of input.meshPolicies)
    if (authorizationScope(policy, meshNamespace) === 'mesh-wide') selected.set(policyRef(policy), policy);
  for (const policy of input.namespacePolicies)
    if (!policy.selector || selectorMatches(policy.selector, input.podLabels)) selected.set(policyRef(policy), policy);
  return [...selected.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, policy]) => policy);
}

function authorizationOf(policies: readonly MeshAuthorizationPolicy[], input: Pick<AuthorizationInput, 'config'>): PortAuthorization {
  const { mesh } = input.config;
  if (policies.length === 0) return { kind: mesh.defaultAuthorization };
  return {
    kind: 'allow-list',
    principals: principalsOf(policies, mesh.trustDomain),
    enforcement: policies.some((p) => p.enforcement === 'Enforce') ? 'Enforce' : 'Audit',
    policies: policies.map(policyRef),
  };
}

/** What the inbound proxy admits on each port of a workload. Pure; never throws. */
export function resolveWorkloadAuthorization(input: AuthorizationInput): WorkloadAuthorization {
  const selecting = selectingPolicies(input);
  // Ports a policy names count even if the pod does not declare them: apps may listen undeclared.
  const named = selecting.flatMap((p) => p.ports ?? []);
  const ports = [...new Set([...input.ports, ...named])].sort((a, b) => a - b);
  return {
    ports: ports.map((port) => ({
      port,
      authorization: authorizationOf(
        selecting.filter((p) => selectsPort(p, port)),
        input,
      ),
    })),
    undeclared: authorizationOf(
      selecting.filter((p) => p.ports === undefined),
      input,
    ),
  };
}

/** The authorization of any port, including ports that were not passed to the resolver. */
export function authorizationForPort(authorization: WorkloadAuthorization, port: number): PortAuthorization {
  return authorization.ports.find((entry) => entry.port === port)?.authorization ?? authorization.undeclared;
}
