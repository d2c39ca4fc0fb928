import type { MeshwardConfig } from '../config/types.js';
import { findPolicyConflicts } from '../policy/conflicts.js';
import { formatSelector } from '../policy/label-selector.js';
import { policyRef, policyScope, samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { policyModeEffects, type ModeEffect } from '../policy/mode-effects.js';
import { resolveNamespaceLevel, type ResolvedLevel } from '../policy/resolve-modes.js';
import { finding, type Finding } from './rules.js';
import { capList } from './warnings.js';

// STRICT stays STRICT (MW-POLICY-001/002) and no ambiguity (MW-AMBIG-001/002) for a MeshTLSPolicy, and advisories for the ones that are allowed.

export interface StrictNamespacePolicies {
  readonly name: string;
  readonly policies: readonly MeshTLSPolicy[];
}

export interface PolicyContext {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  /** Whether the candidate's own namespace is STRICT. */
  readonly namespaceStrict: boolean;
  /** Policies of the candidate's namespace (its stored version, if any, is ignored). */
  readonly namespacePolicies: readonly MeshTLSPolicy[];
  /** Policies of the mesh namespace. */
  readonly meshPolicies: readonly MeshTLSPolicy[];
  /** Every STRICT namespace with its policies: only read for a mesh-wide candidate. */
  readonly strictNamespaces: readonly StrictNamespacePolicies[];
  /** The policies a conflict is reported against (default namespacePolicies; `check` narrows it). */
  readonly conflictCandidates?: readonly MeshTLSPolicy[];
}

export interface PolicyVerdict {
  readonly findings: Finding[];
  readonly advisories: string[];
}

export function describeLevel(level: ResolvedLevel): string {
  if (level.source === 'mesh-default') return 'the mesh default (mesh.defaultMode)';
  if (level.source === 'namespace-label')
    return `the namespace label meshward.io/mtls=STRICT, overriding ${level.overrides!.mode} from ${describeLevel(level.overrides!)}`;
  return `${level.source === 'namespace' ? 'namespace-wide' : level.source} policy ${level.policy}`;
}

function conflictFindings(candidate: MeshTLSPolicy, ctx: PolicyContext): Finding[] {
  return findPolicyConflicts(candidate, ctx.conflictCandidates ?? ctx.namespacePolicies, ctx.config.mesh.namespace).map((c) =>
    c.kind === 'second-namespace-wide'
      ? finding(
          'MW-AMBIG-001',
          'spec.selector',
          `no selector, but ${c.detail}; only the older one would apply`,
          `edit ${c.existing} instead, or add spec.selector.matchLabels`,
        )
      : finding('MW-AMBIG-002', 'spec.selector.matchLabels', `${c.detail}; which one applies would depend on age`),
  );
}

function strictFinding(candidate: MeshTLSPolicy, effect: ModeEffect): Finding {
  const problem = effect.inherited
    ? `UNSET inherits ${effect.effective.mode} from ${describeLevel(effect.effective)}, in STRICT namespace ${candidate.namespace}`
    : `${effect.declared} would accept ${effect.declared === 'DISABLE' ? 'only plaintext' : 'plaintext'} in STRICT namespace ${candidate.namespace}`;
  return finding('MW-POLICY-001', effect.field, problem, `set ${effect.field} to STRICT`);
}

function meshWideFindings(candidate: MeshTLSPolicy, ctx: PolicyContext): Finding[] {
  const meshPolicies = [...ctx.meshPolicies.filter((p) => !samePolicy(p, candidate)), candidate];
  const lowered: string[] = [];
  for (const ns of ctx.strictNamespaces) {
    // Lowered: the candidate decides a non-STRICT mode, or (UNSET) lets one through that its
    // stored version did not.
    const after = resolveNamespaceLevel({ config: ctx.config, meshPolicies, namespacePolicies: ns.policies });
    const before = resolveNamespaceLevel({ config: ctx.config, meshPolicies: ctx.meshPolicies, namespacePolicies: ns.policies });
    if (after.mode !== 'STRICT' && (after.policy === policyRef(candidate) || before.mode === 'STRICT')) lowered.push(ns.name);
  }
  if (lowered.length === 0) return [];
  const mode = candidate.mode === 'UNSET' ? ctx.config.mesh.defaultMode : candidate.mode;
  return [finding('MW-POLICY-002', 'spec.mode', `would make STRICT namespaces ${mode}: ${capList(lowered.sort())}`)];
}

function advisories(candidate: MeshTLSPolicy, effects: readonly ModeEffect[], ctx: PolicyContext): string[] {
  const out: string[] = [];
  for (const effect of effects) {
    if (effect.declared === 'PERMISSIVE' || effect.declared === 'DISABLE') {
      out.push(`[MW-ADVISE-001] ${policyRef(candidate)} ${effect.field}: ${effect.declared} accepts plaintext`);
    }
  }
  if (candidate.selector && candidate.namespace === ctx.config.mesh.namespace) {
    out.push(
      `[MW-ADVISE-002] ${policyRef(candidate)}: selector ${formatSelector(candidate.selector)} applies only to pods in ${candidate.namespace}`,
    );
  }
  return out;
}

/** MW-POLICY-001/002 and MW-AMBIG-001/002 for one parsed policy. Pure. */
export function evaluatePolicy(candidate: MeshTLSPolicy, ctx: PolicyContext): PolicyVerdict {
  const findings = conflictFindings(candidate, ctx);
  const effects = policyModeEffects(candidate, {
    config: ctx.config,
    meshPolicies: ctx.meshPolicies,
    namespacePolicies: ctx.namespacePolicies,
  });
  if (policyScope(candidate, ctx.config.mesh.namespace) === 'mesh-wide') {
    // Covers the mesh namespace too, when it is itself STRICT.
    findings.push(...meshWideFindings(candidate, ctx));
  } else if (ctx.namespaceStrict) {
    // Port entries left UNSET repeat spec.mode's effect: reported once, on spec.mode.
    findings.push(
      ...effects
        .filter((e) => e.effective.mode !== 'STRICT' && (e.field === 'spec.mode' || !e.inherited))
        .map((e) => strictFinding(candidate, e)),
    );
  }
  const reported = new Set(findings.map((f) => f.field));
  return {
    findings,
    advisories: advisories(
      candidate,
      effects.filter((e) => !reported.has(e.field)),
      ctx,
    ),
  };
}
