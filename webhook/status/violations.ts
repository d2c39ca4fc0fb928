import type { KubeObject } from '../admission/types.js';
import { POLICY_KIND } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { checkObjects } from '../gate/check-objects.js';
import { describeLevel } from '../gate/policy-rules.js';
import { finding, toViolation, type Violation } from '../gate/rules.js';
import type { ClusterState } from '../kube/cluster-state.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { parseMeshTLSPolicy } from '../policy/parse-policy.js';
import { comparePolicyPrecedence } from '../policy/precedence.js';
import type { ResolvedLevel } from '../policy/resolve-modes.js';

// Gate violations of what is stored: the gate's own rules through checkObjects (the same code as
// `meshward check`), with MW-SIDECAR-001..003 (arrived injected) for pods. Plus what only status can see in a
// STRICT namespace: a namespace level that the mesh default or the mesh-wide policy makes less than
// STRICT, and proxies still enforcing a weaker mode than the policies now say.

/** A stored policy's order for checkObjects: the older of a conflicting pair first, so the newer is reported. */
export function sortPoliciesByPrecedence(objects: readonly KubeObject[]): KubeObject[] {
  const parsed = objects.map((object) => {
    try {
      return { object, policy: parseMeshTLSPolicy(object) as MeshTLSPolicy | undefined };
    } catch {
      return { object, policy: undefined };
    }
  });
  return parsed
    .sort((a, b) => (a.policy && b.policy ? comparePolicyPrecedence(a.policy, b.policy) : a.policy ? -1 : b.policy ? 1 : 0))
    .map((p) => p.object);
}

/** The objects of one namespace, with kind set (typed API lists leave it out). */
export function checkableObjects(namespace: KubeObject, policies: readonly KubeObject[], pods: readonly KubeObject[]): KubeObject[] {
  return [
    { ...namespace, apiVersion: 'v1', kind: 'Namespace' },
    ...sortPoliciesByPrecedence(policies).map((p) => ({ ...p, kind: POLICY_KIND })),
    ...pods.map((p) => ({ ...p, apiVersion: 'v1', kind: 'Pod' })),
  ];
}

export async function gateViolations(objects: readonly KubeObject[], config: MeshwardConfig, cluster: ClusterState): Promise<Violation[]> {
  return checkObjects(objects, { config, cluster, requireInjected: true });
}

/** A STRICT namespace whose level is decided above it (mesh default or mesh-wide policy) and is not STRICT. */
export function namespaceLevelViolations(namespace: string, level: ResolvedLevel, config: Pick<MeshwardConfig, 'mesh'>): Violation[] {
  if (level.mode === 'STRICT' || (level.source !== 'mesh-default' && level.source !== 'mesh-wide')) return [];
  if (level.source === 'mesh-wide' && level.policy) {
    const name = level.policy.slice(level.policy.indexOf('/') + 1);
    const f = finding('MW-POLICY-002', 'spec.mode', `makes STRICT namespace ${namespace} ${level.mode}`);
    return [toViolation(f, { kind: POLICY_KIND, namespace: config.mesh.namespace, name })];
  }
  const f = finding(
    'MW-ADVISE-003',
    'mesh.defaultMode',
    `namespace ${namespace} is labelled STRICT but resolves to ${level.mode} from ${describeLevel(level)}`,
    `add a namespace-wide STRICT MeshTLSPolicy to ${namespace} (meshward generate --namespace ${namespace} --mode STRICT)`,
  );
  return [toViolation(f, { kind: 'Namespace', namespace: '', name: namespace })];
}
