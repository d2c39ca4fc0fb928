import { createHash } from 'node:crypto';
import type { MeshwardConfig } from './types.js';

/** Hash of the config that shapes an injection: a pod injected under another value is stale. */
export function injectionConfigHash(config: MeshwardConfig): string {
  const relevant = { mesh: config.mesh, proxy: config.proxy, credentials: config.credentials };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
