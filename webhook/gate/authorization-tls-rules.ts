import type { MeshwardConfig } from '../config/types.js';
import { plaintextPorts, type NamespaceModes, type PlaintextPort } from '../policy/authorization-enforceability.js';
import { describeSelection } from '../policy/authorization-policy.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { policyRef, portModeField, samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { coveredNamespaces } from './authorization-rules.js';
import { finding, type Finding } from './rules.js';

// MW-AUTHZ-004: MW-AUTHZ-002 seen from the MeshTLSPolicy side. A MeshTLSPolicy that would make a
// port an allow list selects accept plaintext is refused, as the allow list would have been had
// it come second: either order ends with callers the proxy never checks.

export interface TlsAuthorizationContext {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  /** Stored MeshTLSPolicies of the mesh namespace (the candidate's stored version included). */
  readonly meshTlsPolicies: readonly MeshTLSPolicy[];
  /** The candidate's namespace; every known namespace for a mesh-wide candidate; stored MeshTLSPolicies. */
  readonly namespaces: readonly NamespaceModes[];
  /** The authorization policies that select pods there. */
  readonly authorizationPolicies: readonly MeshAuthorizationPolicy[];
}

function replaced(list: readonly MeshTLSPolicy[], candidate: MeshTLSPolicy): MeshTLSPolicy[] {
  return [...list.filter((p) => !samePolicy(p, candidate)), candidate];
}

function keyOf(port: PlaintextPort): string {
  return `${port.namespace}|${port.port ?? ''}|${port.level.mode}|${port.level.source}|${port.level.policy ?? ''}`;
}

/** The candidate's field that decides a port: its port entry, or spec.mode (also when UNSET lets a lower mode through). */
function deciding(candidate: MeshTLSPolicy, port: PlaintextPort): string {
  return port.level.policy === policyRef(candidate) && port.level.source === 'port' && port.port !== undefined
    ? portModeField(port.port)
    : 'spec.mode';
}

/** MW-AUTHZ-004 for one parsed MeshTLSPolicy: one finding per field and allow list. Pure. */
export function tlsAuthorizationFindings(candidate: MeshTLSPolicy, ctx: TlsAuthorizationContext): Finding[] {
  const inMesh = candidate.namespace === ctx.config.mesh.namespace;
  const after = {
    meshTlsPolicies: inMesh ? replaced(ctx.meshTlsPolicies, candidate) : ctx.meshTlsPolicies,
    namespaces: ctx.namespaces.map((ns) =>
      ns.name === candidate.namespace ? { ...ns, tlsPolicies: replaced(ns.tlsPolicies, candidate) } : ns,
    ),
  };
  const findings = new Map<string, Finding>();
  for (const authz of ctx.authorizationPolicies) {
    const judge = (world: Pick<TlsAuthorizationContext, 'meshTlsPolicies' | 'namespaces'>): PlaintextPort[] =>
      plaintextPorts(authz, {
        config: ctx.config,
        meshTlsPolicies: world.meshTlsPolicies,
        namespaces: coveredNamespaces(authz, world.namespaces, ctx.config),
      });
    const before = new Set(judge(ctx).map(keyOf));
    // New, or decided by the candidate itself (an UPDATE that keeps a port lowered).
    const lowered = judge(after).filter((p) => !before.has(keyOf(p)) || p.level.policy === policyRef(candidate));
    for (const port of lowered) {
      const field = deciding(candidate, port);
      const key = `${field}|${policyRef(authz)}`;
      if (findings.has(key)) continue;
      const what = port.port === undefined ? 'the ports' : `port ${port.port}`;
      findings.set(
        key,
        finding(
          'MW-AUTHZ-004',
          field,
          `would make ${what} of ${port.namespace} ${port.level.mode}, which MeshAuthorizationPolicy ${policyRef(authz)} (${describeSelection(authz, ctx.config.mesh.namespace)}) restricts to listed identities; an allow list cannot be enforced on plaintext`,
          `keep them STRICT, or delete or narrow ${policyRef(authz)} first`,
        ),
      );
    }
  }
  return [...findings.values()];
}
