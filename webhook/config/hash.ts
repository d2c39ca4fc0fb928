import { createHash } from 'node:crypto';
import type { MeshwardConfig } from './types.js';

/**
 * Hash of the config that shapes an injection, and the static bootstrap its proxy read at start (how
 * to reach and recognise the xDS server): a pod injected under another value is stale.
 */
export function injectionConfigHash(config: MeshwardConfig): string {
  const { address, serviceAccount } = config.controlPlane;
  // The mesh default authorization reaches running proxies over xDS: nothing injected depends on
  // it, so changing it must not make every pod stale. Left out, the hash of every other field is
  // what it was before the field existed.
  const { defaultAuthorization: _live, ...mesh } = config.mesh;
  // Likewise the refresh point: only the signer uses it, for each certificate it issues.
  const { refreshPercent: _signerOnly, ...credentials } = config.credentials;
  const relevant = { mesh, proxy: config.proxy, credentials, controlPlane: { address, serviceAccount } };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
