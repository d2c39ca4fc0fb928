// One build of the mesh's configuration: what every proxy shares (the outbound Services, their
// clusters and load assignments) is built and encoded once; each proxy's own part (inbound modes
// and authorization, probes) is added when that proxy asks. A snapshot is immutable: a change in the cluster makes a
// new one, and each connected proxy is then sent what differs from what it has.

import type { MeshwardConfig } from '../config/types.js';
import type { Pod } from '../kube/types.js';
import type { Json } from '../proxy/envoy-fragments.js';
import { outboundListener } from '../proxy/outbound-listener.js';
import { TYPE_URLS } from './envoy-types.js';
import { PodPolicies, type MeshView } from './mesh-view.js';
import { buildOutbound } from './outbound.js';
import type { NormalizedInput } from '../proxy/bootstrap-input.js';
import { podProxyInput, podResources } from './pod-resources.js';
import { SharedResources, versionOf, type VersionedResource, type ResourceEncoder } from './resource-encoder.js';

/** A proxy's full listener and cluster sets (state of the world), with their versions. */
export interface ProxyConfig {
  readonly listeners: readonly VersionedResource[];
  readonly clusters: readonly VersionedResource[];
  readonly listenersVersion: string;
  readonly clustersVersion: string;
}

/**
 * A proxy's own resources (inbound and status listeners, their clusters), encoded, with the
 * version of its whole cluster set against one set of shared clusters. Its inputs are the pod
 * object (the caches replace an object on every change, never edit it), the pod's live modes and
 * the config (fixed for the server's life), so while the pod object and the modes stay the same,
 * a later snapshot takes it as is instead of rendering, encoding and hashing every proxy again.
 */
interface OwnPart {
  readonly modesKey: string;
  readonly input: NormalizedInput;
  readonly listeners: readonly VersionedResource[];
  readonly clusters: readonly VersionedResource[];
  readonly sharedVersion: string;
  readonly clustersVersion: string;
}

/** The lookup key of each name list sharedNames handed out (the list joined). */
const namesKeys = new WeakMap<readonly string[], string>();

let generations = 0;

export class MeshSnapshot {
  /** Counts snapshots: a session that saw the previous one may be sent only what changed since. */
  readonly generation = ++generations;
  readonly previousGeneration: number | undefined;
  /** Load assignments that differ from the previous snapshot's (new ones included). */
  readonly changedEndpoints: ReadonlySet<string>;
  private readonly policies: PodPolicies;
  /** Own parts built or confirmed by this snapshot; the previous snapshot's are looked up once and dropped with it. */
  private readonly ownParts = new WeakMap<Pod, OwnPart>();
  private readonly previousParts: WeakMap<Pod, OwnPart> | undefined;
  private readonly sharedClusters: SharedResources;
  private readonly loadAssignments: ReadonlyMap<string, VersionedResource>;
  /** Load assignments and their version per set of names asked for: proxies watching the same Services share one. */
  private readonly endpointSets = new Map<string, { readonly version: string; readonly resources: readonly VersionedResource[] }>();
  private readonly chains: readonly Json[];
  private readonly outboundListeners = new Map<string, VersionedResource>();
  private canonical: Map<string, string> | undefined;
  private readonly nameLists = new Map<string, readonly string[]>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
    private readonly encoder: ResourceEncoder,
    /** The snapshot this one replaces: each proxy's own part carries over while its pod and modes are unchanged. */
    previous?: MeshSnapshot,
  ) {
    // Only its map, not the snapshot: snapshots must not chain back through every rebuild.
    this.previousParts = previous?.ownParts;
    encoder.nextGeneration();
    this.policies = new PodPolicies(view, config);
    const outbound = buildOutbound(view, this.policies, config);
    this.chains = outbound.chains;
    this.sharedClusters = new SharedResources(
      outbound.clusters.map((c) => encoder.encode(c.name as string, { '@type': TYPE_URLS.cluster, ...c })),
    );
    this.loadAssignments = new Map(
      [...outbound.loadAssignments].map(([name, cla]) => [name, encoder.encode(name, { '@type': TYPE_URLS.endpoint, ...cla })]),
    );
    this.previousGeneration = previous?.generation;
    this.changedEndpoints = new Set(
      [...this.loadAssignments].filter(([n, r]) => previous?.loadAssignments.get(n)?.hash !== r.hash).map(([n]) => n),
    );
  }

  /** The configuration of the proxy of `pod`. Throws BootstrapInputError when the pod's facts are unusable. */
  forPod(pod: Pod): ProxyConfig {
    const modes = this.policies.modes(pod);
    // A policy change alters only the inbound listener of the pods it selects: their LDS version
    // changes, every other proxy's stays and is not re-sent.
    const authorization = this.policies.authorization(pod);
    const modesKey = JSON.stringify([modes, authorization]);
    let part = this.ownParts.get(pod) ?? this.previousParts?.get(pod);
    if (part?.modesKey !== modesKey) {
      const own = podResources(podProxyInput(pod, modes, this.config, authorization));
      const clusters = own.clusters.map((c) => this.encoder.encode(c.name as string, { '@type': TYPE_URLS.cluster, ...c }));
      part = {
        modesKey,
        input: own.input,
        listeners: own.listeners.map((l) => this.encoder.encode(l.name as string, { '@type': TYPE_URLS.listener, ...l })),
        clusters,
        sharedVersion: this.sharedClusters.version,
        clustersVersion: this.sharedClusters.versionWith(clusters),
      };
    } else if (part.sharedVersion !== this.sharedClusters.version) {
      part = { ...part, sharedVersion: this.sharedClusters.version, clustersVersion: this.sharedClusters.versionWith(part.clusters) };
    }
    this.ownParts.set(pod, part);
    // The outbound listener differs between proxies only by the address families they bind.
    const families = part.input.ipFamilies.join(',');
    let outbound = this.outboundListeners.get(families);
    if (!outbound) {
      outbound = this.encoder.encode('outbound', { '@type': TYPE_URLS.listener, ...outboundListener(part.input, this.chains) });
      this.outboundListeners.set(families, outbound);
    }
    const listeners = [...part.listeners, outbound];
    const clusters = [...part.clusters, ...this.sharedClusters.resources];
    return { listeners, clusters, listenersVersion: versionOf(listeners), clustersVersion: part.clustersVersion };
  }

  /** The load assignments among `names` that exist (EDS answers only what it knows). */
  endpoints(names: readonly string[]): VersionedResource[] {
    return names.flatMap((n) => this.loadAssignments.get(n) ?? []);
  }

  /**
   * `names` as one list shared by every session that asks for the same names, made of this
   * snapshot's own strings where it knows them. A session keeps the names its proxy watches for as
   * long as the stream lives, and each request brings fresh copies: a thousand proxies watching a
   * thousand clusters would otherwise hold a million strings.
   */
  sharedNames(names: readonly string[]): readonly string[] {
    const key = names.join('\0');
    let list = this.nameLists.get(key);
    if (!list) {
      this.canonical ??= new Map([...this.loadAssignments.keys()].map((n) => [n, n]));
      const canonical = this.canonical;
      list = names.map((n) => canonical.get(n) ?? n);
      this.nameLists.set(key, list);
      namesKeys.set(list, key);
    }
    return list;
  }

  /** endpoints(names) and their version, computed once per snapshot for each distinct list of names. */
  endpointSet(names: readonly string[]): { readonly version: string; readonly resources: readonly VersionedResource[] } {
    // Lists from sharedNames carry their key: no join of a thousand names per proxy per rebuild.
    const key = namesKeys.get(names) ?? names.join('\0');
    let set = this.endpointSets.get(key);
    if (!set) {
      const resources = this.endpoints(names);
      set = { version: versionOf(resources), resources };
      this.endpointSets.set(key, set);
    }
    return set;
  }

  /** Every cluster name with a load assignment (for scoping pushes to the proxies that watch them). */
  get endpointNames(): readonly string[] {
    return [...this.loadAssignments.keys()];
  }

  podOf(namespace: string, name: string): Pod | undefined {
    return this.view.pod(namespace, name);
  }
}
