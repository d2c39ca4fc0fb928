import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, AUTHZ_POLICY_PLURAL, POLICY_GROUP, POLICY_KIND, POLICY_PLURAL, POLICY_VERSION } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { createGateHandler } from '../gate/gate-handler.js';
import type { ClusterState } from '../kube/cluster-state.js';

// generate asks the real gate, over the same ClusterState, what it would answer to
// `kubectl apply` of the generated policy: the same code path as admission, so what generate
// prints is what the API server will accept, and what it refuses carries the gate's rule ID.

/** The admission request `kubectl apply` of a MeshTLSPolicy or MeshAuthorizationPolicy would make. */
export function policyAdmissionRequest(object: KubeObject, existing: KubeObject | undefined): AdmissionRequest {
  const authorization = object.kind === AUTHZ_POLICY_KIND;
  const gvk = { group: POLICY_GROUP, version: POLICY_VERSION, kind: authorization ? AUTHZ_POLICY_KIND : POLICY_KIND };
  return {
    uid: 'meshward-generate',
    kind: gvk,
    resource: { group: POLICY_GROUP, version: POLICY_VERSION, resource: authorization ? AUTHZ_POLICY_PLURAL : POLICY_PLURAL },
    requestKind: gvk,
    ...(object.metadata?.name ? { name: object.metadata.name } : {}),
    ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
    operation: existing ? 'UPDATE' : 'CREATE',
    userInfo: { username: 'meshward-generate' },
    object,
    oldObject: existing ?? null,
    dryRun: true,
  };
}

export async function askGate(
  object: KubeObject,
  existing: KubeObject | undefined,
  config: MeshwardConfig,
  cluster: ClusterState,
): Promise<AdmissionDecision> {
  return createGateHandler({ config, cluster })(policyAdmissionRequest(object, existing));
}

/** The rule IDs in a gate message (`[MW-POLICY-001] ...; [MW-AMBIG-002] ...`). */
export function ruleIdsOf(message: string | undefined): string[] {
  return [...new Set([...(message ?? '').matchAll(/\[(MW-[A-Z]+-[0-9]{3})\]/g)].map((m) => m[1]!))];
}
