import { createHash } from 'node:crypto';
import type { MeshwardConfig } from './types.js';

/**
 * Hash of the config that shapes an injection, and the static bootstrap its proxy read at start (how
 * to reach and recognise the xDS server): a pod injected under another value is stale.
 */
export function injectionConfigHash(config: MeshwardConfig): string {
  const { address, serviceAccount } = config.controlPlane;
  const relevant = { mesh: config.mesh, proxy: config.proxy, credentials: config.credentials, controlPlane: { address, serviceAccount } };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
