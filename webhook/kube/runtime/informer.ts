// The informer: list, then watch from the list's version, keeping a cache and telling handlers of
// every change. It owns the restart policy: a watch the server closes is resumed from the last
// version, a 410 Gone lists again at once, and any other error lists again after the backoff
// (backoff.ts). It counts as synced only after a list that succeeded, so a refused list can never
// read as "no objects" (client-node's informer start() resolves even when its first list failed).
import type { KubeApi, ListOptions } from '../api.js';
import { statusOf } from '../errors.js';
import type { Resource } from '../resources.js';
import type { KubeResourceObject } from '../types.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

export interface InformerHandlers<T> {
  /** A new object or a new version of one (also each object of every list that is new or changed). */
  onUpsert?(object: T): void;
  onDelete?(object: T): void;
  /** After every list that succeeded, with the cache filled (first sync and each re-list). */
  onSynced?(objects: readonly T[]): void;
  /** A list or watch failed; the informer retries by itself. `synced`: a list succeeded before. */
  onError?(err: unknown, synced: boolean): void;
}

export interface InformerOptions<T extends KubeResourceObject> extends InformerHandlers<T> {
  readonly api: Pick<KubeApi, 'list' | 'watch'>;
  readonly resource: Resource<T>;
  readonly selector?: Omit<ListOptions, 'resourceVersion'>;
  /** Default: 2 s doubling to 30 s. */
  readonly backoff?: BackoffPolicy;
}

export const INFORMER_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 30_000 };

const keyOf = (o: KubeResourceObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer<T extends KubeResourceObject> {
  private readonly cache = new Map<string, T>();
  // Other controllers' handlers on the same cache: one list+watch serves them all.
  private readonly subscribers = new Set<InformerHandlers<T>>();
  // Reads by namespace (the gate's policies per admission) must not walk every object.
  private readonly byNamespace = new Map<string, Map<string, T>>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private stopWatch: (() => Promise<void>) | undefined;
  private resolveSynced!: () => void;
  private rejectSynced!: (err: Error) => void;
  private isSynced = false;
  /** Resolves after the first list that succeeded; rejects if stopped before. */
  readonly synced: Promise<void> = new Promise((resolve, reject) => ((this.resolveSynced = resolve), (this.rejectSynced = reject)));
  /** The last list/watch failure, for messages while the cache is not synced. */
  lastError: unknown;

  constructor(private readonly opts: InformerOptions<T>) {
    this.synced.catch(() => undefined);
  }

  start(): this {
    void this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.stopWatch?.();
    if (!this.isSynced) this.rejectSynced(new Error('stopped before the cache synced'));
  }

  /**
   * Adds handlers besides the constructor's; returns what removes them. No replay: a subscriber
   * reads list() once `synced` resolves for what came before.
   */
  subscribe(handlers: InformerHandlers<T>): () => void {
    this.subscribers.add(handlers);
    return () => void this.subscribers.delete(handlers);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  /** Cached objects, of one namespace or all. */
  list(namespace?: string): T[] {
    return [...((namespace === undefined ? this.cache : this.byNamespace.get(namespace))?.values() ?? [])];
  }

  private put(key: string, object: T): void {
    this.cache.set(key, object);
    const ns = object.metadata.namespace ?? '';
    let entries = this.byNamespace.get(ns);
    if (!entries) this.byNamespace.set(ns, (entries = new Map()));
    entries.set(key, object);
  }

  private remove(key: string, object: T): void {
    this.cache.delete(key);
    const entries = this.byNamespace.get(object.metadata.namespace ?? '');
    entries?.delete(key);
    if (entries?.size === 0) this.byNamespace.delete(object.metadata.namespace ?? '');
  }

  private fail(err: unknown): void {
    this.lastError = err;
    this.opts.onError?.(err, this.isSynced);
    for (const s of this.subscribers) s.onError?.(err, this.isSynced);
  }

  private upserted(object: T): void {
    this.opts.onUpsert?.(object);
    for (const s of this.subscribers) s.onUpsert?.(object);
  }

  private deleted(object: T): void {
    this.opts.onDelete?.(object);
    for (const s of this.subscribers) s.onDelete?.(object);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let version: string;
      try {
        version = await this.relist();
      } catch (err) {
        if (this.stopped) return;
        this.fail(err);
        await this.sleep(backoffDelayMs(this.opts.backoff ?? INFORMER_BACKOFF, ++failures));
        continue;
      }
      failures = 0;
      if (this.stopped) return;
      let err: unknown;
      do {
        const opened = Date.now();
        const closed = await this.watchOnce(version);
        version = closed.version;
        err = closed.err;
        // A server that ends every watch at once must not be asked again in a tight loop.
        if (err === undefined && Date.now() - opened < 1_000) await this.sleep(1_000);
      } while (!this.stopped && err === undefined);
      if (this.stopped) return;
      if (statusOf(err) === 410) continue; // the version is too old: list again now
      this.fail(err);
      await this.sleep(backoffDelayMs(this.opts.backoff ?? INFORMER_BACKOFF, ++failures));
    }
  }

  private async relist(): Promise<string> {
    const list = await this.opts.api.list(this.opts.resource, this.opts.selector);
    if (this.stopped) return list.resourceVersion;
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const had = this.cache.get(key);
      this.put(key, item);
      if (had?.metadata.resourceVersion !== item.metadata.resourceVersion || had === undefined) this.upserted(item);
    }
    for (const [key, item] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.remove(key, item);
      this.deleted(item);
    }
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
    this.opts.onSynced?.(list.items);
    for (const s of this.subscribers) s.onSynced?.(list.items);
    return list.resourceVersion;
  }

  /** One watch until it closes: the error (undefined for a normal close) and the last version seen. */
  private watchOnce(from: string): Promise<{ err: unknown; version: string }> {
    let version = from;
    return new Promise((resolve) => {
      const handle = this.opts.api.watch(
        this.opts.resource,
        { ...this.opts.selector, resourceVersion: from },
        {
          onEvent: (type, object) => {
            version = object.metadata.resourceVersion ?? version;
            if (type === 'DELETED') {
              this.remove(keyOf(object), object);
              this.deleted(object);
            } else {
              this.put(keyOf(object), object);
              this.upserted(object);
            }
          },
          onClose: (err) => resolve({ err, version }),
        },
      );
      this.stopWatch = async () => {
        await handle.stop();
        resolve({ err: undefined, version });
      };
    });
  }
}
