// The one in-memory KubeApi every controller test uses, with the API server's rules: every write
// bumps a global resourceVersion; create of an existing name is 409 AlreadyExists; replace of a
// missing object 404, with a stale resourceVersion 409 Conflict (none: unconditional); a JSON
// patch whose `test` fails is 422 and changes nothing; delete of a missing object is fine (KubeApi
// says 404 is ok); watches get every change after the version they start from. PodCertificateRequest
// status is frozen once a terminal condition is set (422), as the real API's validation does.
import fastJsonPatch from 'fast-json-patch';
import type { KubeApi, ListOptions, ProxyGetOptions, WatchCallbacks, WatchEventType } from '../../webhook/kube/api.js';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { resourceName, type Resource } from '../../webhook/kube/resources.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';

type Obj = KubeResourceObject;
type Verb = 'get' | 'list' | 'create' | 'replace' | 'replaceStatus' | 'patch' | 'delete' | 'watch' | 'serves' | 'proxyGet';
interface Event {
  readonly rv: number;
  readonly r: Resource;
  readonly type: WatchEventType;
  readonly object: Obj;
}
interface Watcher {
  readonly r: Resource;
  readonly options: ListOptions;
  readonly callbacks: WatchCallbacks<Obj>;
}

const TERMINAL = ['Issued', 'Denied', 'Failed'];
const rkey = (r: Resource): string => `${r.group}/${r.plural}`;
const okey = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;
/** How calls name an object: "namespace/name", or the name alone when cluster-scoped. */
const shown = (ns: string | undefined, name: string): string => (ns === undefined ? name : `${ns}/${name}`);
const clone = <T>(v: T): T => structuredClone(v);

function fieldValue(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
}

/** k=v, k!=v and bare k (exists), comma-separated: the selector forms meshward uses. */
export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const ne = term.split('!=');
    if (ne.length === 2) return labels?.[ne[0]!] !== ne[1];
    const [k, v] = term.split('=');
    return v === undefined ? labels?.[k!] !== undefined : labels?.[k!] === v;
  });
}

function matches(o: Obj, options: ListOptions, r: Resource): boolean {
  if (r.namespaced && options.namespace !== undefined && o.metadata.namespace !== options.namespace) return false;
  if (!matchesSelector(o.metadata.labels, options.labelSelector)) return false;
  return (options.fieldSelector ?? '')
    .split(',')
    .filter(Boolean)
    .every((term) => {
      const [path, value] = term.split('=');
      return String(fieldValue(o, path!) ?? '') === value;
    });
}

export class FakeKubeApi implements KubeApi {
  private rv = 0;
  private readonly stores = new Map<string, Map<string, Obj>>();
  private readonly events: Event[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly failures = new Map<string, { err: Error; times: number }>();
  private readonly unserved = new Set<string>();
  /** Every call, as "<verb> <resource>[/<sub>] [<namespace>/]<name>" (lists and watches: the namespace or "*"). */
  readonly calls: string[] = [];
  /** Runs before a write is applied (simulate another writer racing the caller). */
  beforeWrite?: (verb: Verb, r: Resource, object: Obj) => void;
  /** Called after every write that succeeded (tests check invariants at the moment they could break). */
  readonly onWrite: Array<(verb: Verb, r: Resource, object: Obj) => void> = [];

  /** The next `times` calls of `verb` on `r` throw `err`. */
  failNext(verb: Verb, r: Resource, err: Error, times = 1): void {
    this.failures.set(`${verb} ${rkey(r)}`, { err, times });
  }

  /**
   * What proxyGet answers, by "<namespace>/<name>:<port><path>" (the scheme left out): the body, or
   * an error to throw. Anything not set is the API server's 503 for a pod it cannot reach.
   */
  readonly proxyAnswers = new Map<string, string | Error>();

  /** Discovery answers false for this resource from now on. */
  unserve(r: Resource): void {
    this.unserved.add(rkey(r));
  }

  /** Stores an object as another client would (no call logged, no failure injected) and tells watches. */
  put<T extends Obj>(r: Resource<T>, object: T): T {
    const have = this.store(r).get(okey(object.metadata.namespace, object.metadata.name));
    return this.write(r, clone(object), have ? 'MODIFIED' : 'ADDED');
  }

  /** Deletes as another client would (e.g. the garbage collector) and tells watches. */
  remove(r: Resource, namespace: string | undefined, name: string): void {
    const have = this.store(r).get(okey(namespace, name));
    if (!have) return;
    this.store(r).delete(okey(namespace, name));
    this.emit(r, 'DELETED', { ...have, metadata: { ...have.metadata, resourceVersion: String(++this.rv) } });
  }

  /** A stored object (a copy), without a call. */
  object<T extends Obj>(r: Resource<T>, namespace: string | undefined, name: string): T | undefined {
    const o = this.store(r).get(okey(namespace, name));
    return o && (clone(o) as T);
  }

  /** Every stored object of a resource (copies), without a call. */
  objects<T extends Obj>(r: Resource<T>): T[] {
    return [...this.store(r).values()].map((o) => clone(o) as T);
  }

  /** Ends every open watch with `err` (a broken connection), or normally (a server-side timeout). */
  closeWatches(err?: Error): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      w.callbacks.onClose(err);
    }
  }

  get watchCount(): number {
    return this.watchers.size;
  }

  async get<T extends Obj>(r: Resource<T>, namespace: string | undefined, name: string): Promise<T | undefined> {
    this.guard('get', r, shown(namespace, name));
    return this.object(r, namespace, name);
  }

  async list<T extends Obj>(r: Resource<T>, options: ListOptions = {}): Promise<{ items: T[]; resourceVersion: string }> {
    this.guard('list', r, options.namespace ?? '*');
    return { items: this.objects(r).filter((o) => matches(o, options, r)), resourceVersion: String(this.rv) };
  }

  async create<T extends Obj>(r: Resource<T>, object: T): Promise<T> {
    this.guard('create', r, shown(object.metadata.namespace, object.metadata.name));
    this.beforeWrite?.('create', r, object);
    if (this.store(r).has(okey(object.metadata.namespace, object.metadata.name)))
      throw new KubeApiError(409, 'AlreadyExists', `${resourceName(r)} "${object.metadata.name}" already exists`);
    return this.written('create', r, this.write(r, clone(object), 'ADDED'));
  }

  async replace<T extends Obj>(r: Resource<T>, object: T): Promise<T> {
    this.guard('replace', r, shown(object.metadata.namespace, object.metadata.name));
    this.beforeWrite?.('replace', r, object);
    this.current(r, object);
    return this.written('replace', r, this.write(r, clone(object), 'MODIFIED'));
  }

  async replaceStatus<T extends Obj>(r: Resource<T>, object: T): Promise<T> {
    this.guard('replaceStatus', r, shown(object.metadata.namespace, object.metadata.name), 'status');
    this.beforeWrite?.('replaceStatus', r, object);
    const have = this.current(r, object) as T & { status?: { conditions?: Array<{ type: string; status: string }> } };
    if ((have.status?.conditions ?? []).some((c) => TERMINAL.includes(c.type) && c.status === 'True')) {
      throw new KubeApiError(
        422,
        'Invalid',
        `${resourceName(r, 'status')} "${object.metadata.name}" is invalid: status is immutable once a terminal condition is set`,
      );
    }
    const next = { ...clone(have), status: clone((object as { status?: unknown }).status) } as T;
    return this.written('replaceStatus', r, this.write(r, next, 'MODIFIED'));
  }

  async patch<T extends Obj>(
    r: Resource<T>,
    namespace: string | undefined,
    name: string,
    ops: readonly fastJsonPatch.Operation[] | readonly { op: string; path: string; value?: unknown }[],
  ): Promise<T> {
    this.guard('patch', r, shown(namespace, name));
    const have = this.store(r).get(okey(namespace, name));
    if (!have) throw new KubeApiError(404, 'NotFound', `${resourceName(r)} "${name}" not found`);
    let next: T;
    try {
      next = fastJsonPatch.applyPatch(clone(have), clone(ops) as fastJsonPatch.Operation[], true, false).newDocument as T;
    } catch (err) {
      throw new KubeApiError(422, 'Invalid', `the JSON patch was refused: ${(err as Error).message.split('\n')[0]}`);
    }
    this.beforeWrite?.('patch', r, next);
    return this.written('patch', r, this.write(r, next, 'MODIFIED'));
  }

  async delete(r: Resource, namespace: string | undefined, name: string): Promise<void> {
    this.guard('delete', r, shown(namespace, name));
    const have = this.store(r).get(okey(namespace, name));
    if (!have) return;
    this.remove(r, namespace, name);
    this.written('delete', r, have);
  }

  watch<T extends Obj>(
    r: Resource<T>,
    options: ListOptions & { resourceVersion: string },
    callbacks: WatchCallbacks<T>,
  ): { stop(): Promise<void> } {
    this.calls.push(`watch ${resourceName(r)} ${options.namespace ?? '*'}`);
    const w: Watcher = { r, options, callbacks: callbacks as WatchCallbacks<Obj> };
    const f = this.failures.get(`watch ${rkey(r)}`);
    if (f && f.times > 0) {
      f.times--;
      queueMicrotask(() => callbacks.onClose(f.err));
      return { stop: async () => undefined };
    }
    const from = Number(options.resourceVersion || '0');
    const backlog = this.events.filter((e) => e.rv > from && rkey(e.r) === rkey(r) && matches(e.object, options, r));
    this.watchers.add(w);
    queueMicrotask(() => backlog.forEach((e) => this.watchers.has(w) && callbacks.onEvent(e.type, clone(e.object) as T)));
    return { stop: async () => void this.watchers.delete(w) };
  }

  async proxyGet(r: Resource, namespace: string | undefined, name: string, options: ProxyGetOptions): Promise<string> {
    const target = `${shown(namespace, name)}:${options.port}${options.path}`;
    this.guard(
      'proxyGet',
      r,
      `${shown(namespace, `${options.scheme ? `${options.scheme}:` : ''}${name}`)}:${options.port}${options.path}`,
      'proxy',
    );
    const answer = this.proxyAnswers.get(target);
    if (answer instanceof Error) throw answer;
    if (answer === undefined) throw new KubeApiError(503, 'ServiceUnavailable', `error trying to reach service: ${name}:${options.port}`);
    return answer;
  }

  async serves(r: Resource): Promise<boolean> {
    this.guard('serves', r, '');
    return !this.unserved.has(rkey(r));
  }

  private store(r: Resource): Map<string, Obj> {
    let s = this.stores.get(rkey(r));
    if (!s) this.stores.set(rkey(r), (s = new Map()));
    return s;
  }

  private guard(verb: Verb, r: Resource, what: string, sub?: string): void {
    this.calls.push(`${verb} ${resourceName(r, sub)} ${what}`.trimEnd());
    const f = this.failures.get(`${verb} ${rkey(r)}`);
    if (f && f.times > 0) {
      f.times--;
      throw f.err;
    }
  }

  /** The stored object a replace addresses: 404 when missing, 409 when the caller's version is stale. */
  private current(r: Resource, object: Obj): Obj {
    const have = this.store(r).get(okey(object.metadata.namespace, object.metadata.name));
    if (!have) throw new KubeApiError(404, 'NotFound', `${resourceName(r)} "${object.metadata.name}" not found`);
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== have.metadata.resourceVersion) {
      throw new KubeApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${resourceName(r)} "${object.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    return have;
  }

  private write<T extends Obj>(r: Resource, object: T, type: WatchEventType): T {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.rv) } } as T;
    this.store(r).set(okey(stored.metadata.namespace, stored.metadata.name), stored);
    this.emit(r, type, stored);
    return clone(stored);
  }

  private written<T extends Obj>(verb: Verb, r: Resource, object: T): T {
    for (const cb of this.onWrite) cb(verb, r, object);
    return object;
  }

  private emit(r: Resource, type: WatchEventType, object: Obj): void {
    const event: Event = { rv: Number(object.metadata.resourceVersion), r, type, object: clone(object) };
    this.events.push(event);
    for (const w of this.watchers) {
      if (rkey(w.r) !== rkey(r) || !matches(object, w.options, r)) continue;
      queueMicrotask(() => this.watchers.has(w) && w.callbacks.onEvent(type, clone(object)));
    }
  }
}

export function fakeKubeApi(): FakeKubeApi {
  return new FakeKubeApi();
}
