import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { KubeConfig } from '../../webhook/kube/client.js';
import { localKubeConfig } from '../helpers/local-kubeconfig.js';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { CONFIG_MAPS, POD_CERTIFICATE_REQUESTS, PODS } from '../../webhook/kube/resources.js';
import type { ConfigMap } from '../../webhook/kube/types.js';

// The REST adapter against a local API server stand-in: paths, verbs and content types as the
// API server expects them, every failure normalised to KubeApiError with its code and reason,
// and a watch stream read event by event (an ERROR event ends it with its code).

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function withServer(handler: Handler, run: (api: ReturnType<typeof kubeApi>, seen: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? '-'}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kc = localKubeConfig(new KubeConfig(), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    await run(kubeApi(kc), seen);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

const status = (res: ServerResponse, code: number, reason: string, message: string): void => {
  res.statusCode = code;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
};
const cm = (name: string): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'shop', name }, data: { a: '1' } });

describe('kube/client-api: KubeApi over REST', () => {
  it('uses the API server paths and verbs, and turns every failure into a KubeApiError with code and reason', async () => {
    await withServer(
      (req, res, body) => {
        if (req.method === 'POST') return status(res, 409, 'AlreadyExists', 'configmaps "x" already exists');
        if (req.method === 'PUT' && req.url!.endsWith('/status')) return void res.end(body);
        if (req.method === 'GET' && req.url!.startsWith('/api/v1/namespaces/shop/configmaps/gone'))
          return status(res, 404, 'NotFound', 'not found');
        if (req.method === 'DELETE') return status(res, 404, 'NotFound', 'not found');
        if (req.method === 'PATCH') return status(res, 422, 'Invalid', 'the test operation failed');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: '42' }, items: [cm('x')] }));
      },
      async (api, seen) => {
        assert.deepEqual(await api.list(CONFIG_MAPS, { namespace: 'shop', labelSelector: 'app=web' }), {
          items: [cm('x')],
          resourceVersion: '42',
        });
        assert.equal(await api.get(CONFIG_MAPS, 'shop', 'gone'), undefined, '404 is absent');
        await api.delete(CONFIG_MAPS, 'shop', 'gone'); // already gone: not an error
        const created = await api.create(CONFIG_MAPS, cm('x')).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(created instanceof KubeApiError);
        assert.deepEqual([created.code, created.reason], [409, 'AlreadyExists']);
        assert.match(created.message, /already exists/);
        const patched = await api
          .patch(CONFIG_MAPS, 'shop', 'x', [{ op: 'test', path: '/metadata/resourceVersion', value: '1' }])
          .catch((e: unknown) => e);
        assert.deepEqual([(patched as KubeApiError).code, (patched as KubeApiError).reason], [422, 'Invalid']);
        const pcr = {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'PodCertificateRequest',
          metadata: { namespace: 'shop', name: 'p' },
          spec: {},
          status: {},
        };
        await api.replaceStatus(POD_CERTIFICATE_REQUESTS, pcr as never);
        assert.deepEqual(seen, [
          'GET /api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb -',
          'GET /api/v1/namespaces/shop/configmaps/gone -',
          'DELETE /api/v1/namespaces/shop/configmaps/gone -',
          'POST /api/v1/namespaces/shop/configmaps application/json',
          'PATCH /api/v1/namespaces/shop/configmaps/x application/json-patch+json',
          'PUT /apis/certificates.k8s.io/v1/namespaces/shop/podcertificaterequests/p/status application/json',
        ]);
      },
    );
  });

  it('streams watch events in order and ends the watch with the code of an ERROR event (410: list again)', async () => {
    await withServer(
      (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.write(`${JSON.stringify({ type: 'ADDED', object: cm('a') })}\n`);
        res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '50' } } })}\n`);
        res.write(`${JSON.stringify({ type: 'DELETED', object: cm('a') })}\n`);
        res.end(
          `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`,
        );
      },
      async (api, seen) => {
        const events: string[] = [];
        const closed = await new Promise<unknown>((resolve) => {
          api.watch(
            CONFIG_MAPS,
            { namespace: 'shop', resourceVersion: '7' },
            { onEvent: (type, o) => events.push(`${type} ${o.metadata.name}`), onClose: resolve },
          );
        });
        assert.deepEqual(events, ['ADDED a', 'DELETED a'], 'bookmarks are not events');
        assert.ok(closed instanceof KubeApiError);
        assert.equal(closed.code, 410);
        assert.match(seen[0]!, /^GET \/api\/v1\/namespaces\/shop\/configmaps\?resourceVersion=7&watch=true&allowWatchBookmarks=true /);
      },
    );
  });

  it('GETs through the proxy subresource as text: scheme, name and port joined by colons; errors and deadline as KubeApiError', async () => {
    const accepts: string[] = [];
    await withServer(
      (req, res) => {
        accepts.push(String(req.headers.accept));
        if (req.url!.includes('/web-1:15090/')) {
          res.setHeader('content-type', 'text/plain; version=0.0.4');
          return void res.end('envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|mtls"} 3\n');
        }
        if (req.url!.includes('/web-2:15090/'))
          return status(
            res,
            503,
            'ServiceUnavailable',
            'error trying to reach service: dial tcp 10.0.0.2:15090: connect: connection refused',
          );
        if (req.url!.includes('/web-3:15090/')) {
          res.statusCode = 500;
          return void res.end('<html><body>envoy says no</body></html>');
        }
        if (req.url!.endsWith('/xds/proxies')) return void res.end('{"proxies":[]}');
        // web-4: never answers (the deadline ends it).
      },
      async (api, seen) => {
        const text = await api.proxyGet(PODS, 'shop', 'web-1', { port: 15090, path: '/stats/prometheus' });
        assert.equal(text, 'envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|mtls"} 3\n', 'the body as it came, not JSON');
        await api.proxyGet(PODS, 'meshward-system', 'meshward-a', { scheme: 'https', port: 8443, path: '/xds/proxies' });
        const refused = (await api
          .proxyGet(PODS, 'shop', 'web-2', { port: 15090, path: '/stats/prometheus' })
          .catch((e: unknown) => e)) as KubeApiError;
        assert.deepEqual([refused instanceof KubeApiError, refused.code, refused.reason], [true, 503, 'ServiceUnavailable']);
        assert.match(refused.message, /connection refused/);
        const page = (await api
          .proxyGet(PODS, 'shop', 'web-3', { port: 15090, path: '/stats/prometheus' })
          .catch((e: unknown) => e)) as KubeApiError;
        assert.deepEqual(
          [page.code, page.reason, page.message],
          [500, 'InternalError', 'get pods/proxy web-3:15090/stats/prometheus: HTTP 500'],
        );
        const started = Date.now();
        const hung = (await api
          .proxyGet(PODS, 'shop', 'web-4', { port: 15090, path: '/stats/prometheus', timeoutMs: 200 })
          .catch((e: unknown) => e)) as KubeApiError;
        assert.deepEqual([hung instanceof KubeApiError, hung.code, hung.reason], [true, 0, 'Timeout']);
        assert.equal(hung.message, 'get pods/proxy web-4:15090/stats/prometheus: no answer in 0.2s');
        assert.ok(Date.now() - started < 2000, 'the deadline holds');
        assert.deepEqual(seen.slice(0, 2), [
          'GET /api/v1/namespaces/shop/pods/web-1:15090/proxy/stats/prometheus -',
          'GET /api/v1/namespaces/meshward-system/pods/https:meshward-a:8443/proxy/xds/proxies -',
        ]);
        assert.ok(
          accepts.every((a) => a === '*/*'),
          'Prometheus text and JSON alike',
        );
      },
    );
  });

  it('reports an unreachable API server as a KubeApiError, not a crash', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const err = await kubeApi(kc)
      .get(CONFIG_MAPS, 'shop', 'x')
      .catch((e: unknown) => e);
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.code, 0);
    assert.match(err.message, /ECONNREFUSED/);
  });
});
