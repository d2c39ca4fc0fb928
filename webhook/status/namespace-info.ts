import type { KubeObject } from '../admission/types.js';
import { isStrictNamespace, isValidRequirement, namespaceInjection, namespaceLabel } from '../policy/namespace-label.js';
import { formatSelector } from '../policy/label-selector.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import type { InjectionOptIn, PolicySummary, Requirement } from './model.js';

// A namespace's labels as the gate and the injector read them.

export function requirementOf(namespace: KubeObject): { requirement: Requirement; label?: string } {
  const label = namespaceLabel(namespace);
  if (label === undefined) return { requirement: 'none' };
  if (isStrictNamespace(namespace)) return { requirement: 'STRICT' };
  return isValidRequirement(label) ? { requirement: label as Requirement } : { requirement: 'invalid', label };
}

export function injectionOf(namespace: KubeObject): InjectionOptIn {
  return namespaceInjection(namespace);
}

export function summarizePolicy(policy: MeshTLSPolicy): PolicySummary {
  return {
    name: policy.name,
    ...(policy.selector ? { selector: policy.selector } : {}),
    mode: policy.mode,
    ports: Object.fromEntries(policy.portLevelMtls.map((p) => [String(p.port), p.mode])),
  };
}

/** `app=web` or `namespace-wide`: how tables show a policy's scope. */
export function policyScopeText(policy: PolicySummary): string {
  return policy.selector ? formatSelector(policy.selector) : 'namespace-wide';
}
