// KubeApi over the API server's REST interface, authenticated by client-node's KubeConfig (which
// knows kubeconfig files, in-cluster tokens and exec plugins). Every resource goes through the same
// few lines: PodCertificateRequest and ClusterTrustBundle are newer than client-node's generated
// clients, and one generic path means one place where errors become KubeApiError.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApi, ListOptions, WatchEventType } from './api.js';
import { listsResource, type ApiResourceList } from './discovery.js';
import { apiErrorFrom, KubeApiError, orNotFound } from './errors.js';
import { groupVersionPath, proxyPath, resourceName, resourcePath, type Resource } from './resources.js';
import type { KubeResourceObject } from './types.js';

type Query = Readonly<Record<string, string | undefined>>;

const REQUEST_TIMEOUT_MS = 30_000;

interface OpenOptions {
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  /** A watch: no idle timeout (it ends by itself). */
  readonly watching?: boolean;
  /** Aborts the request, answer included (a deadline for the whole call). */
  readonly signal?: AbortSignal;
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A metav1.Status body: the API server's own error (a pod's error page is not one). */
function isStatus(text: string): boolean {
  try {
    return (JSON.parse(text) as { kind?: unknown } | null)?.kind === 'Status';
  } catch {
    return false;
  }
}

function queryOf(options: ListOptions | undefined, extra: Query = {}): string {
  const q = new URLSearchParams();
  const all: Query = {
    labelSelector: options?.labelSelector,
    fieldSelector: options?.fieldSelector,
    resourceVersion: options?.resourceVersion,
    ...extra,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
}

export function kubeApi(kc: KubeConfig): KubeApi {
  const server = (): URL => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError(0, 'NoCluster', 'the kubeconfig has no current cluster');
    return new URL(cluster.server);
  };

  /** Opens a request; resolves with the response once its status line arrived. */
  const open = async (method: string, path: string, options: OpenOptions = {}): Promise<IncomingMessage> => {
    const base = server();
    const opts: RequestOptions & { headers: Record<string, string> } = {
      method,
      headers: { Accept: options.accept ?? 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    };
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(base.pathname.replace(/\/$/, '') + path, base);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (payload !== undefined) opts.headers['Content-Type'] = options.contentType ?? 'application/json';
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, opts, resolve);
      req.on('error', (err) => reject(new KubeApiError(0, 'Unreachable', `${method} ${url.pathname}: ${err.message}`, { cause: err })));
      // A hung API server must not hold a caller forever (watches stay open: they end by themselves).
      if (!options.watching)
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer in ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.end(payload);
    });
  };

  const call = async <T>(method: string, path: string, what: string, body?: unknown, contentType?: string): Promise<T> => {
    const res = await open(method, path, { body, ...(contentType ? { contentType } : {}) });
    const text = await readText(res);
    const code = res.statusCode ?? 0;
    if (code < 200 || code >= 300) throw apiErrorFrom(code, text, what);
    return (text ? JSON.parse(text) : {}) as T;
  };

  const objectPath = (r: Resource, o: KubeResourceObject, sub?: string): string =>
    resourcePath(r, o.metadata.namespace, o.metadata.name, sub);

  return {
    get: (r, namespace, name) => orNotFound(call(`GET`, resourcePath(r, namespace, name), `get ${resourceName(r)} ${name}`)),
    async list(r, options) {
      const list = await call<{ items?: unknown[]; metadata?: { resourceVersion?: string } }>(
        'GET',
        resourcePath(r, options?.namespace) + queryOf(options),
        `list ${resourceName(r)}`,
      );
      return { items: (list.items ?? []) as never[], resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    create: (r, object) =>
      call('POST', resourcePath(r, object.metadata.namespace), `create ${resourceName(r)} ${object.metadata.name}`, object),
    replace: (r, object) => call('PUT', objectPath(r, object), `update ${resourceName(r)} ${object.metadata.name}`, object),
    replaceStatus: (r, object) =>
      call('PUT', objectPath(r, object, 'status'), `update ${resourceName(r, 'status')} ${object.metadata.name}`, object),
    patch: (r, namespace, name, ops) =>
      call('PATCH', resourcePath(r, namespace, name), `patch ${resourceName(r)} ${name}`, ops, 'application/json-patch+json'),
    async delete(r, namespace, name) {
      await orNotFound(call('DELETE', resourcePath(r, namespace, name), `delete ${resourceName(r)} ${name}`));
    },
    async proxyGet(r, namespace, name, options) {
      const what = `get ${resourceName(r, 'proxy')} ${name}:${options.port}${options.path}`;
      const ms = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
      const signal = AbortSignal.timeout(ms);
      const path = proxyPath(r, namespace, name, options.port, options.path, options.scheme);
      try {
        const res = await open('GET', path, { accept: '*/*', signal });
        const text = await readText(res);
        const code = res.statusCode ?? 0;
        // Only the API server's Status says something useful; a pod's own error page is left out.
        if (code < 200 || code >= 300) throw apiErrorFrom(code, isStatus(text) ? text : '', what);
        return text;
      } catch (err) {
        if (signal.aborted) throw new KubeApiError(0, 'Timeout', `${what}: no answer in ${ms / 1000}s`, { cause: err });
        throw err;
      }
    },
    async serves(r) {
      return listsResource(
        await orNotFound(call<ApiResourceList>('GET', groupVersionPath(r), `discover ${groupVersionPath(r)}`)),
        r.plural,
      );
    },
    watch(r, options, callbacks) {
      let stopped = false;
      let response: IncomingMessage | undefined;
      const close = (err?: Error): void => {
        if (stopped) return;
        stopped = true;
        response?.destroy();
        callbacks.onClose(err);
      };
      const path = resourcePath(r, options.namespace) + queryOf(options, { watch: 'true', allowWatchBookmarks: 'true' });
      open('GET', path, { watching: true }).then(
        async (res) => {
          response = res;
          if (stopped) return void res.destroy();
          if (res.statusCode !== 200) {
            return close(apiErrorFrom(res.statusCode ?? 0, await readText(res), `watch ${resourceName(r)}`));
          }
          const lines = createInterface({ input: res });
          lines.on('line', (line) => {
            if (stopped || line.trim() === '') return;
            let event: { type?: string; object?: unknown };
            try {
              event = JSON.parse(line) as typeof event;
            } catch {
              return;
            }
            if (event.type === 'ERROR')
              return close(
                apiErrorFrom((event.object as { code?: number })?.code ?? 500, JSON.stringify(event.object), `watch ${resourceName(r)}`),
              );
            if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED')
              callbacks.onEvent(event.type as WatchEventType, event.object as never);
          });
          res.on('error', (err) => close(new KubeApiError(0, 'Unreachable', `watch ${resourceName(r)}: ${err.message}`, { cause: err })));
          res.on('end', () => close());
          res.on('close', () => close());
        },
        (err: Error) => close(err),
      );
      return {
        async stop() {
          stopped = true;
          response?.destroy();
        },
      };
    },
  };
}
