import type { KubeObject } from '../admission/types.js';
import type { KubeApi } from './api.js';
import { ClusterUnavailableError, type ClusterState } from './cluster-state.js';
import { isNotFound } from './errors.js';
import { MESH_AUTHORIZATION_POLICIES, MESH_TLS_POLICIES, NAMESPACES, PODS } from './resources.js';
import { asKubeObject } from './types.js';

// A ClusterState that reads the API server directly, for one-shot commands (check, status, generate). Unlike the
// informer caches (which count as synced only after a list succeeded), every failed read throws
// ClusterUnavailableError: an unreachable cluster can never read as an empty, compliant one. With
// `snapshot`, each read is made once and reused, so one command sees one consistent cluster;
// without it (the dashboard) every build reads afresh.

export class DirectClusterState implements ClusterState {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly api: Pick<KubeApi, 'get' | 'list'>,
    private readonly snapshot: boolean,
  ) {}

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
      const ns = await this.api.get(NAMESPACES, undefined, name);
      return ns && asKubeObject(ns, 'v1', 'Namespace');
    });
  }

  listNamespaces(): Promise<KubeObject[]> {
    return this.read('namespaces', 'namespaces', async () =>
      (await this.api.list(NAMESPACES)).items.map((ns) => asKubeObject(ns, 'v1', 'Namespace')),
    );
  }

  listAllPolicies(): Promise<KubeObject[]> {
    return this.read('policies', 'MeshTLSPolicies', async () => (await this.api.list(MESH_TLS_POLICIES)).items.map((p) => asKubeObject(p)));
  }

  async listPolicies(namespace: string): Promise<KubeObject[]> {
    // From the one cluster-wide list: the same snapshot for every namespace.
    return (await this.listAllPolicies()).filter((p) => p.metadata?.namespace === namespace);
  }

  listAllAuthorizationPolicies(): Promise<KubeObject[]> {
    return this.read('authorization-policies', 'MeshAuthorizationPolicies', async () => {
      try {
        return (await this.api.list(MESH_AUTHORIZATION_POLICIES)).items.map((p) => asKubeObject(p));
      } catch (err) {
        // A cluster whose meshward predates the CRD serves no such resource, so it holds none:
        // check and generate still work there. Any other failure stays an error.
        if (isNotFound(err)) return [];
        throw err;
      }
    });
  }

  async listAuthorizationPolicies(namespace: string): Promise<KubeObject[]> {
    return (await this.listAllAuthorizationPolicies()).filter((p) => p.metadata?.namespace === namespace);
  }

  listPods(namespace: string): Promise<KubeObject[]> {
    return this.read(`pods/${namespace}`, `pods in ${namespace}`, async () =>
      (await this.api.list(PODS, { namespace })).items.map((pod) => asKubeObject(pod, 'v1', 'Pod')),
    );
  }
}
