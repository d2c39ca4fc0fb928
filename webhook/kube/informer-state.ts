import type { Logger } from 'pino';
import type { KubeObject } from '../admission/types.js';
import type { KubeApi } from './api.js';
import { ClusterUnavailableError, type ClusterState } from './cluster-state.js';
import { MESH_AUTHORIZATION_POLICIES, MESH_TLS_POLICIES, NAMESPACES, PODS } from './resources.js';
import { Informer } from './runtime/informer.js';
import { asKubeObject, type KubeResourceObject, type Namespace } from './types.js';

const SYNC_WAIT_MS = 5_000;

/**
 * ClusterState from list/watch caches of Namespaces, MeshTLSPolicies and MeshAuthorizationPolicies (runtime/informer.ts:
 * restarted after errors, synced only after a list that succeeded). Reads hit the cache; a
 * namespace missing from the cache is read through (it may be brand new). Pods are listed on
 * demand (only for warnings and status), not cached: caching every pod would cost memory.
 */
export class InformerClusterState implements ClusterState {
  /** Every namespace, cached: also what controllers that follow namespaces subscribe to (one watch). */
  readonly namespaces: Informer<Namespace>;
  private readonly policies: Informer<KubeResourceObject>;
  private readonly authorizationPolicies: Informer<KubeResourceObject>;
  /** Every cache synced (readiness). */
  readonly synced: Promise<void>;
  // What admission of pods and MeshTLSPolicies reads: never held up by the allow lists' cache.
  private readonly tlsSynced: Promise<void>;

  constructor(
    private readonly api: Pick<KubeApi, 'get' | 'list' | 'watch'>,
    logger: Logger,
  ) {
    const onError =
      (informer: string) =>
      (err: unknown, synced: boolean): void => {
        if (synced) logger.warn({ err, informer }, 'watch failed; restarting');
        else logger.warn({ err, informer }, 'initial list failed; retrying');
      };
    this.namespaces = new Informer({ api, resource: NAMESPACES, onError: onError('namespaces') }).start();
    this.policies = new Informer({ api, resource: MESH_TLS_POLICIES, onError: onError('policies') }).start();
    this.authorizationPolicies = new Informer({
      api,
      resource: MESH_AUTHORIZATION_POLICIES,
      onError: onError('authorization-policies'),
    }).start();
    this.tlsSynced = Promise.all([this.namespaces.synced, this.policies.synced]).then(() => undefined);
    this.tlsSynced.catch(() => undefined);
    this.synced = Promise.all([this.tlsSynced, this.authorizationPolicies.synced]).then(() => undefined);
    this.synced.catch(() => undefined);
  }

  /** The last list/watch failure, for messages while the caches are not synced. */
  get lastError(): unknown {
    return this.namespaces.lastError ?? this.policies.lastError ?? this.authorizationPolicies.lastError;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.namespaces.stop(), this.policies.stop(), this.authorizationPolicies.stop()]);
  }

  async getNamespace(name: string): Promise<KubeObject | undefined> {
    const cached = this.namespaces.get(undefined, name);
    if (cached) return asKubeObject(cached);
    try {
      const read = await this.api.get(NAMESPACES, undefined, name);
      return read && asKubeObject(read);
    } catch (err) {
      throw new ClusterUnavailableError(`namespace ${name}`, err);
    }
  }

  /** An empty cache before the first sync must not read as "no policies": wait, bounded. */
  private async whenSynced(what: string, synced: Promise<void> = this.tlsSynced): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClusterUnavailableError(what, new Error('caches not synced yet'))), SYNC_WAIT_MS);
    });
    try {
      await Promise.race([synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async listPolicies(namespace: string): Promise<KubeObject[]> {
    await this.whenSynced(`MeshTLSPolicies in ${namespace}`);
    return this.policies.list(namespace).map((p) => asKubeObject(p));
  }

  async listAllPolicies(): Promise<KubeObject[]> {
    await this.whenSynced('MeshTLSPolicies');
    return this.policies.list().map((p) => asKubeObject(p));
  }

  async listAuthorizationPolicies(namespace: string): Promise<KubeObject[]> {
    await this.whenSynced(`MeshAuthorizationPolicies in ${namespace}`, this.authorizationPolicies.synced);
    return this.authorizationPolicies.list(namespace).map((p) => asKubeObject(p));
  }

  async listAllAuthorizationPolicies(): Promise<KubeObject[]> {
    await this.whenSynced('MeshAuthorizationPolicies', this.authorizationPolicies.synced);
    return this.authorizationPolicies.list().map((p) => asKubeObject(p));
  }

  async listNamespaces(): Promise<KubeObject[]> {
    await this.whenSynced('namespaces');
    return this.namespaces.list().map((n) => asKubeObject(n));
  }

  async listPods(namespace: string): Promise<KubeObject[]> {
    try {
      return (await this.api.list(PODS, { namespace })).items.map((pod) => asKubeObject(pod, 'v1', 'Pod'));
    } catch (err) {
      throw new ClusterUnavailableError(`pods in ${namespace}`, err);
    }
  }
}
