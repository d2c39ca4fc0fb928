import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { ControlPlane as Cluster } from '../../scripts/control-plane/control-plane.js';
import { installMeshwardCrds } from '../../scripts/control-plane/register-webhooks.js';
import { CREDENTIAL_FILES, PORTS, PROXY_CONFIG_DIR, PROXY_CREDENTIALS_DIR } from '../../webhook/config/names.js';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { injectedContainers, podSettings } from '../../webhook/inject/injected-containers.js';
import { loadTemplates } from '../../webhook/inject/templates.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { loadKubeConfig } from '../../webhook/kube/kube-client.js';
import type { MeshCa } from '../../webhook/pki/mesh-ca.js';
import { renderStaticBootstrap } from '../../webhook/proxy/render-static-bootstrap.js';
import { startControlPlane, type ControlPlane } from '../../webhook/xds/control-plane.js';
import { sharedControlPlane } from '../e2e/shared-cluster.js';
import { ensureProxyStandin } from '../../scripts/node/local-images.js';
import { meshCa, svid } from './svids.js';
import { runningPodStatus } from '../helpers/pod-status.js';

// The proxy stand-in (test/go/cmd/proxy-standin), the judge that replaces Envoy on a real node, run
// here as a process against meshward's own control plane (startControlPlane, as `meshward serve`
// runs it, watching a real API server) with what a pod would give it: the container's command line
// from the injection template, the static bootstrap and SDS files from meshward's renderer (only
// the file paths moved to temp dirs, the xDS address set to this server as localhost:<port> and the
// three listen ports made free ones), and the pod's SVID from the mesh CA in the credential-bundle
// layout the kubelet projects. The test plays the kubelet's status reports, as test/e2e/xds does.

const APP = 'standin-app';
const NODE = 'standin-node';
const API_IP = '10.244.7.20';
const LEGACY_IP = '10.244.7.30';
const TD = 'spiffe://cluster.local';
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Waiter {
  test: (l: J) => boolean;
  resolve: (l: J) => void;
  timer?: NodeJS.Timeout;
}

interface Standin {
  readonly lines: J[];
  readonly ports: { admin: number; readiness: number; metrics: number };
  next(test: (l: J) => boolean, ms?: number): Promise<J>;
  get(port: number, path: string): Promise<{ status: number; body: string }>;
  /** SIGTERM; resolves with the exit code and how long it took. */
  terminate(): Promise<{ code: number | null; ms: number }>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

describe('xds: the proxy stand-in against meshward’s control plane', function () {
  this.timeout(60_000);
  let cp: Cluster;
  let xds: ControlPlane | undefined;
  let ca: MeshCa;
  let config: MeshwardConfig;
  let binary: string;
  const running: ChildProcess[] = [];
  const dirs: string[] = [];

  const apply = (o: object): Promise<unknown> => cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(o) });

  /** A pod as injected (label; meshward-proxy container), then the kubelet's report: IP, every container ready. */
  async function pod(name: string, app: string, sa: string, ip: string, injected: boolean): Promise<void> {
    const containers = [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }];
    if (injected) containers.push({ name: 'meshward-proxy', image: 'proxy:1', ports: [] });
    const labels = { app, ...(injected ? { 'meshward.io/injected': 'true' } : {}) };
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: APP, labels },
      spec: { serviceAccountName: sa, nodeName: NODE, containers },
    });
    const status = runningPodStatus({ containers }, ip);
    await cp.kubectl(['patch', 'pod', name, '-n', APP, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
  }

  /** Bootstrap and SDS files rendered by meshward for `rendered`, the pod's credentials, and the stand-in started on them. */
  async function start(rendered: MeshwardConfig, podName: string): Promise<Standin> {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-standin-'));
    const creds = svid(ca, APP, 'web');
    dirs.push(dir, creds.dir);
    writeFileSync(join(dir, CREDENTIAL_FILES.bundle), creds.keyPem + creds.certPem, { mode: 0o600 });
    writeFileSync(join(dir, CREDENTIAL_FILES.trustBundle), ca.trustBundlePem);
    const ports = { admin: await freePort(), readiness: await freePort(), metrics: await freePort() };
    const newPort: Record<number, number> = {
      [PORTS.admin]: ports.admin,
      [PORTS.readiness]: ports.readiness,
      [PORTS.metrics]: ports.metrics,
    };
    const movePorts = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(movePorts);
      if (typeof v !== 'object' || v === null) return v;
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, k === 'port_value' && typeof x === 'number' ? (newPort[x] ?? x) : movePorts(x)]),
      );
    };
    for (const file of renderStaticBootstrap(rendered)) {
      const text = JSON.stringify(movePorts(file.document)).replaceAll(PROXY_CONFIG_DIR, dir).replaceAll(PROXY_CREDENTIALS_DIR, dir);
      writeFileSync(join(dir, file.name), text);
    }
    // The container's own args, with $(VAR) expanded as the kubelet does and the config path moved.
    const { proxy } = injectedContainers(podSettings({}, rendered, [])!, rendered, loadTemplates());
    const env: Record<string, string> = { POD_NAME: podName, POD_NAMESPACE: APP };
    const args = (proxy.args ?? []).map((a) =>
      a.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => env[v] ?? '').replace(PROXY_CONFIG_DIR, dir),
    );

    const lines: J[] = [];
    const waiters = new Set<Waiter>();
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    running.push(child);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      let line: J;
      try {
        line = JSON.parse(text) as J;
      } catch {
        line = { msg: '(not JSON)', text };
      }
      lines.push(line);
      for (const w of waiters) {
        if (!w.test(line)) continue;
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(line);
      }
    });
    return {
      lines,
      ports,
      next: (test, ms = 20_000) => {
        const seen = lines.find(test);
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const w: Waiter = { test, resolve };
          w.timer = setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`no such line within ${ms} ms:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
          }, ms);
          waiters.add(w);
        });
      },
      get: async (port, path) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, body: await res.text() };
      },
      terminate: async () => {
        const started = Date.now();
        child.kill('SIGTERM');
        const code = await exited;
        return { code, ms: Date.now() - started };
      },
    };
  }

  before(async function () {
    this.timeout(600_000);
    binary = await ensureProxyStandin();
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    await cp.ensureNamespace(APP);
    for (const sa of ['web', 'api']) await cp.kubectl(['create', 'serviceaccount', sa, '-n', APP], { check: false });
    // The EndpointSlice controller lists a pod only once its Node exists.
    await apply({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    await pod('api-1', 'api', 'api', API_IP, true);
    await pod('api-legacy', 'api', 'default', LEGACY_IP, false);
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: APP },
      spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const base = buildConfig({});
    ca = meshCa();
    xds = await startControlPlane({
      config: { ...base, controlPlane: { ...base.controlPlane, host: '127.0.0.1', port: 0 } },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      api: kubeApi(loadKubeConfig(cp.kubeconfigPath)),
      currentCa: () => ca,
    });
    // What the proxies are told: a DNS name (resolved by the stand-in) and the server's port.
    config = { ...base, controlPlane: { ...base.controlPlane, address: `localhost:${xds.port}` } };
  });

  after(async () => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await xds?.stop();
    await cp.kubectl(['delete', 'namespace', APP, '--wait=false'], { check: false });
    await cp.kubectl(['delete', 'node', NODE, '--wait=false'], { check: false });
  });

  it('refuses a server that is not the identity the bootstrap requires: no stream, not ready, and SIGTERM exits 0 at once', async () => {
    const impostorExpected = { ...config, controlPlane: { ...config.controlPlane, serviceAccount: 'someone-else' } };
    const s = await start(impostorExpected, 'web-1');
    const failed = await s.next((l) => l.msg === 'connect_failed');
    assert.match(
      failed.error,
      /server identity \[spiffe:\/\/cluster\.local\/ns\/meshward-system\/sa\/meshward\] matches none of URI exact spiffe:\/\/cluster\.local\/ns\/meshward-system\/sa\/someone-else/,
    );
    assert.equal((await s.get(s.ports.readiness, '/healthz/ready')).status, 503);
    const stopped = await s.terminate();
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 1_000, `exited after ${stopped.ms} ms`);
    assert.equal(s.lines.filter((l) => l.msg === 'connected').length, 0);
  });

  it('is not ready while the server denies it (no such pod yet), then ACKs a complete configuration and is ready', async () => {
    const s = await start(config, 'web-1');
    const begun = await s.next((l) => l.msg === 'start');
    assert.equal(begun.node_id, `sidecar~${APP}~web-1`);
    assert.deepEqual([begun.flags.service_cluster, begun.flags.drain_strategy, begun.flags.disable_hot_restart], [APP, 'immediate', true]);
    const denied = await s.next((l) => l.msg === 'disconnected' && l.code === 'PermissionDenied');
    assert.match(denied.error, /web-1/);
    const connected = s.lines.find((l) => l.msg === 'connected')!;
    assert.equal(connected.server_identity, `${TD}/ns/meshward-system/sa/meshward`);
    assert.equal(connected.host, 'localhost');
    const early = await s.get(s.ports.readiness, '/healthz/ready');
    assert.deepEqual([early.status, early.body.trim()], [503, 'not ready: waiting for cds, lds']);

    await pod('web-1', 'web', 'web', '10.244.7.10', true);
    const ready = await s.next((l) => l.msg === 'ready');
    assert.equal((await s.get(s.ports.readiness, '/healthz/ready')).status, 200);
    assert.deepEqual(Object.keys(ready.versions).sort(), ['cds', 'eds', 'lds']);
    assert.deepEqual(
      s.lines.filter((l) => l.msg === 'nack'),
      [],
    );
    for (const type of ['cds', 'eds', 'lds'])
      assert.ok(
        s.lines.some((l) => l.msg === 'ack' && l.type === type),
        `an ${type} ACK`,
      );

    // Secure naming: the meshed endpoint requires its own ServiceAccount's SPIFFE ID, the unmeshed one is plaintext.
    const cluster = `outbound|80|api.${APP}`;
    const upstream = await s.next((l) => l.msg === 'upstream' && l.cluster === cluster && l.endpoints?.length === 2);
    assert.deepEqual(
      upstream.endpoints.map((e: J) => [e.address, e.tls, e.identity]),
      [
        [`${API_IP}:8080`, 'mtls', `${TD}/ns/${APP}/sa/api`],
        [`${LEGACY_IP}:8080`, 'plaintext', undefined],
      ],
    );
    // Everything else leaves by the plaintext passthrough, the kubernetes Service included: no chain names its ClusterIP.
    const passthrough = s.lines.find((l) => l.msg === 'upstream' && l.cluster === 'outbound|passthrough')!;
    assert.deepEqual([passthrough.type, passthrough.tls], ['ORIGINAL_DST', 'plaintext']);
    const clusterIp = async (ns: string, name: string): Promise<string> =>
      JSON.parse((await cp.kubectl(['get', 'service', name, '-n', ns, '-o', 'json'])).stdout).spec.clusterIP;
    const [kubernetesIp, apiIp] = [await clusterIp('default', 'kubernetes'), await clusterIp(APP, 'api')];
    const outbound = [...s.lines].reverse().find((l) => l.msg === 'listener' && l.listener === 'outbound')!;
    const destinations = outbound.chains.flatMap((c: J) => c.match.replace(/:\d+$/, '').split(','));
    assert.ok(destinations.includes(`${apiIp}/32`), JSON.stringify(outbound.chains));
    assert.ok(!destinations.includes(`${kubernetesIp}/32`), JSON.stringify(outbound.chains));
    assert.deepEqual(outbound.chains.at(-1), {
      name: 'outbound|passthrough',
      match: '*',
      tls: 'plaintext',
      filters: ['envoy.filters.network.tcp_proxy'],
      cluster: 'outbound|passthrough',
    });

    const dump = JSON.parse((await s.get(s.ports.admin, '/config_dump')).body) as J;
    assert.equal(dump.ready, true);
    const metrics = (await s.get(s.ports.metrics, '/stats/prometheus')).body;
    assert.match(metrics, /^proxy_standin_xds_acks_total\{type="cds"\} [1-9]/m);
    assert.match(metrics, /^proxy_standin_xds_reconnects_total [1-9]/m);

    const stopped = await s.terminate();
    assert.equal(stopped.code, 0);
    assert.ok(stopped.ms < 1_000, `exited after ${stopped.ms} ms`);
    assert.deepEqual(
      s.lines.slice(-2).map((l) => l.msg),
      ['stopping', 'exit'],
    );
  });
});
