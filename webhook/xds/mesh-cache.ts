// The MeshView of a running server: list/watch caches (kube/runtime/informer.ts) of what proxy
// configuration depends on, and a callback on every change (the push scheduler debounces them).
// Only injected pods are cached: a pod the cache lacks is, by definition, not meshed, and the
// cache stays the size of the mesh, not of the cluster. EndpointSlices are indexed by Service.

import type { Logger } from 'pino';
import { LABEL_INJECTED } from '../config/names.js';
import type { KubeApi } from '../kube/api.js';
import { ENDPOINT_SLICES, MESH_AUTHORIZATION_POLICIES, MESH_TLS_POLICIES, NAMESPACES, PODS, SERVICES } from '../kube/resources.js';
import { Informer, type InformerHandlers } from '../kube/runtime/informer.js';
import type { EndpointSlice, KubeResourceObject, Namespace, Pod, Service } from '../kube/types.js';
import type { MeshView } from './mesh-view.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type ChangeKind = 'pod' | 'service' | 'endpoints' | 'namespace' | 'policy' | 'authorization';

export class MeshCache implements MeshView {
  private readonly informers;
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  readonly synced: Promise<void>;

  constructor(api: Pick<KubeApi, 'list' | 'watch'>, logger: Logger, onChange: (kind: ChangeKind) => void) {
    const handlers = <T extends KubeResourceObject>(
      kind: ChangeKind,
      name: string,
      extra?: (o: T, deleted: boolean) => void,
    ): InformerHandlers<T> => ({
      onUpsert: (o: T) => (extra?.(o, false), onChange(kind)),
      onDelete: (o: T) => (extra?.(o, true), onChange(kind)),
      onSynced: () => onChange(kind),
      onError: (err: unknown, synced: boolean) =>
        logger.warn({ err, informer: name }, synced ? 'watch failed; restarting' : 'initial list failed; retrying'),
    });
    this.informers = {
      pods: new Informer({
        api,
        resource: PODS,
        selector: { labelSelector: `${LABEL_INJECTED}=true` },
        ...handlers<Pod>('pod', 'mesh-pods'),
      }),
      services: new Informer({ api, resource: SERVICES, ...handlers<Service>('service', 'services') }),
      slices: new Informer({
        api,
        resource: ENDPOINT_SLICES,
        ...handlers<EndpointSlice>('endpoints', 'endpointslices', (s, d) => this.index(s, d)),
      }),
      namespaces: new Informer({ api, resource: NAMESPACES, ...handlers<Namespace>('namespace', 'mesh-namespaces') }),
      policies: new Informer({ api, resource: MESH_TLS_POLICIES, ...handlers('policy', 'mesh-policies') }),
      // Synced like the rest before any proxy is answered: a proxy must never get configuration
      // built as if no policy restricted it while the policies are still being listed.
      authorization: new Informer({
        api,
        resource: MESH_AUTHORIZATION_POLICIES,
        ...handlers('authorization', 'mesh-authorization-policies'),
      }),
    };
    for (const informer of Object.values(this.informers)) informer.start();
    this.synced = Promise.all(Object.values(this.informers).map((i) => i.synced)).then(() => undefined);
    this.synced.catch(() => undefined);
  }

  async stop(): Promise<void> {
    await Promise.allSettled(Object.values(this.informers).map((i) => i.stop()));
  }

  namespace(name: string): ReturnType<MeshView['namespace']> {
    return this.informers.namespaces.get(undefined, name);
  }

  policies(namespace: string): readonly KubeResourceObject[] {
    return this.informers.policies.list(namespace);
  }

  authorizationPolicies(namespace: string): readonly KubeResourceObject[] {
    return this.informers.authorization.list(namespace);
  }

  pod(namespace: string, name: string): ReturnType<MeshView['pod']> {
    return this.informers.pods.get(namespace, name);
  }

  services(): ReturnType<MeshView['services']> {
    return this.informers.services.list();
  }

  endpointSlices(namespace: string, service: string): readonly EndpointSlice[] {
    return [...(this.slicesByService.get(`${namespace}/${service}`)?.values() ?? [])];
  }

  /** Keeps the by-Service index in step with the cache (a re-list reports every object again). */
  private index(slice: EndpointSlice, deleted: boolean): void {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!service) return;
    const key = `${slice.metadata.namespace}/${service}`;
    let slices = this.slicesByService.get(key);
    if (deleted) {
      slices?.delete(slice.metadata.name);
      if (slices?.size === 0) this.slicesByService.delete(key);
      return;
    }
    if (!slices) this.slicesByService.set(key, (slices = new Map()));
    slices.set(slice.metadata.name, slice);
  }
}
