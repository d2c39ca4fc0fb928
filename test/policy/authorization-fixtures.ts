import type { KubeObject } from '../../webhook/admission/types.js';
import type { AuthorizationSource, Enforcement, MeshAuthorizationPolicy } from '../../webhook/policy/authorization-types.js';

// Builders for MeshAuthorizationPolicy tests: the typed form (resolver, conflicts) and manifests
// (parser, gate, check).

export function authz(
  name: string,
  options: {
    namespace?: string;
    selector?: Record<string, string>;
    ports?: number[];
    allow?: AuthorizationSource[];
    enforcement?: Enforcement;
    creationTimestamp?: string;
  } = {},
): MeshAuthorizationPolicy {
  return {
    namespace: options.namespace ?? 'shop',
    name,
    allow: options.allow ?? [{ serviceAccounts: ['frontend/web'] }],
    enforcement: options.enforcement ?? 'Enforce',
    ...(options.selector ? { selector: options.selector } : {}),
    ...(options.ports ? { ports: [...options.ports].sort((a, b) => a - b) } : {}),
    ...(options.creationTimestamp ? { creationTimestamp: options.creationTimestamp } : {}),
  };
}

/** A MeshAuthorizationPolicy manifest with this spec. */
export function authzObject(name: string, spec: Record<string, unknown>, namespace = 'shop', creationTimestamp?: string): KubeObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshAuthorizationPolicy',
    metadata: { name, namespace, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}
