import type { Logger } from 'pino';
import type { KubeObject } from '../admission/types.js';
import { injectionConfigHash } from '../config/hash.js';
import type { MeshwardConfig } from '../config/types.js';
import { createGateHandler } from '../gate/gate-handler.js';
import { createInjectHandler } from '../inject/handler.js';
import { loadTemplates } from '../inject/templates.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { InformerClusterState } from '../kube/informer-state.js';
import { loadKubeConfig } from '../kube/kube-client.js';
import { readManifestPaths } from '../kube/manifests.js';
import { StaticClusterState } from '../kube/static-state.js';
import type { MeshwardHandlers } from '../server/start.js';

/** The cluster as meshward sees it: informer caches, or --state manifests with --offline. */
export function openClusterState(config: MeshwardConfig, logger: Logger): { cluster: ClusterState; synced: Promise<void>; close: () => Promise<void> } {
  if (config.kube.offline) {
    const objects: KubeObject[] = config.kube.stateFile ? readManifestPaths([config.kube.stateFile]).map((o) => o.object) : [];
    return { cluster: new StaticClusterState(objects), synced: Promise.resolve(), close: async () => undefined };
  }
  const informers = new InformerClusterState(loadKubeConfig(config.kube.kubeconfig), logger);
  return { cluster: informers, synced: informers.synced, close: () => informers.stop() };
}

/** Builds the injector and gate handlers over one cluster view. */
export function buildHandlers(config: MeshwardConfig, logger: Logger): MeshwardHandlers {
  const { cluster, synced, close } = openClusterState(config, logger);
  const templates = loadTemplates();
  return {
    mutate: createInjectHandler({ config, templates, configHash: injectionConfigHash(config), cluster }),
    validate: createGateHandler({ config, cluster }),
    synced,
    close,
  };
}

