import type { AdmissionDecision, AdmissionRequest } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, POLICY_GROUP, POLICY_KIND } from '../config/names.js';
import { allow, deny } from './decisions.js';
import { gateAuthorizationPolicy } from './handle-authorization.js';
import { gateNamespace } from './handle-namespace.js';
import { gatePodOrWorkload, type GateDeps } from './handle-pod.js';
import { gatePolicy, policyDeleteWarnings } from './handle-policy.js';
import { isRecord, isWorkloadKind } from './pod-template.js';
import { finding } from './rules.js';

// The validating webhook (POST /validate). Pure apart from the ClusterState reads passed in: no
// side effects, so dry-run requests get exactly the same answer and change nothing.

export type { GateDeps } from './handle-pod.js';

type Route = 'pod' | 'policy' | 'authorization' | 'namespace';

function routeOf(request: AdmissionRequest): Route | undefined {
  const { group, kind } = request.kind;
  // Subresources (status, scale, binding, eviction) carry no pod spec, except ephemeral containers.
  if (request.subResource && !(kind === 'Pod' && request.subResource === 'ephemeralcontainers')) return undefined;
  if (group === '' && kind === 'Pod') return 'pod';
  if (group === '' && kind === 'Namespace') return 'namespace';
  if (group === POLICY_GROUP && kind === POLICY_KIND) return 'policy';
  if (group === POLICY_GROUP && kind === AUTHZ_POLICY_KIND) return 'authorization';
  return isWorkloadKind(group, kind) ? 'pod' : undefined;
}

/**
 * Builds the gate: Pods, workload templates, MeshTLSPolicies, MeshAuthorizationPolicies and Namespaces. Other kinds and
 * subresources are allowed as `not-gated`; DELETE is never refused.
 */
export function createGateHandler(deps: GateDeps): (request: AdmissionRequest) => Promise<AdmissionDecision> {
  return async (request) => {
    const route = routeOf(request);
    if (!route) return allow('not-gated');
    if (request.operation === 'DELETE') return allow('not-gated', route === 'policy' ? await policyDeleteWarnings(request, deps) : []);
    if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow('not-gated');
    const object = request.object;
    if (!isRecord(object))
      return deny([finding('MW-GATE-003', 'request.object', `is missing from a ${request.operation} of a ${request.kind.kind}`)]);
    if (route === 'namespace') return gateNamespace(request, object, deps);
    if (route === 'policy') return gatePolicy(request, object, deps);
    if (route === 'authorization') return gateAuthorizationPolicy(request, object, deps);
    return gatePodOrWorkload(request, object, deps);
  };
}
