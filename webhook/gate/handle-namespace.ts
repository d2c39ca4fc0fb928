import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import { readPolicySet } from './cluster-reads.js';
import { allow, deny, tryRead } from './decisions.js';
import type { GateDeps } from './handle-pod.js';
import { isStrictNamespace, namespaceLabel } from '../policy/namespace-label.js';
import { namespaceLabelFindings, strictTransitionWarnings } from './namespace-rules.js';
import { formatFinding } from './rules.js';
import { clampWarning } from './warnings.js';

// Namespace admission: refuse unknown requirement values; let a namespace turn STRICT and warn
// about what already violates it. Turning STRICT tightens, so a failed read only costs warnings.

async function transitionWarnings(namespace: KubeObject, deps: GateDeps): Promise<string[]> {
  const name = namespace.metadata?.name ?? '';
  const pods = await tryRead(() => deps.cluster.listPods(name));
  const set = await tryRead(() => readPolicySet(deps.cluster, deps.config, name));
  const unread = [pods, set].filter((r): r is Extract<typeof r, Error> => r instanceof Error);
  const warnings = strictTransitionWarnings({
    config: deps.config,
    namespace,
    pods: pods instanceof Error ? [] : pods,
    policies: { config: deps.config, ...(set instanceof Error ? { meshPolicies: [], namespacePolicies: [] } : set) },
  });
  if (unread.length > 0)
    warnings.push(clampWarning(`[MW-ADVISE-003] existing pods/policies of ${name} were not checked: ${unread[0]!.message}`));
  return warnings;
}

export async function gateNamespace(request: AdmissionRequest, namespace: KubeObject, deps: GateDeps): Promise<AdmissionDecision> {
  const old = request.operation === 'UPDATE' ? (request.oldObject ?? undefined) : undefined;
  const findings = namespaceLabelFindings(namespace);
  if (findings.length > 0) {
    // Unchanged since before meshward: don't block finalizers or unrelated label edits.
    if (old && namespaceLabel(old) === namespaceLabel(namespace))
      return allow(
        'preexisting-violations',
        findings.map((f) => clampWarning(formatFinding(f))),
      );
    return deny(findings);
  }
  const strict = isStrictNamespace(namespace);
  const wasStrict = old !== undefined && isStrictNamespace(old);
  if (strict && !wasStrict) return allow('compliant', await transitionWarnings(namespace, deps));
  if (!strict && wasStrict) {
    return allow('not-strict', [
      clampWarning(`[MW-ADVISE-003] ${namespace.metadata?.name ?? ''} is no longer STRICT: meshward stops refusing plaintext there`),
    ]);
  }
  return allow(strict ? 'compliant' : 'not-strict');
}
