import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { NamespaceModes } from '../policy/authorization-enforceability.js';
import { authorizationScope } from '../policy/authorization-policy.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { policyRef, policyScope, samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { evaluateAuthorizationPolicy } from './authorization-rules.js';
import { tlsAuthorizationFindings } from './authorization-tls-rules.js';
import type { Finding } from './rules.js';

// `meshward check` for authorization: MW-AUTHZ-002/003 on MeshAuthorizationPolicy manifests and
// MW-AUTHZ-004 on MeshTLSPolicy manifests, over the same world as the rest of check (manifests
// on top of the cluster), and with the same reads the gate makes, so both give the same answer.

export interface CheckWorld {
  readonly namespaces: ReadonlyMap<string, KubeObject>;
  /** MeshTLSPolicies: stored ones, replaced by the manifests of the same namespace/name. */
  readonly policies: readonly MeshTLSPolicy[];
  /** The stored MeshTLSPolicies alone: what the gate sees before a manifest is applied. */
  readonly storedPolicies: readonly MeshTLSPolicy[];
  readonly authorizationPolicies: readonly MeshAuthorizationPolicy[];
}

export interface CheckScope {
  readonly config: MeshwardConfig;
  readonly assumeStrict?: boolean;
}

function namespaceModes(world: CheckWorld, scope: CheckScope, names: Iterable<string>, tls: readonly MeshTLSPolicy[]): NamespaceModes[] {
  return [...new Set(names)].sort().map((name) => ({
    name,
    strict: scope.assumeStrict === true || isStrictNamespace(world.namespaces.get(name)),
    tlsPolicies: tls.filter((p) => p.namespace === name),
  }));
}

function knownNamespaces(world: CheckWorld): string[] {
  return [...world.namespaces.keys(), ...world.policies.map((p) => p.namespace), ...world.authorizationPolicies.map((p) => p.namespace)];
}

/** MW-AUTHZ-002/003 for one authorization manifest; a conflicting pair is reported on the later manifest. */
export function authorizationManifestFindings(
  policy: MeshAuthorizationPolicy,
  index: number,
  given: readonly MeshAuthorizationPolicy[],
  world: CheckWorld,
  scope: CheckScope,
): Finding[] {
  const meshNamespace = scope.config.mesh.namespace;
  const later = new Set(given.slice(index + 1).map(policyRef));
  const names = authorizationScope(policy, meshNamespace) === 'mesh-wide' ? knownNamespaces(world) : [policy.namespace];
  return evaluateAuthorizationPolicy(policy, {
    config: scope.config,
    meshTlsPolicies: world.policies.filter((p) => p.namespace === meshNamespace),
    namespaces: namespaceModes(world, scope, names, world.policies),
    authorizationPolicies: world.authorizationPolicies,
    conflictCandidates: world.authorizationPolicies.filter((p) => !later.has(policyRef(p))),
  });
}

/** MW-AUTHZ-004 for one MeshTLSPolicy manifest, judged against the stored version it replaces (as the gate does). */
export function tlsManifestAuthorizationFindings(policy: MeshTLSPolicy, world: CheckWorld, scope: CheckScope): Finding[] {
  const meshNamespace = scope.config.mesh.namespace;
  const stored = world.storedPolicies.find((p) => samePolicy(p, policy));
  const before = [...world.policies.filter((p) => !samePolicy(p, policy)), ...(stored ? [stored] : [])];
  const meshWide = policyScope(policy, meshNamespace) === 'mesh-wide';
  if (!meshWide && (scope.assumeStrict === true || isStrictNamespace(world.namespaces.get(policy.namespace)))) return [];
  const names = meshWide ? knownNamespaces(world) : [policy.namespace];
  return tlsAuthorizationFindings(policy, {
    config: scope.config,
    meshTlsPolicies: before.filter((p) => p.namespace === meshNamespace),
    namespaces: namespaceModes(world, scope, names, before),
    authorizationPolicies: world.authorizationPolicies,
  });
}
