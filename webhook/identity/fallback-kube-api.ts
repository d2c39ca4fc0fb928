import type { KubeConfig, V1ConfigMap, V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import { CertificatesV1Api, CoreV1Api } from '../kube/client.js';
import { statusOf } from '../kube/kube-client.js';
import { listsPodCertificateRequests, type FallbackApi } from './fallback-api.js';
import type { ConfigMapObject, ServiceAccountRef } from './fallback-objects.js';
import { plainSecret } from './serving-kube-api.js';

function saRef(sa: V1ServiceAccount): ServiceAccountRef {
  return { namespace: sa.metadata?.namespace ?? '', name: sa.metadata?.name ?? '', uid: sa.metadata?.uid ?? '' };
}

function plainConfigMap(cm: V1ConfigMap): ConfigMapObject {
  const m = cm.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: m.name ?? '', namespace: m.namespace, resourceVersion: m.resourceVersion, labels: m.labels, annotations: m.annotations },
    data: cm.data,
  };
}

/** FallbackApi over @kubernetes/client-node. Namespaces, ServiceAccounts and pods are listed from the API server's watch cache (resourceVersion "0"). */
export function kubeFallbackApi(kc: KubeConfig): FallbackApi {
  const core = kc.makeApiClient(CoreV1Api);
  const certificates = kc.makeApiClient(CertificatesV1Api);
  const cached = { resourceVersion: '0' } as const;
  return {
    async podCertificateRequestsServed() {
      try {
        return listsPodCertificateRequests(await certificates.getAPIResources());
      } catch (err) {
        if (statusOf(err) === 404) return false;
        throw err;
      }
    },
    listNamespaceNames: async (labelSelector) => (await core.listNamespace({ labelSelector, ...cached })).items.map((n) => n.metadata?.name ?? '').filter((n) => n !== ''),
    listServiceAccounts: async (namespace) => (await core.listNamespacedServiceAccount({ namespace, ...cached })).items.map(saRef),
    async getServiceAccount(namespace, name) {
      try {
        return saRef(await core.readNamespacedServiceAccount({ namespace, name }));
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    },
    listPodServiceAccounts: async (labelSelector) =>
      (await core.listPodForAllNamespaces({ labelSelector, ...cached })).items.map((p) => ({ namespace: p.metadata?.namespace ?? '', serviceAccount: p.spec?.serviceAccountName || 'default' })),
    // What meshward itself wrote is read consistently (not from the cache), so a pass never misses its own last write.
    listSecrets: async (labelSelector) => (await core.listSecretForAllNamespaces({ labelSelector })).items.map(plainSecret),
    listConfigMaps: async (labelSelector) => (await core.listConfigMapForAllNamespaces({ labelSelector })).items.map(plainConfigMap),
    createSecret: async (secret) => void (await core.createNamespacedSecret({ namespace: secret.metadata.namespace ?? '', body: secret as V1Secret })),
    replaceSecret: async (secret) => void (await core.replaceNamespacedSecret({ namespace: secret.metadata.namespace ?? '', name: secret.metadata.name, body: secret as V1Secret })),
    createConfigMap: async (cm) => void (await core.createNamespacedConfigMap({ namespace: cm.metadata.namespace ?? '', body: cm as V1ConfigMap })),
    replaceConfigMap: async (cm) => void (await core.replaceNamespacedConfigMap({ namespace: cm.metadata.namespace ?? '', name: cm.metadata.name, body: cm as V1ConfigMap })),
  };
}
