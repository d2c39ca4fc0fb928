import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { loadKubeConfig } from '../../webhook/kube/kube-client.js';
import { NAMESPACES } from '../../webhook/kube/resources.js';
import { generateSelfSigned } from '../../webhook/server/self-signed.js';

// `meshward serve` in a pod has no --kubeconfig: it reaches the API server the kubelet names in
// KUBERNETES_SERVICE_HOST/PORT, trusts the ServiceAccount CA and sends the projected token, which
// the kubelet rotates (bound tokens: hourly). An API server stand-in records the tokens it gets.

const SERVICE_ACCOUNT_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

interface Pod {
  readonly root: string;
  readonly tokens: string[];
  readonly server: Server;
  readonly port: number;
  writeToken(token: string): void;
}

async function podFiles(): Promise<Pod> {
  const tls = generateSelfSigned(new Date());
  const root = mkdtempSync(join(tmpdir(), 'meshward-in-cluster-'));
  const dir = join(root, SERVICE_ACCOUNT_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), tls.caCert);
  writeFileSync(join(dir, 'namespace'), 'meshward-system');
  const tokens: string[] = [];
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    tokens.push(String(req.headers.authorization));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    root,
    tokens,
    server,
    port: (server.address() as AddressInfo).port,
    writeToken: (token) => writeFileSync(join(dir, 'token'), token),
  };
}

/** Runs `body` with the kubelet's environment for an API server on 127.0.0.1:port. */
async function inPod<T>(port: number, body: () => Promise<T>): Promise<T> {
  const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
  process.env.KUBERNETES_SERVICE_HOST = '127.0.0.1';
  process.env.KUBERNETES_SERVICE_PORT = String(port);
  try {
    return await body();
  } finally {
    for (const [key, value] of [
      ['KUBERNETES_SERVICE_HOST', saved.host],
      ['KUBERNETES_SERVICE_PORT', saved.port],
    ] as const)
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  }
}

/** Runs `body` with the global Date `ms` ahead (client-node times its token cache with `new Date()`). */
async function later<T>(ms: number, body: () => Promise<T>): Promise<T> {
  const RealDate = Date;
  class Shifted extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + ms);
      else super(...(args as [number]));
    }
    static override now(): number {
      return RealDate.now() + ms;
    }
  }
  globalThis.Date = Shifted as DateConstructor;
  try {
    return await body();
  } finally {
    globalThis.Date = RealDate;
  }
}

describe('in-cluster config (meshward serve in a pod, no --kubeconfig)', () => {
  const pods: Pod[] = [];
  after(() => pods.forEach((p) => p.server.close()));
  const pod = async (): Promise<Pod> => {
    const p = await podFiles();
    pods.push(p);
    return p;
  };

  it('reaches the API server named by KUBERNETES_SERVICE_HOST/PORT, trusting only the ServiceAccount CA, with the projected token', async () => {
    const p = await pod();
    p.writeToken('token-1');
    const kc = await inPod(p.port, async () => loadKubeConfig('', p.root));
    assert.equal(kc.getCurrentCluster()?.server, `https://127.0.0.1:${p.port}`);
    assert.equal(kc.getCurrentCluster()?.caFile, join(p.root, SERVICE_ACCOUNT_DIR, 'ca.crt'));
    assert.deepEqual(await kubeApi(kc).list(NAMESPACES), { items: [], resourceVersion: '1' });
    assert.deepEqual(p.tokens, ['Bearer token-1']);
  });

  it('--kubeconfig wins over the in-cluster environment', async () => {
    const p = await pod();
    const file = join(p.root, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.9:6443' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const kc = await inPod(p.port, async () => loadKubeConfig(file, p.root));
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.9:6443');
  });

  const builds: Array<[string, (root: string) => Promise<KubeConfig>]> = [
    ['the source (client-node itself)', async (root) => loadKubeConfig('', root)],
    [
      'the bundle meshward ships',
      async (root) => {
        const bundle = (await import(pathToFileURL(join(repoRoot(), 'dist/webhook/kube/client.js')).href)) as {
          KubeConfig: new () => KubeConfig;
        };
        const kc = new bundle.KubeConfig();
        kc.loadFromCluster(root); // what loadKubeConfig does in a pod
        return kc;
      },
    ],
  ];
  for (const [what, load] of builds) {
    it(`re-reads the token file once its copy is a minute old, so a rotated token is used without a restart (${what})`, async () => {
      const p = await pod();
      p.writeToken('token-1');
      const api = kubeApi(await inPod(p.port, () => load(p.root)));
      await api.list(NAMESPACES);
      p.writeToken('token-2'); // the kubelet rotated it (the old one stays valid for a while)
      await api.list(NAMESPACES);
      await later(61_000, () => api.list(NAMESPACES));
      assert.deepEqual(p.tokens, ['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
    });
  }
});
