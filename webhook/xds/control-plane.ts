// The control plane as `meshward serve` runs it: the caches, the server's certificates and the
// ADS server, started together and stopped together.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MeshwardConfig } from '../config/types.js';
import type { KubeApi } from '../kube/api.js';
import type { MeshCa } from '../pki/mesh-ca.js';
import { XdsServer, type ProxyState } from './ads-server.js';
import { MeshCache } from './mesh-cache.js';
import { ServerCertificates } from './server-certificates.js';

export interface ControlPlane {
  /** The port the ADS server listens on. */
  readonly port: number;
  proxies(): ProxyState[];
  stop(): Promise<void>;
}

export interface ControlPlaneDeps {
  readonly config: MeshwardConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly api: Pick<KubeApi, 'list' | 'watch'>;
  readonly currentCa: () => MeshCa | undefined;
}

export async function startControlPlane(deps: ControlPlaneDeps): Promise<ControlPlane> {
  const logger = deps.logger.child({ component: 'xds' });
  let server: XdsServer | undefined;
  const cache = new MeshCache(deps.api, logger, () => server?.changed());
  const certificates = new ServerCertificates(deps.config, deps.currentCa);
  server = new XdsServer({
    config: deps.config,
    logger,
    registry: deps.registry,
    view: cache,
    synced: cache.synced,
    certificates,
  });
  const port = await server.start();
  logger.info({ port }, 'xds: ADS server listening');
  const running = server;
  return {
    port,
    proxies: () => running.proxies(),
    async stop() {
      await running.stop();
      certificates.stop();
      await cache.stop();
    },
  };
}
