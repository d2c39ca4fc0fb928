import type { KubeObject } from '../admission/types.js';
import { LABEL_MTLS, SYSTEM_NAMESPACES } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';

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
 * Whether the gate enforces STRICT in this namespace. The Namespace admission only lets exact
 * upper-case values in, but a label set before meshward was installed may read "strict": it
 * counts, because failing closed on a spelling is safer than failing open.
 */
export function isStrictNamespace(namespace: KubeObject | undefined): boolean {
  return namespaceLabel(namespace)?.trim().toUpperCase() === 'STRICT';
}

/**
 * Namespaces whose pods the gate never checks: Kubernetes' own (the injector never touches them,
 * so a STRICT label there would refuse every system pod) and meshward's (its webhook cannot wait
 * for itself). Policies there are still checked: the mesh-wide policy lives in meshward's.
 */
export function podsUngated(namespace: string, config: Pick<MeshwardConfig, 'mesh'>): boolean {
  return SYSTEM_NAMESPACES.includes(namespace) || namespace === config.mesh.namespace;
}
