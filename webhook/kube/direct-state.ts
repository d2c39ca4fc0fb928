import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi } from './client.js';
import type { KubeObject } from '../admission/types.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../config/names.js';
import { ClusterUnavailableError, type ClusterState } from './cluster-state.js';
import { statusOf } from './kube-client.js';

// A ClusterState that reads the API server directly, for one-shot commands (check, status, generate). Unlike the
// informer caches (whose start() resolves even when the first list failed, leaving them empty),
// every failed read throws ClusterUnavailableError: an unreachable cluster can never read as an
// empty, compliant one. With `snapshot`, each read is made once and reused, so one command sees
// one consistent cluster; without it (the dashboard) every build reads afresh.

export class DirectClusterState implements ClusterState {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(kc: KubeConfig, private readonly snapshot: boolean) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private read<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    const hit = this.snapshot ? (this.memo.get(key) as Promise<T> | undefined) : undefined;
    if (hit) return hit;
    const result = fn().catch((err: unknown) => {
      if (err instanceof ClusterUnavailableError) throw err;
      throw new ClusterUnavailableError(what, err);
    });
    if (this.snapshot) this.memo.set(key, result);
    return result;
  }

  getNamespace(name: string): Promise<KubeObject | undefined> {
    return this.read(`ns/${name}`, `namespace ${name}`, async () => {
      try {
        return { ...((await this.core.readNamespace({ name })) as unknown as KubeObject), apiVersion: 'v1', kind: 'Namespace' };
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw err;
      }
    });
  }

  listNamespaces(): Promise<KubeObject[]> {
    return this.read('namespaces', 'namespaces', async () => (await this.core.listNamespace()).items.map((ns) => ({ ...(ns as unknown as KubeObject), apiVersion: 'v1', kind: 'Namespace' })));
  }

  listAllPolicies(): Promise<KubeObject[]> {
    return this.read('policies', 'MeshTLSPolicies', async () => {
      const list = (await this.custom.listClusterCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL })) as { items?: KubeObject[] };
      return list.items ?? [];
    });
  }

  async listPolicies(namespace: string): Promise<KubeObject[]> {
    // From the one cluster-wide list: the same snapshot for every namespace.
    return (await this.listAllPolicies()).filter((p) => p.metadata?.namespace === namespace);
  }

  listPods(namespace: string): Promise<KubeObject[]> {
    return this.read(`pods/${namespace}`, `pods in ${namespace}`, async () =>
      (await this.core.listNamespacedPod({ namespace })).items.map((pod) => ({ ...(pod as unknown as KubeObject), apiVersion: 'v1', kind: 'Pod' })),
    );
  }
}
