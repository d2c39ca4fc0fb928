import type { MeshwardConfig } from '../config/types.js';
import { findAuthorizationConflicts, type AuthorizationConflict } from '../policy/authorization-conflicts.js';
import { plaintextPorts, type NamespaceModes, type PlaintextPort } from '../policy/authorization-enforceability.js';
import { authorizationScope, formatPorts } from '../policy/authorization-policy.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { formatSelector } from '../policy/label-selector.js';
import { policyRef, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { podsUngated } from './namespace-mode.js';
import { describeLevel } from './policy-rules.js';
import { finding, type Finding } from './rules.js';
import { capList } from './warnings.js';

// MeshAuthorizationPolicy admission (and `meshward check`): an allow list only where it can be
// enforced, every selected port STRICT (MW-AUTHZ-002), and no two policies that leave which one
// applies, or whether a port denies, to a guess (MW-AUTHZ-003).

export interface AuthorizationContext {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  /** MeshTLSPolicies of the mesh namespace. */
  readonly meshTlsPolicies: readonly MeshTLSPolicy[];
  /** The candidate's namespace; every known namespace for a mesh-wide candidate. */
  readonly namespaces: readonly NamespaceModes[];
  /** Authorization policies of the candidate's namespace and the mesh namespace (all of them for a mesh-wide candidate). */
  readonly authorizationPolicies: readonly MeshAuthorizationPolicy[];
  /** The policies a conflict is reported against (default authorizationPolicies; `check` narrows it). */
  readonly conflictCandidates?: readonly MeshAuthorizationPolicy[];
}

/** The namespaces whose pods a policy selects: its own, or (mesh-wide) every namespace the gate meshes. */
export function coveredNamespaces(
  policy: MeshAuthorizationPolicy,
  namespaces: readonly NamespaceModes[],
  config: Pick<MeshwardConfig, 'mesh'>,
): NamespaceModes[] {
  if (authorizationScope(policy, config.mesh.namespace) !== 'mesh-wide') return namespaces.filter((ns) => ns.name === policy.namespace);
  return namespaces.filter((ns) => !podsUngated(ns.name, config));
}

/** The labels a not-STRICT level applies to: the deciding workload MeshTLSPolicy's, else the allow list's own. */
function decidingSelector(
  policy: MeshAuthorizationPolicy,
  port: PlaintextPort,
  namespaces: readonly NamespaceModes[],
): Readonly<Record<string, string>> | undefined {
  if (port.level.source === 'workload' || port.level.source === 'port') {
    const tls = namespaces.find((ns) => ns.name === port.namespace)?.tlsPolicies.find((p) => policyRef(p) === port.level.policy);
    if (tls?.selector) return tls.selector;
  }
  return policy.selector;
}

/** `meshward generate -n shop -l app=web -p 8080 -m STRICT`: the command that makes that port STRICT. */
function strictCommand(namespace: string, selector: Readonly<Record<string, string>> | undefined, port: number | undefined): string {
  const labels = selector ? ` -l ${formatSelector(selector)}` : '';
  return `meshward generate -n ${namespace}${labels}${port !== undefined && selector ? ` -p ${port}` : ''} -m STRICT`;
}

function plaintextFindings(candidate: MeshAuthorizationPolicy, ctx: AuthorizationContext): Finding[] {
  const namespaces = coveredNamespaces(candidate, ctx.namespaces, ctx.config);
  const found = plaintextPorts(candidate, { config: ctx.config, meshTlsPolicies: ctx.meshTlsPolicies, namespaces });
  if (found.length === 0) return [];
  if (authorizationScope(candidate, ctx.config.mesh.namespace) === 'mesh-wide') {
    const listed = [...new Map(found.map((p) => [p.namespace, `${p.namespace} (${p.level.mode}: ${describeLevel(p.level)})`])).values()];
    return [
      finding(
        'MW-AUTHZ-002',
        'spec.selector',
        `a mesh-wide allow list selects every meshed namespace, and these accept plaintext: ${capList(listed)}; an allow list cannot be enforced on plaintext`,
        'make the mesh STRICT first (mesh.defaultMode: STRICT or a STRICT mesh-wide MeshTLSPolicy, and no namespace lowering it), or put the allow list in STRICT namespaces only',
      ),
    ];
  }
  return found.map((port) => {
    const index = port.port === undefined ? -1 : (candidate.ports?.indexOf(port.port) ?? -1);
    const selector = decidingSelector(candidate, port, namespaces);
    const pods = selector ? `${formatSelector(selector)} in ${port.namespace}` : `namespace ${port.namespace}`;
    return finding(
      'MW-AUTHZ-002',
      index >= 0 ? `spec.ports[${index}]` : 'spec.selector',
      `${port.port === undefined ? 'every port' : `port ${port.port}`} of ${pods} resolves to ${port.level.mode} (${describeLevel(port.level)}); an allow list cannot be enforced on plaintext`,
      `make it STRICT first: label namespace ${port.namespace} meshward.io/mtls=STRICT or \`${strictCommand(port.namespace, selector, port.port)}\`, then apply the allow list`,
    );
  });
}

function conflictFinding(conflict: AuthorizationConflict, candidate: MeshAuthorizationPolicy): Finding {
  switch (conflict.kind) {
    case 'second-namespace-wide':
      return finding(
        'MW-AUTHZ-003',
        'spec.selector',
        `no selector, but ${conflict.detail}; with two, which one to edit would be a guess`,
        `add the callers to ${conflict.existing} instead, or add spec.selector.matchLabels`,
      );
    case 'duplicate-selector':
      return finding(
        'MW-AUTHZ-003',
        'spec.selector.matchLabels',
        `${conflict.detail}, which shares ${formatPorts(candidate.ports)}`,
        `add the callers to ${conflict.existing} instead, or select ports it does not`,
      );
    case 'enforcement-differs':
      return finding(
        'MW-AUTHZ-003',
        'spec.enforcement',
        `${conflict.detail}; whether those ports deny would depend on which policy is read`,
        `use the enforcement of ${conflict.existing}, or select pods or ports it does not`,
      );
  }
}

/** MW-AUTHZ-002 and MW-AUTHZ-003 for one parsed policy. Pure. */
export function evaluateAuthorizationPolicy(candidate: MeshAuthorizationPolicy, ctx: AuthorizationContext): Finding[] {
  const conflicts = findAuthorizationConflicts(candidate, ctx.conflictCandidates ?? ctx.authorizationPolicies, ctx.config.mesh.namespace);
  return [...conflicts.map((c) => conflictFinding(c, candidate)), ...plaintextFindings(candidate, ctx)];
}
