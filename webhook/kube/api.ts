// KubeApi: every call meshward makes to the API server, over any resource, addressed by a Resource
// descriptor. client-api.ts implements it over client-node's KubeConfig; test/kube/fake-api.ts in
// memory. Controllers take Pick<KubeApi, …> of what they call, so a test (and the RBAC in the
// manifests) can see what each needs. Every failure is a KubeApiError (errors.ts).
import type { KubeApiError } from './errors.js';
import type { Resource } from './resources.js';
import type { JsonPatchOp, KubeResourceObject } from './types.js';

export interface ListOptions {
  /** Omit for every namespace (namespaced resources) or for cluster-scoped resources. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** "0": serve from the API server's watch cache (cheaper, may be slightly stale). */
  readonly resourceVersion?: string;
}

export interface ObjectList<T> {
  readonly items: T[];
  /** The list's resourceVersion: where a watch that follows it starts. */
  readonly resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchOptions extends ListOptions {
  /** Events after this version (a list's resourceVersion). */
  readonly resourceVersion: string;
}

export interface WatchCallbacks<T> {
  onEvent(type: WatchEventType, object: T): void;
  /**
   * The watch ended: undefined when the server closed it normally (watch from the last version
   * again), else a KubeApiError (410 Gone: that version is too old, list again).
   */
  onClose(err?: KubeApiError | Error): void;
}

/** A running watch; `stop` ends it without calling onClose. Idempotent. */
export interface WatchHandle {
  stop(): Promise<void>;
}

/** Where a GET through the API server's proxy subresource (pods/proxy, services/proxy) goes. */
export interface ProxyGetOptions {
  /** The port on the pod (number or name). */
  readonly port: number | string;
  /** https: the pod serves TLS (the API server does not verify its certificate). Default http. */
  readonly scheme?: 'http' | 'https';
  /** The path on the pod, from "/". */
  readonly path: string;
  /** Deadline for the whole request, answer included; default 30 s. Past it: KubeApiError 0 Timeout. */
  readonly timeoutMs?: number;
}

export interface KubeApi {
  /** The object, or undefined when it does not exist (404). */
  get<T extends KubeResourceObject>(r: Resource<T>, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KubeResourceObject>(r: Resource<T>, options?: ListOptions): Promise<ObjectList<T>>;
  /** 409 AlreadyExists when the name is taken; 404 when the namespace does not exist. */
  create<T extends KubeResourceObject>(r: Resource<T>, object: T): Promise<T>;
  /** PUT with metadata.resourceVersion: 409 Conflict when the object changed since it was read. */
  replace<T extends KubeResourceObject>(r: Resource<T>, object: T): Promise<T>;
  /** PUT …/status, guarded by resourceVersion like replace. */
  replaceStatus<T extends KubeResourceObject>(r: Resource<T>, object: T): Promise<T>;
  /** RFC 6902 JSON Patch; a failing `test` operation is refused (422), nothing changes. */
  patch<T extends KubeResourceObject>(r: Resource<T>, namespace: string | undefined, name: string, ops: readonly JsonPatchOp[]): Promise<T>;
  /** Deletes; an object that is already gone (404) is not an error. */
  delete(r: Resource, namespace: string | undefined, name: string): Promise<void>;
  /** Streams changes after options.resourceVersion (see runtime/informer.ts for list+watch with restarts). */
  watch<T extends KubeResourceObject>(r: Resource<T>, options: WatchOptions, callbacks: WatchCallbacks<T>): WatchHandle;
  /**
   * GET through the API server's proxy subresource: what the pod's port answers at `path`, as text.
   * Any non-2xx (the pod's own, or the API server's when it cannot reach the pod) is a KubeApiError.
   */
  proxyGet(r: Resource, namespace: string | undefined, name: string, options: ProxyGetOptions): Promise<string>;
  /** Discovery: does the API server serve this resource (GET /apis/<group>/<version>)? A 404 group version is false. */
  serves(r: Resource): Promise<boolean>;
}
