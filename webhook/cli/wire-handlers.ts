import type { Logger } from 'pino';
import type { KubeObject } from '../admission/types.js';
import { injectionConfigHash } from '../config/hash.js';
import type { MeshwardConfig } from '../config/types.js';
import { createGateHandler } from '../gate/gate-handler.js';
import { createInjectHandler } from '../inject/handler.js';
import { loadTemplates } from '../inject/templates.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { deferredClusterState } from '../kube/deferred-state.js';
import { readManifestPaths } from '../kube/manifests.js';
import type { NamespaceSource } from '../proxy-bootstrap/bootstrap-controller.js';
import { StaticClusterState } from '../kube/static-state.js';
import type { MeshwardHandlers, ServerContext } from '../server/start.js';
import { startServeDashboard } from '../dashboard/serve-dashboard.js';
import { offlineControllers } from './offline-controllers.js';

/**
 * The cluster as meshward sees it: informer caches, or --state manifests with --offline. In a
 * cluster, `namespaces` is the namespaces informer itself, for controllers that follow namespaces.
 */
export function openClusterState(
  config: MeshwardConfig,
  logger: Logger,
): { cluster: ClusterState; synced: Promise<void>; close: () => Promise<void>; namespaces?: Promise<NamespaceSource> } {
  if (config.kube.offline) {
    const objects: KubeObject[] = config.kube.stateFile ? readManifestPaths([config.kube.stateFile]).map((o) => o.object) : [];
    return { cluster: new StaticClusterState(objects), synced: Promise.resolve(), close: async () => undefined };
  }
  const loading = Promise.all([
    import('../kube/informer-state.js'),
    import('../kube/client-api.js'),
    import('../kube/kube-client.js'),
  ]).then(
    ([{ InformerClusterState }, { kubeApi }, { loadKubeConfig }]) =>
      new InformerClusterState(kubeApi(loadKubeConfig(config.kube.kubeconfig)), logger),
  );
  return {
    cluster: deferredClusterState(loading),
    synced: loading.then((informers) => informers.synced),
    close: async () => (await loading).stop(),
    namespaces: loading.then((informers) => informers.namespaces),
  };
}

/** The injector and gate handlers over one cluster view (also used by the benchmark). */
export function buildHandlers(
  config: MeshwardConfig,
  logger: Logger,
  trustRoot?: () => string | undefined,
): MeshwardHandlers & {
  cluster: ClusterState;
  templateHash: string;
  configHash: string;
  close: () => Promise<void>;
  namespaces?: Promise<NamespaceSource>;
} {
  const { cluster, synced, close, namespaces } = openClusterState(config, logger);
  const templates = loadTemplates();
  const configHash = injectionConfigHash(config);
  return {
    cluster,
    templateHash: templates.hash,
    configHash,
    mutate: createInjectHandler({ config, templates, configHash, cluster, ...(trustRoot ? { trustRootFingerprint: trustRoot } : {}) }),
    validate: createGateHandler({ config, cluster, injection: { templates, configHash } }),
    synced,
    close,
    ...(namespaces ? { namespaces } : {}),
  };
}

/**
 * Everything `meshward serve` runs: the admission handlers, the controllers (identity, serving
 * certificate, Secret fallback, proxy bootstrap; none offline) and the dashboard, stopped together.
 */
export async function buildServe(config: MeshwardConfig, logger: Logger, context: ServerContext): Promise<MeshwardHandlers> {
  const controllers = config.kube.offline
    ? offlineControllers(config)
    : await (await import('./serve-controllers.js')).startServeControllers(config, logger, context);
  const trustRoot = (): string | undefined => controllers.identity.trustRootFingerprint();
  // The fallback's API discovery decides which credentials the injector projects.
  const injectConfig: MeshwardConfig =
    controllers.credentialSource === config.credentials.source
      ? config
      : { ...config, credentials: { ...config.credentials, source: controllers.credentialSource } };
  const handlers = buildHandlers(injectConfig, logger, trustRoot);
  // The proxy bootstrap follows the webhooks' own namespaces informer.
  if (handlers.namespaces) controllers.startProxyBootstrap(handlers.namespaces);
  const dashboard = handlers.synced!.then(() =>
    startServeDashboard({
      config,
      cluster: handlers.cluster,
      templateHash: handlers.templateHash,
      configHash: handlers.configHash,
      currentTrustRoot: trustRoot,
      logger,
    }),
  );
  return {
    ...handlers,
    // Which proxies this replica serves and whether each ACKed its latest configuration:
    // `meshward status` reads it from every replica (through the API server's pod proxy).
    extendOps: (app) => {
      app.get('/xds/proxies', (_req, res) => {
        res.json({ proxies: controllers.controlPlane?.proxies() ?? [] });
      });
      // What this replica injects now, so `meshward status` judges pods by the running
      // configuration, not the caller's. Nothing in it is secret: image names, ports, file paths.
      app.get('/injection', (_req, res) => {
        const trustRootNow = trustRoot();
        res.json({
          config: injectConfig,
          templateHash: handlers.templateHash,
          configHash: handlers.configHash,
          ...(trustRootNow ? { trustRoot: trustRootNow } : {}),
        });
      });
    },
    ...(controllers.initialTls ? { initialTls: controllers.initialTls } : {}),
    onListening: (webhook) =>
      controllers.setTlsSink((pair) => {
        webhook.reloadTls(pair);
        logger.info('serving certificate rotated');
      }),
    async close() {
      await (await dashboard.catch(() => undefined))?.close();
      await controllers.stop();
      await handlers.close();
    },
  };
}
