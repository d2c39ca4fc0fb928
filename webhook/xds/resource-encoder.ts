// Encoded resources, remembered by content: the same listener, cluster or load assignment is
// encoded once however many proxies receive it, and its hash (a resource's version) comes with it.
// Two generations are kept: a rebuild starts a new one, and whatever the previous build used but
// this one does not is dropped with the older generation, so memory follows what is live.

import { createHash } from 'node:crypto';
import type { Json } from '../proxy/envoy-fragments.js';
import type { EncodedResource } from './envoy-types.js';

export interface VersionedResource {
  readonly name: string;
  readonly typeUrl: string;
  readonly value: Uint8Array;
  /** sha256 of the encoded bytes (hex, 16 chars): the resource's version. */
  readonly hash: string;
}

export type EncodeFn = (json: Json) => EncodedResource;

export class ResourceEncoder {
  private current = new Map<string, VersionedResource>();
  private previous = new Map<string, VersionedResource>();

  constructor(private readonly encodeFn: EncodeFn) {}

  /** `json` carries its own "@type"; `name` is the resource name the proxy subscribes by. */
  encode(name: string, json: Json): VersionedResource {
    const key = JSON.stringify(json);
    let hit = this.current.get(key);
    if (hit) return hit;
    hit = this.previous.get(key);
    if (!hit) {
      const { typeUrl, value } = this.encodeFn(json);
      hit = { name, typeUrl, value, hash: createHash('sha256').update(value).digest('hex').slice(0, 16) };
    }
    this.current.set(key, hit);
    return hit;
  }

  /** Starts a generation: entries the last two builds did not use are released. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}

const byName = (a: VersionedResource, b: VersionedResource): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const entry = (r: VersionedResource): string => `${r.name}\0${r.hash}\0`;
// One update with the whole text gives the digest of one update per resource, and crosses into
// the crypto binding once rather than twice per resource (that crossing was most of the cost of a
// version over a thousand clusters, paid per proxy per rebuild).
const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** One version string for a set of resources: the same set gives the same version on every replica. */
export function versionOf(resources: readonly VersionedResource[], prefix = ''): string {
  let text = prefix;
  for (const r of [...resources].sort(byName)) text += entry(r);
  return digest(text);
}

/**
 * Resources every proxy gets (the outbound clusters), sorted and turned into version text once per
 * snapshot; a proxy's version is then that of its own few resources merged in by name, the same
 * string versionOf([...own, ...shared]) gives, without sorting a thousand clusters per proxy.
 */
export class SharedResources {
  private readonly sorted: readonly VersionedResource[];
  private readonly entries: readonly string[];
  /** versionOf(resources): equal for equal sets, so a proxy's merged version can be kept while it is unchanged. */
  readonly version: string;

  constructor(readonly resources: readonly VersionedResource[]) {
    this.sorted = [...resources].sort(byName);
    this.entries = this.sorted.map(entry);
    this.version = digest(this.entries.join(''));
  }

  /** versionOf([...own, ...this.resources]): on equal names own comes first, as the stable sort there keeps it. */
  versionWith(own: readonly VersionedResource[]): string {
    let text = '';
    let i = 0;
    for (const r of [...own].sort(byName)) {
      while (i < this.sorted.length && this.sorted[i]!.name < r.name) text += this.entries[i++];
      text += entry(r);
    }
    while (i < this.sorted.length) text += this.entries[i++];
    return digest(text);
  }
}
