import type { MeshwardConfig } from '../config/types.js';
import type { MeshAuthorizationPolicy } from './authorization-types.js';
import { selectorsOverlap } from './label-selector.js';
import type { MeshTLSPolicy } from './mesh-tls-policy.js';
import { policyModeEffects, type ModeEffect } from './mode-effects.js';
import { modeForPort, resolveNamespaceLevel, resolveWorkloadModes, type PolicySet, type ResolvedLevel } from './resolve-modes.js';

// An allow list is enforced on the identity of an mTLS peer: on a port that also takes plaintext
// (PERMISSIVE) or only plaintext (DISABLE), a caller without a certificate is never checked. So
// an authorization policy is enforceable only where every port it selects resolves to STRICT.
// Which pods a policy selects is known only by labels, so the check is conservative: the mode of
// the labels its selector names (the namespace level when it has none), and of every workload
// MeshTLSPolicy whose selector could match one of its pods. A namespace labelled
// meshward.io/mtls=STRICT is STRICT throughout (the floor), whatever its policies say.

/** The mTLS side of one namespace the policy selects pods in. */
export interface NamespaceModes {
  readonly name: string;
  /** Labelled meshward.io/mtls=STRICT. */
  readonly strict: boolean;
  readonly tlsPolicies: readonly MeshTLSPolicy[];
}

export interface EnforceabilityContext {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  /** MeshTLSPolicies of the mesh namespace. */
  readonly meshTlsPolicies: readonly MeshTLSPolicy[];
  /** The policy's own namespace; for a mesh-wide policy every namespace with meshed pods. */
  readonly namespaces: readonly NamespaceModes[];
}

/** A selected port (or every port of a level: `port` undefined) that is not STRICT, and what decides it. */
export interface PlaintextPort {
  readonly namespace: string;
  readonly port?: number;
  readonly level: ResolvedLevel;
}

interface Candidate {
  readonly port?: number;
  readonly level: ResolvedLevel;
}

/** What a workload MeshTLSPolicy makes of the selected ports: named ports, or its mode and every entry. */
function tlsPolicyLevels(tls: MeshTLSPolicy, set: PolicySet, ports: readonly number[] | undefined): Candidate[] {
  const effects = policyModeEffects(tls, set);
  const workload: ModeEffect = effects[0]!;
  const entries = new Map(tls.portLevelMtls.map((entry, i) => [entry.port, effects[i + 1]!]));
  if (ports) return ports.map((port) => ({ port, level: (entries.get(port) ?? workload).effective }));
  return [{ level: workload.effective }, ...[...entries].map(([port, effect]) => ({ port, level: effect.effective }))];
}

function namespaceCandidates(policy: MeshAuthorizationPolicy, ns: NamespaceModes, ctx: EnforceabilityContext): Candidate[] {
  const set: PolicySet = { config: ctx.config, meshPolicies: ctx.meshTlsPolicies, namespacePolicies: ns.tlsPolicies };
  const out: Candidate[] = [];
  if (policy.selector) {
    const modes = resolveWorkloadModes({ ...set, podLabels: policy.selector, ports: policy.ports ?? [] });
    if (policy.ports) out.push(...policy.ports.map((port) => ({ port, level: modeForPort(modes, port) })));
    else out.push({ level: modes.workload }, ...modes.ports.map(({ port, ...level }) => ({ port, level })));
  } else {
    const level = resolveNamespaceLevel(set);
    out.push(...(policy.ports ? policy.ports.map((port) => ({ port, level })) : [{ level }]));
  }
  for (const tls of ns.tlsPolicies) {
    if (tls.selector && selectorsOverlap(tls.selector, policy.selector)) out.push(...tlsPolicyLevels(tls, set, policy.ports));
  }
  return out;
}

/**
 * The selected ports that would take plaintext, each once, by namespace then port (the level of
 * every port first). Empty: the policy is enforceable. Pure.
 */
export function plaintextPorts(policy: MeshAuthorizationPolicy, ctx: EnforceabilityContext): PlaintextPort[] {
  const found = new Map<string, PlaintextPort>();
  for (const ns of ctx.namespaces) {
    if (ns.strict) continue;
    for (const { port, level } of namespaceCandidates(policy, ns, ctx)) {
      if (level.mode === 'STRICT') continue;
      const key = `${ns.name}|${port ?? ''}|${level.mode}|${level.source}|${level.policy ?? ''}`;
      if (!found.has(key)) found.set(key, { namespace: ns.name, ...(port !== undefined ? { port } : {}), level });
    }
  }
  return [...found.values()].sort(
    (a, b) =>
      (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0) ||
      (a.port ?? 0) - (b.port ?? 0) ||
      (a.level.policy ?? '').localeCompare(b.level.policy ?? ''),
  );
}
