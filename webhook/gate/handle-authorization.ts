import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import { equalJson } from '../json/same-json.js';
import { authorizationScope } from '../policy/authorization-policy.js';
import type { MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { policyRef } from '../policy/mesh-tls-policy.js';
import { parseMeshAuthorizationPolicy } from '../policy/parse-authorization.js';
import { PolicyParseError } from '../policy/parse-policy.js';
import { evaluateAuthorizationPolicy } from './authorization-rules.js';
import { readAuthorizationWorld } from './cluster-reads.js';
import { allow, deny, denyUnavailable, tryRead } from './decisions.js';
import type { GateDeps } from './handle-pod.js';
import { finding, formatFinding } from './rules.js';
import { cappedWarnings } from './warnings.js';

// MeshAuthorizationPolicy admission, in every namespace: validity (MW-AUTHZ-001), ambiguity
// (MW-AUTHZ-003) and enforceability (MW-AUTHZ-002). Always fail closed: an allow list the gate
// could not check may be one the proxy cannot enforce.

function withNamespace(object: KubeObject, namespace: string | undefined): KubeObject {
  return namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

function parseOrError(object: KubeObject, namespace: string | undefined): MeshAuthorizationPolicy | PolicyParseError {
  try {
    return parseMeshAuthorizationPolicy(withNamespace(object, namespace));
  } catch (err) {
    if (err instanceof PolicyParseError) return err;
    throw err;
  }
}

export async function gateAuthorizationPolicy(request: AdmissionRequest, object: KubeObject, deps: GateDeps): Promise<AdmissionDecision> {
  const candidate = parseOrError(object, request.namespace);
  if (candidate instanceof PolicyParseError) return deny(candidate.problems.map((p) => finding('MW-AUTHZ-001', p.field, p.problem, p.fix)));
  const { config, cluster } = deps;
  const what = `authorization policy ${policyRef(candidate)}`;
  const ns = await tryRead(() => cluster.getNamespace(candidate.namespace));
  if (ns instanceof Error) return denyUnavailable('metadata.namespace', what, ns);
  if (!ns)
    return deny([
      finding('MW-GATE-002', 'metadata.namespace', `namespace ${candidate.namespace} is not known to meshward yet (fail closed)`),
    ]);
  const meshWide = authorizationScope(candidate, config.mesh.namespace) === 'mesh-wide';
  const world = await tryRead(() => readAuthorizationWorld(cluster, config, meshWide ? 'mesh' : { namespace: ns }));
  if (world instanceof Error) return denyUnavailable('metadata.namespace', what, world);
  const findings = evaluateAuthorizationPolicy(candidate, { config, ...world });
  if (findings.length === 0) return allow('compliant');
  const old = request.operation === 'UPDATE' && request.oldObject ? parseOrError(request.oldObject, request.namespace) : undefined;
  if (old && !(old instanceof PolicyParseError) && equalJson(old, candidate)) {
    // Metadata-only update (finalizers, labels) of a policy that already violated: not blocked.
    return allow('preexisting-violations', cappedWarnings(findings.map((f) => `pre-existing: ${formatFinding(f)}`)));
  }
  return deny(findings);
}
