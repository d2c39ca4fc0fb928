// The Secret fallback's reads, as a small typed facade over KubeApi. Namespaces, ServiceAccounts
// and pods come from the API server's watch cache (resourceVersion "0": cheap, may lag a moment);
// what meshward itself wrote is read consistently, so a pass never misses its own last write.
import type { KubeApi } from '../../kube/api.js';
import { CONFIG_MAPS, NAMESPACES, PODS, SECRETS, SERVICE_ACCOUNTS } from '../../kube/resources.js';
import type { ConfigMap, Secret, ServiceAccount } from '../../kube/types.js';
import type { ServiceAccountRef } from './fallback-objects.js';

export type FallbackApi = Pick<KubeApi, 'serves' | 'list' | 'get' | 'create' | 'replace'>;

export interface PodServiceAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

const CACHED = { resourceVersion: '0' } as const;

function saRef(sa: ServiceAccount): ServiceAccountRef {
  return { namespace: sa.metadata.namespace ?? '', name: sa.metadata.name, uid: sa.metadata.uid ?? '' };
}

export async function listNamespaceNames(api: FallbackApi, labelSelector: string): Promise<string[]> {
  return (await api.list(NAMESPACES, { labelSelector, ...CACHED })).items.map((n) => n.metadata.name).filter((n) => n !== '');
}

export async function listServiceAccounts(api: FallbackApi, namespace: string): Promise<ServiceAccountRef[]> {
  return (await api.list(SERVICE_ACCOUNTS, { namespace, ...CACHED })).items.map(saRef);
}

export async function getServiceAccount(api: FallbackApi, namespace: string, name: string): Promise<ServiceAccountRef | undefined> {
  const sa = await api.get(SERVICE_ACCOUNTS, namespace, name);
  return sa && saRef(sa);
}

/** Pods in every namespace matching the selector, as (namespace, spec.serviceAccountName || "default"). */
export async function listPodServiceAccounts(api: FallbackApi, labelSelector: string): Promise<PodServiceAccount[]> {
  return (await api.list(PODS, { labelSelector, ...CACHED })).items.map((p) => ({
    namespace: p.metadata.namespace ?? '',
    serviceAccount: p.spec?.serviceAccountName || 'default',
  }));
}

export async function listSecrets(api: FallbackApi, labelSelector: string): Promise<Secret[]> {
  return (await api.list(SECRETS, { labelSelector })).items;
}

export async function listConfigMaps(api: FallbackApi, labelSelector: string): Promise<ConfigMap[]> {
  return (await api.list(CONFIG_MAPS, { labelSelector })).items;
}
