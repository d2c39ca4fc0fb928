import type { KubeObject } from '../admission/types.js';
import { LABEL_MTLS } from '../config/names.js';

// The namespace requirement label, meshward.io/mtls=STRICT|PERMISSIVE|DISABLE.

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
