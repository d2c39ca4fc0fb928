import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi, makeInformer } from './client.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../admission/types.js';
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../config/names.js';
import { ClusterUnavailableError, type ClusterState } from './cluster-state.js';
import { statusOf } from './kube-client.js';

type CachedInformer = ReturnType<typeof makeInformer<KubernetesObject>>;

const RESTART_DELAY_MS = 2_000;
const SYNC_WAIT_MS = 5_000;

/**
 * ClusterState from list/watch caches of Namespaces and MeshTLSPolicies. Reads hit the cache; a
 * namespace missing from the cache is read through (it may be brand new). Pods are listed on
 * demand (only for warnings and status), not cached: caching every pod would cost memory.
 */
export class InformerClusterState implements ClusterState {
  private readonly core: CoreV1Api;
  private readonly namespaces: CachedInformer;
  private readonly policies: CachedInformer;
  readonly synced: Promise<void>;

  constructor(kc: KubeConfig, private readonly logger: Logger) {
    this.core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    this.namespaces = makeInformer(kc, '/api/v1/namespaces', () => this.core.listNamespace());
    this.policies = makeInformer(kc, `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}`, () =>
      custom.listClusterCustomObject({ group: POLICY_GROUP, version: POLICY_VERSION, plural: POLICY_PLURAL }),
    );
    this.synced = Promise.all([this.syncOnce('namespaces', this.namespaces), this.syncOnce('policies', this.policies)]).then(() => undefined);
    this.synced.catch(() => undefined);
  }

  private stopped = false;
  /** The last list/watch failure, for messages while the caches are not synced. */
  lastError: unknown;

  /**
   * client-node's start() resolves even when the first list fails (it only calls the error
   * callbacks), which would read as an empty cluster. So a cache counts as synced only after a
   * start with no error; until then, and after any later watch failure, it is restarted.
   */
  private async syncOnce(name: string, informer: CachedInformer): Promise<void> {
    let synced = false;
    let failed: unknown;
    informer.on('error', (err: unknown) => {
      failed = err ?? new Error(`${name} list/watch failed`);
      this.lastError = failed;
      if (!synced || this.stopped) return;
      this.logger.warn({ err, informer: name }, 'watch failed; restarting');
      setTimeout(() => void (this.stopped ? undefined : informer.start().catch(() => undefined)), RESTART_DELAY_MS).unref();
    });
    for (;;) {
      failed = undefined;
      await informer.start().catch((err: unknown) => (failed = err));
      if (this.stopped) throw new Error('stopped before the caches synced');
      if (failed === undefined) {
        synced = true;
        return;
      }
      this.logger.warn({ err: failed, informer: name }, 'initial list failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS).unref());
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([this.namespaces.stop(), this.policies.stop()]);
  }

  async getNamespace(name: string): Promise<KubeObject | undefined> {
    const cached = this.namespaces.get(name);
    if (cached) return cached as KubeObject;
    try {
      return (await this.core.readNamespace({ name })) as unknown as KubeObject;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw new ClusterUnavailableError(`namespace ${name}`, err);
    }
  }

  /** An empty cache before the first sync must not read as "no policies": wait, bounded. */
  private async whenSynced(what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ClusterUnavailableError(what, new Error('caches not synced yet'))), SYNC_WAIT_MS);
    });
    try {
      await Promise.race([this.synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async listPolicies(namespace: string): Promise<KubeObject[]> {
    await this.whenSynced(`MeshTLSPolicies in ${namespace}`);
    return this.policies.list(namespace) as KubeObject[];
  }

  async listAllPolicies(): Promise<KubeObject[]> {
    await this.whenSynced('MeshTLSPolicies');
    return this.policies.list() as KubeObject[];
  }

  async listNamespaces(): Promise<KubeObject[]> {
    await this.whenSynced('namespaces');
    return this.namespaces.list() as KubeObject[];
  }

  async listPods(namespace: string): Promise<KubeObject[]> {
    try {
      const list = await this.core.listNamespacedPod({ namespace });
      return list.items.map((pod) => ({ ...pod, apiVersion: 'v1', kind: 'Pod' }) as unknown as KubeObject);
    } catch (err) {
      throw new ClusterUnavailableError(`pods in ${namespace}`, err);
    }
  }
}
