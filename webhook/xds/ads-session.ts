// The state-of-the-world ADS protocol for one proxy's stream, as a state machine with no I/O: a
// request in, the responses to write out. Per type it remembers what was sent (version, nonce),
// what the proxy accepted (ACK) or refused (NACK: logged and counted; the proxy keeps its last
// good version and nothing is re-sent until the configuration changes again). Stale requests
// (a nonce that is not the latest) are ignored, as the protocol says.

import type { MeshSnapshot, ProxyConfig } from './mesh-snapshot.js';
import type { VersionedResource } from './resource-encoder.js';
import type { DiscoveryRequest, DiscoveryResponse } from './ads-service.js';
import { TYPE_URLS } from './envoy-types.js';

/** A request as the stream delivers it (tests may leave fields out). */
export type AdsRequest = Partial<DiscoveryRequest>;
export type AdsResponse = DiscoveryResponse;

export type TypeName = 'lds' | 'cds' | 'eds';
export const TYPE_NAMES: Readonly<Record<string, TypeName>> = {
  [TYPE_URLS.listener]: 'lds',
  [TYPE_URLS.cluster]: 'cds',
  [TYPE_URLS.endpoint]: 'eds',
};
// Clusters before endpoints before listeners: a listener never points at a cluster the proxy lacks.
const PUSH_ORDER: readonly string[] = [TYPE_URLS.cluster, TYPE_URLS.endpoint, TYPE_URLS.listener];

export interface TypeState {
  names: readonly string[];
  sentVersion?: string;
  sentNonce?: string;
  sentAt?: number;
  ackedVersion?: string;
  ackedAt?: number;
  nack?: { readonly version: string; readonly message: string; readonly at: number };
  /** The snapshot the last response was built from. */
  sentGeneration?: number;
}

export type SessionEvent =
  | { readonly kind: 'ack'; readonly type: TypeName; readonly version: string; readonly latencyMs: number }
  | { readonly kind: 'nack'; readonly type: TypeName; readonly version: string; readonly message: string }
  | { readonly kind: 'sent'; readonly type: TypeName; readonly version: string; readonly bytes: number };

// Element by element: an EDS ACK repeats every name the proxy watches (a thousand for a thousand Services), and joining both lists per ACK cost more than comparing them.
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class AdsSession {
  readonly types = new Map<string, TypeState>();
  private nonce = 0;
  private config?: { readonly snapshot: MeshSnapshot; readonly value: ProxyConfig };

  constructor(
    readonly namespace: string,
    readonly pod: string,
    private readonly now: () => number,
    private readonly onEvent: (e: SessionEvent) => void = () => undefined,
  ) {}

  /** Responses owed for one request from the proxy. */
  handle(req: AdsRequest, snapshot: MeshSnapshot): AdsResponse[] {
    const typeUrl = req.type_url ?? '';
    const type = TYPE_NAMES[typeUrl];
    if (!type) return [];
    let st = this.types.get(typeUrl);
    const names = [...(req.resource_names ?? [])].sort();
    if (!st || !req.response_nonce) {
      // First request for this type (or the proxy re-subscribing): send what it should have.
      st = { ...st, names: snapshot.sharedNames(names) };
      this.types.set(typeUrl, st);
      return [this.respond(typeUrl, st, snapshot)];
    }
    if (req.response_nonce !== st.sentNonce) return [];
    if (req.error_detail) {
      st.nack = { version: st.sentVersion ?? '', message: req.error_detail.message ?? '', at: this.now() };
      this.onEvent({ kind: 'nack', type, version: st.nack.version, message: st.nack.message });
    } else {
      st.ackedVersion = req.version_info ?? '';
      st.ackedAt = this.now();
      st.nack = undefined;
      this.onEvent({ kind: 'ack', type, version: st.ackedVersion, latencyMs: st.ackedAt - (st.sentAt ?? st.ackedAt) });
    }
    // EDS names follow the clusters the proxy has: a new list is answered at once.
    if (type === 'eds' && !sameNames(names, st.names)) {
      st.names = snapshot.sharedNames(names);
      return [this.respond(typeUrl, st, snapshot)];
    }
    return [];
  }

  /** Responses for every subscribed type whose content changed in `snapshot`. */
  push(snapshot: MeshSnapshot): AdsResponse[] {
    const out: AdsResponse[] = [];
    for (const typeUrl of PUSH_ORDER) {
      const st = this.types.get(typeUrl);
      if (!st || st.sentVersion === undefined) continue;
      const { version } = this.content(typeUrl, st, snapshot);
      if (version === st.sentVersion) st.sentGeneration = snapshot.generation;
      else if (typeUrl === TYPE_URLS.endpoint && st.sentGeneration === snapshot.previousGeneration)
        out.push(this.respondChangedEndpoints(st, snapshot));
      else out.push(this.respond(typeUrl, st, snapshot));
    }
    return out;
  }

  /**
   * Only the load assignments that changed since the previous snapshot, which this proxy has: EDS
   * is not state of the world for its resources (Envoy keeps a cluster's endpoints when a response
   * leaves its assignment out), so one endpoint change costs each watching proxy one assignment,
   * not every Service it knows.
   */
  private respondChangedEndpoints(st: TypeState, snapshot: MeshSnapshot): AdsResponse {
    const { version } = snapshot.endpointSet(st.names);
    return this.send(
      TYPE_URLS.endpoint,
      st,
      snapshot,
      version,
      snapshot.endpoints(st.names.filter((n) => snapshot.changedEndpoints.has(n))),
    );
  }

  /** Acked the latest configuration of every type it subscribed to. */
  get upToDate(): boolean {
    return [...this.types.values()].every((st) => st.sentVersion !== undefined && st.ackedVersion === st.sentVersion);
  }

  private respond(typeUrl: string, st: TypeState, snapshot: MeshSnapshot): AdsResponse {
    const { version, resources } = this.content(typeUrl, st, snapshot);
    return this.send(typeUrl, st, snapshot, version, resources);
  }

  private send(
    typeUrl: string,
    st: TypeState,
    snapshot: MeshSnapshot,
    version: string,
    resources: readonly VersionedResource[],
  ): AdsResponse {
    const nonce = String(++this.nonce);
    st.sentVersion = version;
    st.sentNonce = nonce;
    st.sentAt = this.now();
    st.sentGeneration = snapshot.generation;
    const bytes = resources.reduce((n, r) => n + r.value.length, 0);
    this.onEvent({ kind: 'sent', type: TYPE_NAMES[typeUrl]!, version, bytes });
    return { version_info: version, resources: resources.map((r) => ({ type_url: r.typeUrl, value: r.value })), type_url: typeUrl, nonce };
  }

  private content(typeUrl: string, st: TypeState, snapshot: MeshSnapshot): { version: string; resources: readonly VersionedResource[] } {
    if (typeUrl === TYPE_URLS.endpoint) return snapshot.endpointSet(st.names);
    const config = this.configFor(snapshot);
    return typeUrl === TYPE_URLS.listener
      ? { version: config.listenersVersion, resources: config.listeners }
      : { version: config.clustersVersion, resources: config.clusters };
  }

  /** One build per snapshot; while the pod is gone from the cache, the last build stands. */
  private configFor(snapshot: MeshSnapshot): ProxyConfig {
    if (this.config?.snapshot === snapshot) return this.config.value;
    const pod = snapshot.podOf(this.namespace, this.pod);
    if (!pod && this.config) return this.config.value;
    if (!pod) throw new Error(`pod ${this.namespace}/${this.pod} is gone`);
    this.config = { snapshot, value: snapshot.forPod(pod) };
    return this.config.value;
  }
}
