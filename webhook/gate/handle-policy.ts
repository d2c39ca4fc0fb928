import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import { policyRef, policyScope, samePolicy, type MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { parseMeshTLSPolicy, PolicyParseError } from '../policy/parse-policy.js';
import { resolveNamespaceLevel } from '../policy/resolve-modes.js';
import { readPolicies, readPolicySet, readStrictNamespaces } from './cluster-reads.js';
import { allow, deny, denyUnavailable, tryRead } from './decisions.js';
import type { GateDeps } from './handle-pod.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { evaluatePolicy, type StrictNamespacePolicies } from './policy-rules.js';
import { finding, formatFinding } from './rules.js';
import { equalJson } from '../json/same-json.js';
import { capList, cappedWarnings, clampWarning } from './warnings.js';
import { authorizationAtStake, couldLower, tlsAuthorizationCheck } from './tls-authorization-check.js';

// MeshTLSPolicy admission: validity (MW-POLICY-003) and ambiguity (MW-AMBIG-*) in any namespace,
// STRICT staying STRICT (MW-POLICY-001/002) where STRICT namespaces are affected (fail closed there when the cluster cannot be read),
// and allow lists staying enforceable (MW-AUTHZ-004, fail closed where one could be lowered).

function withNamespace(object: KubeObject, namespace: string | undefined): KubeObject {
  return namespace ? { ...object, metadata: { ...object.metadata, namespace } } : object;
}

function parseOrFindings(object: KubeObject, namespace: string | undefined): MeshTLSPolicy | PolicyParseError {
  try {
    return parseMeshTLSPolicy(withNamespace(object, namespace));
  } catch (err) {
    if (err instanceof PolicyParseError) return err;
    throw err;
  }
}

export async function gatePolicy(request: AdmissionRequest, object: KubeObject, deps: GateDeps): Promise<AdmissionDecision> {
  const candidate = parseOrFindings(object, request.namespace);
  if (candidate instanceof PolicyParseError)
    return deny(candidate.problems.map((p) => finding('MW-POLICY-003', p.field, p.problem, p.fix)));
  const { config, cluster } = deps;
  const ns = await tryRead(() => cluster.getNamespace(candidate.namespace));
  if (ns instanceof Error) return denyUnavailable('metadata.namespace', `policy ${policyRef(candidate)}`, ns);
  if (!ns)
    return deny([
      finding('MW-GATE-002', 'metadata.namespace', `namespace ${candidate.namespace} is not known to meshward yet (fail closed)`),
    ]);
  const strict = isStrictNamespace(ns);
  const meshWide = policyScope(candidate, config.mesh.namespace) === 'mesh-wide';
  const set = await tryRead(() => readPolicySet(cluster, config, candidate.namespace));
  const strictNamespaces = meshWide ? await tryRead(() => readStrictNamespaces(cluster)) : [];
  if (set instanceof Error || strictNamespaces instanceof Error) {
    const err = set instanceof Error ? set : (strictNamespaces as Exclude<typeof strictNamespaces, StrictNamespacePolicies[]>);
    // Open where STRICT is not at stake: only the conflict check is lost.
    if (!strict && !meshWide && !(await authorizationAtStake(candidate, deps)))
      return allow('not-strict', [clampWarning(`meshward could not check ${policyRef(candidate)} for conflicts: ${err.message}`)]);
    return denyUnavailable('metadata.namespace', `policy ${policyRef(candidate)}`, err);
  }
  const policyVerdict = evaluatePolicy(candidate, { config, namespaceStrict: strict, ...set, strictNamespaces });
  const authorization = await tlsAuthorizationCheck(candidate, ns, meshWide, deps);
  if (authorization instanceof Error && couldLower(candidate))
    return denyUnavailable('metadata.namespace', `policy ${policyRef(candidate)}`, authorization);
  const authorizationFindings = authorization instanceof Error ? [] : authorization;
  // A field refused for an allow list's sake is not also advised about (as evaluatePolicy does for its own).
  const refused = authorizationFindings.map((f) => ` ${f.field}: `);
  const verdict = {
    findings: [...policyVerdict.findings, ...authorizationFindings],
    advisories: policyVerdict.advisories.filter((a) => !refused.some((field) => a.includes(field))),
  };
  const old = request.operation === 'UPDATE' && request.oldObject ? parseOrFindings(request.oldObject, request.namespace) : undefined;
  if (old && !(old instanceof PolicyParseError) && equalJson(old, candidate) && verdict.findings.length > 0) {
    // Metadata-only update (finalizers, labels) of a policy that already violated: not blocked.
    return allow('preexisting-violations', [
      ...cappedWarnings(verdict.findings.map((f) => `pre-existing: ${formatFinding(f)}`)),
      ...verdict.advisories.map(clampWarning),
    ]);
  }
  const advisories = verdict.advisories.map(clampWarning);
  if (verdict.findings.length > 0) return deny(verdict.findings, advisories);
  return allow(strict || meshWide ? 'compliant' : 'not-strict', advisories);
}

function loweredBy(
  policy: MeshTLSPolicy,
  namespaces: readonly StrictNamespacePolicies[],
  meshPolicies: readonly MeshTLSPolicy[],
  deps: GateDeps,
): string[] {
  const without = (list: readonly MeshTLSPolicy[]): MeshTLSPolicy[] => list.filter((p) => !samePolicy(p, policy));
  return namespaces
    .filter((ns) => {
      const before = resolveNamespaceLevel({ config: deps.config, meshPolicies, namespacePolicies: ns.policies });
      const after = resolveNamespaceLevel({
        config: deps.config,
        meshPolicies: without(meshPolicies),
        namespacePolicies: without(ns.policies),
      });
      return before.mode === 'STRICT' && after.mode !== 'STRICT';
    })
    .map((ns) => ns.name)
    .sort();
}

/** DELETE is never refused; deleting a selector-less policy that kept namespaces STRICT warns. */
export async function policyDeleteWarnings(request: AdmissionRequest, deps: GateDeps): Promise<string[]> {
  const policy = request.oldObject ? parseOrFindings(request.oldObject, request.namespace) : undefined;
  if (!policy || policy instanceof PolicyParseError || policy.selector) return [];
  try {
    const { config, cluster } = deps;
    const meshWide = policyScope(policy, config.mesh.namespace) === 'mesh-wide';
    const own = async (): Promise<StrictNamespacePolicies[]> =>
      isStrictNamespace(await cluster.getNamespace(policy.namespace))
        ? [{ name: policy.namespace, policies: await readPolicies(cluster, policy.namespace) }]
        : [];
    const namespaces = meshWide ? await readStrictNamespaces(cluster) : await own();
    if (namespaces.length === 0) return [];
    const lowered = loweredBy(policy, namespaces, (await readPolicySet(cluster, config, policy.namespace)).meshPolicies, deps);
    return lowered.length > 0
      ? [clampWarning(`[MW-ADVISE-004] deleting ${policyRef(policy)} leaves STRICT namespaces less than STRICT: ${capList(lowered)}`)]
      : [];
  } catch {
    return []; // advisory only: a failed read must not block or fail a DELETE
  }
}
