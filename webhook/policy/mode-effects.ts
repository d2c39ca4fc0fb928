import type { MtlsMode } from '../config/types.js';
import { policyRef, policyScope, portModeField, samePolicy, type MeshTLSPolicy } from './mesh-tls-policy.js';
import { inheritMode, resolveMeshLevel, resolveNamespaceLevel, type PolicySet, type ResolvedLevel } from './resolve-modes.js';

// What a policy does to the modes of its scope, after inheritance: the gate refuses policies that
// make anything of a STRICT namespace less than STRICT, and warns about the rest.

/** The effect of one mode field of a policy (spec.mode, or one port entry). */
export interface ModeEffect {
  readonly field: string;
  readonly declared: MtlsMode;
  readonly effective: ResolvedLevel;
  /** UNSET: the effective mode was inherited from the level above. */
  readonly inherited: boolean;
}

/**
 * The effective mode of each mode field of `policy`, as if it applied: its parent level is
 * computed from `set` without the policy itself (so an UPDATE is judged on its new spec).
 */
export function policyModeEffects(policy: MeshTLSPolicy, set: PolicySet): ModeEffect[] {
  const scope = policyScope(policy, set.config.mesh.namespace);
  const others = (list: readonly MeshTLSPolicy[]): MeshTLSPolicy[] => list.filter((p) => !samePolicy(p, policy));
  const parent: ResolvedLevel =
    scope === 'mesh-wide'
      ? { mode: set.config.mesh.defaultMode, source: 'mesh-default' }
      : scope === 'namespace'
        ? resolveMeshLevel({ config: set.config, meshPolicies: others(set.meshPolicies) })
        : resolveNamespaceLevel({
            config: set.config,
            meshPolicies: others(set.meshPolicies),
            namespacePolicies: others(set.namespacePolicies),
          });
  const own = inheritMode(parent, policy.mode, scope, policy);
  const effects: ModeEffect[] = [{ field: 'spec.mode', declared: policy.mode, effective: own, inherited: policy.mode === 'UNSET' }];
  for (const entry of policy.portLevelMtls) {
    effects.push({
      field: portModeField(entry.port),
      declared: entry.mode,
      effective: inheritMode(own, entry.mode, 'port', policy),
      inherited: entry.mode === 'UNSET',
    });
  }
  return effects;
}

/** Something in a namespace that resolves to less than STRICT, and the field that decides it. */
export interface NonStrictFinding {
  /** `namespace/name` of the deciding policy; undefined when the mesh default decides. */
  readonly policy?: string;
  /** `spec.mode`, `spec.portLevelMtls["8080"].mode`, or `mesh.defaultMode` (config). */
  readonly field: string;
  readonly effective: ResolvedLevel;
}

/**
 * Everything in a namespace that is less than STRICT: the namespace level itself (decided by a
 * namespace-wide policy, the mesh-wide policy or the mesh default) and each non-STRICT mode a
 * workload policy sets explicitly. UNSET fields are not repeated: they inherit the namespace
 * level, which is reported once.
 */
export function findNonStrictModes(set: PolicySet): NonStrictFinding[] {
  const findings: NonStrictFinding[] = [];
  const level = resolveNamespaceLevel(set);
  if (level.mode !== 'STRICT') {
    findings.push({
      field: level.source === 'mesh-default' ? 'mesh.defaultMode' : 'spec.mode',
      effective: level,
      ...(level.policy ? { policy: level.policy } : {}),
    });
  }
  for (const policy of set.namespacePolicies) {
    if (!policy.selector) continue;
    for (const effect of policyModeEffects(policy, set)) {
      if (effect.inherited || effect.effective.mode === 'STRICT') continue;
      findings.push({ policy: policyRef(policy), field: effect.field, effective: effect.effective });
    }
  }
  return findings;
}
