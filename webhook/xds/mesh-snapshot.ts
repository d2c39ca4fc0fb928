// One build of the mesh's configuration: what every proxy shares (the outbound Services, their
// clusters and load assignments) is built and encoded once; each proxy's own part (inbound modes
// and authorization, probes) is added when that proxy asks. A snapshot is immutable: a change in the cluster makes a
// new one, and each connected proxy is then sent what differs from what it has.

import type { MeshwardConfig } from '../config/types.js';
import type { Pod } from '../kube/types.js';
import type { Json } from '../proxy/envoy-fragments.js';
import { outboundListener } from '../proxy/outbound-listener.js';
import { TYPE_URLS } from './envoy-types.js';
import { ModeResolver, type MeshView } from './mesh-view.js';
import { buildOutbound } from './outbound.js';
import { podProxyInput, podResources } from './pod-resources.js';
import { versionOf, type VersionedResource, type ResourceEncoder } from './resource-encoder.js';
import { AuthorizationResolver, type AuthorizationSource } from './workload-authorization.js';

/** A proxy's full listener and cluster sets (state of the world), with their versions. */
export interface ProxyConfig {
  readonly listeners: readonly VersionedResource[];
  readonly clusters: readonly VersionedResource[];
  readonly listenersVersion: string;
  readonly clustersVersion: string;
}

export class MeshSnapshot {
  private readonly modes: ModeResolver;
  private readonly authorization: AuthorizationResolver;
  private readonly sharedClusters: readonly VersionedResource[];
  private readonly loadAssignments: ReadonlyMap<string, VersionedResource>;
  private readonly chains: readonly Json[];
  private readonly outboundListeners = new Map<string, VersionedResource>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
    private readonly encoder: ResourceEncoder,
    authorization?: AuthorizationSource,
  ) {
    encoder.nextGeneration();
    this.modes = new ModeResolver(view, config);
    this.authorization = new AuthorizationResolver(view, config, authorization);
    const outbound = buildOutbound(view, this.modes, config);
    this.chains = outbound.chains;
    this.sharedClusters = outbound.clusters.map((c) => encoder.encode(c.name as string, { '@type': TYPE_URLS.cluster, ...c }));
    this.loadAssignments = new Map(
      [...outbound.loadAssignments].map(([name, cla]) => [name, encoder.encode(name, { '@type': TYPE_URLS.endpoint, ...cla })]),
    );
  }

  /** The configuration of the proxy of `pod`. Throws BootstrapInputError when the pod's facts are unusable. */
  forPod(pod: Pod): ProxyConfig {
    // A policy change alters only the inbound listener of the pods it selects: their LDS version
    // changes, every other proxy's stays and is not re-sent.
    const own = podResources(podProxyInput(pod, this.modes.modes(pod), this.config, this.authorization.authorization(pod)));
    // The outbound listener differs between proxies only by the address families they bind.
    const families = own.input.ipFamilies.join(',');
    let outbound = this.outboundListeners.get(families);
    if (!outbound) {
      outbound = this.encoder.encode('outbound', { '@type': TYPE_URLS.listener, ...outboundListener(own.input, this.chains) });
      this.outboundListeners.set(families, outbound);
    }
    const listeners = [...own.listeners.map((l) => this.encoder.encode(l.name as string, { '@type': TYPE_URLS.listener, ...l })), outbound];
    const clusters = [
      ...own.clusters.map((c) => this.encoder.encode(c.name as string, { '@type': TYPE_URLS.cluster, ...c })),
      ...this.sharedClusters,
    ];
    return { listeners, clusters, listenersVersion: versionOf(listeners), clustersVersion: versionOf(clusters) };
  }

  /** The load assignments among `names` that exist (EDS answers only what it knows). */
  endpoints(names: readonly string[]): VersionedResource[] {
    return names.flatMap((n) => this.loadAssignments.get(n) ?? []);
  }

  /** Every cluster name with a load assignment (for scoping pushes to the proxies that watch them). */
  get endpointNames(): readonly string[] {
    return [...this.loadAssignments.keys()];
  }

  podOf(namespace: string, name: string): Pod | undefined {
    return this.view.pod(namespace, name);
  }
}
