import type { KubeObject } from '../admission/types.js';
import { LABEL_INJECT, LABEL_MTLS } from '../config/names.js';

// A namespace's two meshward labels, read one way for the injector, the gate, status and check:
// the requirement, meshward.io/mtls=STRICT|PERMISSIVE|DISABLE, and the opt-in, meshward.io/inject.

export const NAMESPACE_REQUIREMENTS = ['STRICT', 'PERMISSIVE', 'DISABLE'] as const;

export function namespaceLabel(namespace: KubeObject | undefined): string | undefined {
  const value = namespace?.metadata?.labels?.[LABEL_MTLS];
  return typeof value === 'string' ? value : undefined;
}

export function isValidRequirement(value: string): boolean {
  return (NAMESPACE_REQUIREMENTS as readonly string[]).includes(value);
}

/**
 * Whether the namespace is STRICT: exactly the value the gate's webhook and the CEL backstop
 * select on (`matchLabels: {meshward.io/mtls: STRICT}`), so what meshward reports as STRICT is
 * exactly what the API server sends it. Another spelling ("strict") is refused by the Namespace
 * gate (MW-NS-001) and shown by status as an invalid label, never as STRICT.
 */
export function isStrictNamespace(namespace: KubeObject | undefined): boolean {
  return namespaceLabel(namespace) === 'STRICT';
}

/** A namespace's meshward.io/inject label: what the injector webhooks' namespaceSelectors match. */
export type NamespaceInjection = 'enabled' | 'disabled' | 'not-enabled';

/** Exactly "enabled" or "disabled", as the API server's selectors compare; anything else opts neither way. */
export function namespaceInjection(namespace: KubeObject | undefined): NamespaceInjection {
  const value = namespace?.metadata?.labels?.[LABEL_INJECT];
  return value === 'enabled' || value === 'disabled' ? value : 'not-enabled';
}
