import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi, ListWatch, Watch } from '../kube/client.js';
import { orNotFound } from '../kube/kube-client.js';
import { plainSecret, secretClient } from './serving-kube-api.js';
import type { IdentityApi, LeaseObject, PcrObject, PcrWatchHandlers, TrustBundleObject, WatchHandle } from './identity-api.js';

// PodCertificateRequest and ClusterTrustBundle are certificates.k8s.io/v1 only from Kubernetes
// 1.37, newer than client-node 1.4's generated clients: they (and Lease, for the same plain-JSON
// shape) go through CustomObjectsApi, which is a generic REST client for /apis/<group>/<version>.
const CERTS = { group: 'certificates.k8s.io', version: 'v1' } as const;
const COORDINATION = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;
const PCRS = 'podcertificaterequests';
const CTBS = 'clustertrustbundles';
const WATCH_RESTART_MS = 2_000;

/**
 * Starts a ListWatch and restarts it after an error (client-node stops it on errors). `afterStart`
 * runs only after a list that succeeded, so a refused list is never mistaken for "no objects".
 */
function runListWatch<T extends KubernetesObject>(lw: ListWatch<T>, onError: (err: unknown) => void, afterStart?: () => void): WatchHandle {
  let stopped = false;
  let failed = false;
  let timer: NodeJS.Timeout | undefined;
  const start = (): void => {
    if (stopped) return;
    failed = false;
    lw.start().then(
      () => {
        if (!failed) afterStart?.();
      },
      (err: unknown) => restart(err),
    );
  };
  const restart = (err: unknown): void => {
    failed = true;
    onError(err);
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(start, WATCH_RESTART_MS);
    timer.unref();
  };
  lw.on('error', (err: unknown) => restart(err));
  start();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await lw.stop();
    },
  };
}

/** IdentityApi over @kubernetes/client-node. */
export function kubeIdentityApi(kc: KubeConfig): IdentityApi {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const watch = new Watch(kc);
  return {
    ...secretClient(core),
    watchSecret(namespace, name, onChange, onError) {
      const fieldSelector = `metadata.name=${name}`;
      const lw = new ListWatch<V1Secret>(`/api/v1/namespaces/${namespace}/secrets`, watch, () => core.listNamespacedSecret({ namespace, fieldSelector }), false, undefined, fieldSelector);
      lw.on('add', (s) => onChange(plainSecret(s)));
      lw.on('update', (s) => onChange(plainSecret(s)));
      lw.on('delete', () => onChange(undefined));
      // An empty list emits nothing: tell the caller the Secret is absent.
      return runListWatch(lw, onError, () => {
        if (!lw.get(name, namespace)) onChange(undefined);
      });
    },

    getLease: (namespace, name) => orNotFound(custom.getNamespacedCustomObject({ ...COORDINATION, namespace, name }) as Promise<LeaseObject>),
    createLease: (lease) => custom.createNamespacedCustomObject({ ...COORDINATION, namespace: lease.metadata.namespace ?? '', body: lease }) as Promise<LeaseObject>,
    replaceLease: (lease) =>
      custom.replaceNamespacedCustomObject({ ...COORDINATION, namespace: lease.metadata.namespace ?? '', name: lease.metadata.name, body: lease }) as Promise<LeaseObject>,

    getPcr: (namespace, name) => orNotFound(custom.getNamespacedCustomObject({ ...CERTS, plural: PCRS, namespace, name }) as Promise<PcrObject>),
    replacePcrStatus: (pcr) =>
      custom.replaceNamespacedCustomObjectStatus({ ...CERTS, plural: PCRS, namespace: pcr.metadata.namespace, name: pcr.metadata.name, body: pcr }) as Promise<PcrObject>,
    watchPcrs(signerName: string, handlers: PcrWatchHandlers): WatchHandle {
      const fieldSelector = `spec.signerName=${signerName}`;
      const list = (): Promise<KubernetesListObject<KubernetesObject>> => custom.listClusterCustomObject({ ...CERTS, plural: PCRS, fieldSelector });
      const lw = new ListWatch<KubernetesObject>(`/apis/${CERTS.group}/${CERTS.version}/${PCRS}`, watch, list, false, undefined, fieldSelector);
      lw.on('add', (o) => handlers.onUpsert(o as unknown as PcrObject));
      lw.on('update', (o) => handlers.onUpsert(o as unknown as PcrObject));
      lw.on('delete', (o) => handlers.onDelete(o as unknown as PcrObject));
      return runListWatch(lw, handlers.onError);
    },

    listTrustBundles: async (signerName) => {
      const list = (await custom.listClusterCustomObject({ ...CERTS, plural: CTBS, fieldSelector: `spec.signerName=${signerName}` })) as { items?: TrustBundleObject[] };
      return list.items ?? [];
    },
    createTrustBundle: (bundle) => custom.createClusterCustomObject({ ...CERTS, plural: CTBS, body: bundle }) as Promise<TrustBundleObject>,
    replaceTrustBundle: (bundle) => custom.replaceClusterCustomObject({ ...CERTS, plural: CTBS, name: bundle.metadata.name, body: bundle }) as Promise<TrustBundleObject>,
    deleteTrustBundle: async (name) => {
      await orNotFound(custom.deleteClusterCustomObject({ ...CERTS, plural: CTBS, name }));
    },
  };
}
