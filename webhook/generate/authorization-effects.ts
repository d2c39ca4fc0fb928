import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { declaredPorts } from '../inject/inject-pod.js';
import { principalValue } from '../policy/authorization-principals.js';
import type { MeshAuthorizationPolicy, PortAuthorization } from '../policy/authorization-types.js';
import { selectorMatches } from '../policy/label-selector.js';
import { samePolicy } from '../policy/mesh-tls-policy.js';
import { authorizationForPort, resolveWorkloadAuthorization, type AuthorizationInput } from '../policy/resolve-authorization.js';
import { workloadOf, type WorkloadRef } from '../status/workload-owner.js';
import type { AuthorizationRequest } from './authorization-request.js';

// What a planned MeshAuthorizationPolicy changes, by the one resolver: each workload port whose
// callers change, and who may call the requested ports afterwards (the union of every policy that
// selects them, not only this one).

export interface AuthorizationChange {
  readonly workload: WorkloadRef;
  readonly port: number;
  readonly before: PortAuthorization;
  readonly after: PortAuthorization;
  readonly pods: number;
}

export interface AuthorizationEffects {
  readonly changes: readonly AuthorizationChange[];
  readonly targetedPods: number;
  /** Per requested port (or `undefined`: every port), who may call it afterwards. */
  readonly admitted: ReadonlyArray<{ readonly port?: number; readonly authorization: PortAuthorization }>;
}

export interface AuthorizationEffectsInput {
  readonly config: Pick<MeshwardConfig, 'mesh'>;
  readonly request: AuthorizationRequest;
  readonly meshPolicies: readonly MeshAuthorizationPolicy[];
  readonly namespacePolicies: readonly MeshAuthorizationPolicy[];
  readonly planned: MeshAuthorizationPolicy;
  readonly pods: readonly KubeObject[];
}

function replaced(list: readonly MeshAuthorizationPolicy[], policy: MeshAuthorizationPolicy): MeshAuthorizationPolicy[] {
  return [...list.filter((p) => !samePolicy(p, policy)), policy];
}

/** `any identity of the mesh`, `no mTLS caller`, `2 identities (Enforce)`. */
export function describeAuthorization(auth: PortAuthorization): string {
  if (auth.kind === 'allow-mesh') return 'any identity of the mesh (allow-mesh)';
  if (auth.kind === 'deny') return 'no mTLS caller (deny)';
  return `${auth.principals.length} ${auth.principals.length === 1 ? 'identity' : 'identities'} (${auth.enforcement})`;
}

/** `spiffe://td/ns/batch/*` for a prefix, the ID itself for an exact match. */
export function describePrincipals(auth: PortAuthorization): string[] {
  return auth.kind === 'allow-list' ? auth.principals.map((p) => ('prefix' in p ? `${principalValue(p)}*` : principalValue(p))) : [];
}

export function computeAuthorizationEffects(input: AuthorizationEffectsInput): AuthorizationEffects {
  const { config, request, planned } = input;
  const inMesh = planned.namespace === config.mesh.namespace;
  const before: Omit<AuthorizationInput, 'podLabels' | 'ports'> = {
    config,
    meshPolicies: input.meshPolicies,
    namespacePolicies: input.namespacePolicies,
  };
  const after = {
    config,
    meshPolicies: inMesh ? replaced(input.meshPolicies, planned) : input.meshPolicies,
    namespacePolicies: replaced(input.namespacePolicies, planned),
  };
  const changes = new Map<
    string,
    { workload: WorkloadRef; port: number; before: PortAuthorization; after: PortAuthorization; pods: number }
  >();
  let targetedPods = 0;
  for (const pod of input.pods) {
    const labels = pod.metadata?.labels;
    if (selectorMatches(request.selector, labels)) targetedPods++;
    const ports = declaredPorts(pod as V1Pod);
    const b = resolveWorkloadAuthorization({ ...before, podLabels: labels, ports });
    const a = resolveWorkloadAuthorization({ ...after, podLabels: labels, ports });
    const workload = workloadOf(pod);
    for (const { port } of a.ports) {
      const was = authorizationForPort(b, port);
      const is = authorizationForPort(a, port);
      if (JSON.stringify(was) === JSON.stringify(is)) continue;
      const key = `${workload.kind}/${workload.name}#${port}`;
      const entry = changes.get(key) ?? { workload, port, before: was, after: is, pods: 0 };
      entry.pods++;
      changes.set(key, entry);
    }
  }
  const target = resolveWorkloadAuthorization({ ...after, podLabels: request.selector, ports: request.ports });
  return {
    changes: [...changes.values()].sort(
      (x, y) => `${x.workload.kind}/${x.workload.name}`.localeCompare(`${y.workload.kind}/${y.workload.name}`) || x.port - y.port,
    ),
    targetedPods,
    admitted:
      request.ports.length > 0
        ? request.ports.map((port) => ({ port, authorization: authorizationForPort(target, port) }))
        : [{ authorization: target.undeclared }],
  };
}
