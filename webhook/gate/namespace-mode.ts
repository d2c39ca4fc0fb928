import { SYSTEM_NAMESPACES } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';

/**
 * Namespaces whose pods the gate never checks: Kubernetes' own (the injector never touches them,
 * so a STRICT label there would refuse every system pod) and meshward's (its webhook cannot wait
 * for itself). Policies there are still checked: the mesh-wide policy lives in meshward's.
 */
export function podsUngated(namespace: string, config: Pick<MeshwardConfig, 'mesh'>): boolean {
  return SYSTEM_NAMESPACES.includes(namespace) || namespace === config.mesh.namespace;
}
