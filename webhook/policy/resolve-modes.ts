import type { MeshwardConfig, MtlsMode, ResolvedMode } from '../config/types.js';
import { selectorMatches } from './label-selector.js';
import { policyRef, policyScope, type MeshTLSPolicy } from './mesh-tls-policy.js';
import { pickWinningPolicy } from './precedence.js';

// The one resolver of policy semantics, shared by the gate, the injector, check,
// status and generate:
//   mesh default (config.mesh.defaultMode) → mesh-wide policy → namespace-wide policy
//   → workload policy (selector matches the pod) → port-level entry.
// UNSET at any level inherits the level above. At each level the winner is picked by
// precedence.ts (oldest, then name) and, as in Istio, only the winning workload policy's port
// entries count: entries of other matching workload policies are not merged in.
// A namespace labelled meshward.io/mtls=STRICT is a floor under all of it: whatever a policy
// says (one created before the label, say), every level there resolves to STRICT, and the level
// remembers what it overrode so status can show it.

export type ModeSource = 'mesh-default' | 'mesh-wide' | 'namespace' | 'workload' | 'port' | 'namespace-label';

/** A mode and what decided it; `policy` is `namespace/name` unless the mesh default decided. */
export interface ResolvedLevel {
  readonly mode: ResolvedMode;
  readonly source: ModeSource;
  readonly policy?: string;
  /** Under the STRICT label: the mode, source and policy the label overrode. */
  readonly overrides?: Omit<ResolvedLevel, 'overrides'>;
}

export interface ResolvedPortMode extends ResolvedLevel {
  readonly port: number;
}

export interface WorkloadModes {
  readonly workloadMode: ResolvedMode;
  /** The workload-level result with its source (the mode of every port without an entry). */
  readonly workload: ResolvedLevel;
  /** The requested ports plus the winning policy's port entries, ascending. */
  readonly ports: readonly ResolvedPortMode[];
}

export interface PolicySet {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  /** Policies in config.mesh.namespace (only the selector-less ones count as mesh-wide). */
  readonly meshPolicies: readonly MeshTLSPolicy[];
  /** Policies in the workload's namespace. */
  readonly namespacePolicies: readonly MeshTLSPolicy[];
  /** The namespace is labelled meshward.io/mtls=STRICT: a floor for every level. */
  readonly namespaceStrict?: boolean;
}

export interface WorkloadInput extends PolicySet {
  readonly podLabels: Readonly<Record<string, string>> | undefined;
  /** Container ports to resolve (duplicates are fine). */
  readonly ports: readonly number[];
}

/** Applies one level: UNSET keeps the parent (and its source), anything else replaces it. */
export function inheritMode(parent: ResolvedLevel, mode: MtlsMode, source: ModeSource, policy?: MeshTLSPolicy): ResolvedLevel {
  if (mode === 'UNSET') return parent;
  return policy ? { mode, source, policy: policyRef(policy) } : { mode, source };
}

export function resolveMeshLevel({ config, meshPolicies }: Pick<PolicySet, 'config' | 'meshPolicies'>): ResolvedLevel {
  const base: ResolvedLevel = { mode: config.mesh.defaultMode, source: 'mesh-default' };
  const meshWide = pickWinningPolicy(meshPolicies.filter((p) => policyScope(p, config.mesh.namespace) === 'mesh-wide'));
  return meshWide ? inheritMode(base, meshWide.mode, 'mesh-wide', meshWide) : base;
}

/** The STRICT label's floor over a resolved level. */
function applyFloor(level: ResolvedLevel, namespaceStrict: boolean | undefined): ResolvedLevel {
  return namespaceStrict && level.mode !== 'STRICT' ? { mode: 'STRICT', source: 'namespace-label', overrides: level } : level;
}

function namespaceLevelWithoutFloor(set: PolicySet): ResolvedLevel {
  const mesh = resolveMeshLevel(set);
  // In the mesh namespace the selector-less policy is the mesh-wide one: not counted twice.
  const namespaceWide = pickWinningPolicy(set.namespacePolicies.filter((p) => policyScope(p, set.config.mesh.namespace) === 'namespace'));
  return namespaceWide ? inheritMode(mesh, namespaceWide.mode, 'namespace', namespaceWide) : mesh;
}

/** The namespace's level: what a pod gets when no workload policy selects it. */
export function resolveNamespaceLevel(set: PolicySet): ResolvedLevel {
  return applyFloor(namespaceLevelWithoutFloor(set), set.namespaceStrict);
}

/** The workload policy that applies to a pod with these labels, if any. */
export function selectWorkloadPolicy(
  namespacePolicies: readonly MeshTLSPolicy[],
  podLabels: Readonly<Record<string, string>> | undefined,
): MeshTLSPolicy | undefined {
  return pickWinningPolicy(namespacePolicies.filter((p) => p.selector !== undefined && selectorMatches(p.selector, podLabels)));
}

/** The effective mode of a workload and of each of its ports. Pure; never throws. */
export function resolveWorkloadModes(input: WorkloadInput): WorkloadModes {
  const namespaceLevel = namespaceLevelWithoutFloor(input);
  const policy = selectWorkloadPolicy(input.namespacePolicies, input.podLabels);
  const unfloored = policy ? inheritMode(namespaceLevel, policy.mode, 'workload', policy) : namespaceLevel;
  const workload = applyFloor(unfloored, input.namespaceStrict);
  const entries = new Map((policy?.portLevelMtls ?? []).map((entry) => [entry.port, entry.mode]));
  // Port entries for ports the pod does not declare still apply: apps may listen undeclared.
  const ports = [...new Set([...input.ports, ...entries.keys()])].sort((a, b) => a - b);
  return {
    workloadMode: workload.mode,
    workload,
    ports: ports.map((port) => ({
      port,
      ...applyFloor(inheritMode(unfloored, entries.get(port) ?? 'UNSET', 'port', policy), input.namespaceStrict),
    })),
  };
}

/** The mode of any port, including ports that were not passed to resolveWorkloadModes. */
export function modeForPort(modes: WorkloadModes, port: number): ResolvedLevel {
  return modes.ports.find((entry) => entry.port === port) ?? modes.workload;
}
