import type { MeshwardConfig } from '../config/types.js';
import type { ServeControllers } from './serve-controllers.js';

/** --offline: no API server, so no signer, no managed certificate, no fallback and no proxy bootstrap to run. */
export function offlineControllers(config: MeshwardConfig): ServeControllers {
  return {
    identity: {
      stop: async () => undefined,
      trustRootFingerprint: () => undefined,
      currentCa: () => undefined,
      ready: Promise.resolve(),
      isLeader: () => false,
      identity: 'offline',
      idle: async () => undefined,
    },
    credentialSource: config.credentials.source,
    setTlsSink: () => undefined,
    startProxyBootstrap: () => undefined,
    stop: async () => undefined,
  };
}
