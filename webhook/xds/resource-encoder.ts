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

/** One version string for a set of resources: the same set gives the same version on every replica. */
export function versionOf(resources: readonly VersionedResource[], prefix = ''): string {
  const h = createHash('sha256').update(prefix);
  for (const r of [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) h.update(`${r.name}\0${r.hash}\0`);
  return h.digest('hex').slice(0, 16);
}
