import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { installMeshwardCrds } from '../../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { buildConfig } from '../../webhook/config/load.js';
import { decodeCaSecret, signingCaOf } from '../../webhook/identity/ca/ca-secret.js';
import type { Secret } from '../../webhook/kube/types.js';
import { serverSpiffeId } from '../../webhook/xds/server-certificates.js';
import { podReview } from '../helpers/https-client.js';
import { ensureAdsJudge, startJudge, type Judge, type JudgeEvent } from '../xds/ads-judge.js';
import { svid, type SvidFiles } from '../xds/svids.js';
import { sharedControlPlane } from './shared-cluster.js';

// meshward as the Deployment runs it: two replicas of the release entrypoint, one leading the
// signer Lease, a proxy (go-control-plane's ADS client) on the leader's xDS port. SIGTERM to the
// leader, with the release defaults (5 s shutdown delay, 15 s lease duration): /readyz fails at
// once while admission and xDS go on; then the listener closes, the xDS stream ends (the proxy
// reconnects to the other replica), the lease is released (the other replica leads at its next
// retry, not after 15 s) and the process exits 0.

const NS = 'e2e-replicas';
const SYSTEM_NS = 'meshward-system';
const LEASE = 'e2e-replicas-signer'; // its own Lease: no other test's replica competes for it
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One request on a fresh connection (as a client that re-dials): status, or the error code when it never got an answer. */
function post(url: string, ca: string, body: string): Promise<{ status?: number; allowed?: boolean; code?: string }> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', ca, agent: false, servername: 'localhost', timeout: 5000, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode, allowed: JSON.parse(text).response?.allowed }));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ code: err.code ?? err.message }));
    req.end(body);
  });
}

/**
 * Whether the xDS port completes a mutual TLS handshake with these credentials. A replica picks up
 * a CA created after its start within a second; until then a proxy's handshake fails (and a real
 * proxy retries elsewhere), so the test waits for it before choosing where the proxy connects.
 */
function xdsHandshakes(port: number, creds: SvidFiles): Promise<boolean> {
  const tls = { cert: creds.certPem, key: creds.keyPem, ca: readFileSync(creds.ca) };
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ...tls, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined }, () => {
      resolve(socket.authorized);
      socket.destroy();
    });
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

function get(url: string, ca: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { ca, agent: false, servername: 'localhost', timeout: 2000 },
      (res) => (res.resume(), resolve(res.statusCode)),
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

describe('e2e: two replicas; SIGTERM to the leader drains it, hands over the lease and the proxies, and exits 0', function () {
  this.timeout(240_000);
  let cp: ControlPlane;
  let a: MeshwardProcess | undefined;
  let b: MeshwardProcess | undefined;
  let judge: Judge | undefined;

  const replica = (name: string): Promise<MeshwardProcess> =>
    startMeshwardProcess({ kubeconfig: cp.kubeconfigPath, env: { POD_NAME: name, MESHWARD_IDENTITY_LEASE_NAME: LEASE } });
  const lease = async (): Promise<J | undefined> => {
    const res = await cp.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NS}/leases/${LEASE}`);
    return res.status === 200 ? res.json() : undefined;
  };
  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) {
      const value = await probe();
      if (value !== undefined) return value;
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  before(async function () {
    this.timeout(600_000);
    await ensureAdsJudge();
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    await cp.ensureNamespace(SYSTEM_NS);
    await cp.ensureNamespace(NS, { 'meshward.io/inject': 'enabled' });
    await cp.kubectl(['create', 'serviceaccount', 'web', '-n', NS], { check: false });
    // The pod as the injector leaves it (no webhook is registered here: admission is posted directly).
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', labels: { app: 'web', 'meshward.io/injected': 'true' } },
      spec: {
        serviceAccountName: 'web',
        initContainers: [{ name: 'meshward-proxy', image: 'proxy:1', restartPolicy: 'Always' }],
        containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }],
      },
    };
    await cp.kubectl(['apply', '-n', NS, '-f', '-'], { input: JSON.stringify(pod) });
    a = await replica('replica-a');
    await until('replica-a to lead', async () => ((await lease())?.spec?.holderIdentity?.startsWith('replica-a_') ? true : undefined));
    b = await replica('replica-b');
  });

  after(async () => {
    await judge?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
    await cp.kubectl(['delete', 'namespace', NS, '--wait=false'], { check: false });
    await cp.kubectl(['delete', 'lease', LEASE, '-n', SYSTEM_NS, '--ignore-not-found'], { check: false });
  });

  it('fails /readyz at once, serves through the shutdown delay, then closes, hands over and exits 0', async () => {
    const leader = a!;
    const standby = b!;
    const caSecret = await until('the CA Secret', async () => {
      const res = await cp.request('GET', `/api/v1/namespaces/${SYSTEM_NS}/secrets/meshward-ca`);
      return res.status === 200 ? (res.json() as Secret) : undefined;
    });
    const creds = svid(signingCaOf(decodeCaSecret(caSecret)), NS, 'web');
    const [serverA, serverB] = [`127.0.0.1:${leader.xdsPort}`, `127.0.0.1:${standby.xdsPort}`];
    for (const r of [leader, standby])
      await until(`xDS TLS on ${r.xdsPort}`, async () => ((await xdsHandshakes(r.xdsPort!, creds)) ? true : undefined));
    judge = startJudge({
      servers: [serverA, serverB],
      cert: creds.cert,
      key: creds.key,
      ca: creds.ca,
      serverId: serverSpiffeId(buildConfig({})),
      nodeId: `sidecar~${NS}~web-1`,
      reconnect: true,
    });
    const proxy = judge;
    await proxy.next((e) => e.event === 'ack' && e.type === 'lds', 30_000);
    assert.deepEqual(
      proxy.events.filter((e) => e.event === 'connected'),
      [{ event: 'connected', server: serverA }],
      JSON.stringify(proxy.events),
    );

    const review = JSON.stringify(podReview('drain', {}, NS));
    const t: Record<string, number> = {};
    const since = (): number => Math.round(performance.now() - t0);
    const admissions: Array<{ at: number; ok: boolean; code?: string }> = [];
    const exit = new Promise<number | null>((resolve) => leader.child.once('exit', (code) => resolve(code)));
    let exited = false;
    void exit.then(() => ((t.exit = since()), (exited = true)));
    const t0 = performance.now();
    const wallT0 = Date.now();
    // Only what the proxy sees after SIGTERM: an error while it first connected is no stream ending.
    const mark = proxy.events.length;
    const seen = (name: string, predicate: (e: JudgeEvent) => boolean): void =>
      void proxy
        .next((e) => proxy.events.indexOf(e) >= mark && predicate(e), 60_000)
        .then(
          () => (t[name] ??= since()),
          () => undefined,
        );
    leader.child.kill('SIGTERM');
    seen('xdsStreamEnded', (e) => e.event === 'error' && e.server === serverA);
    seen('proxyOnReplicaB', (e) => e.event === 'connected' && e.server === serverB);
    await Promise.all([
      // /readyz
      (async () => {
        while (!exited && t.notReady === undefined) {
          if ((await get(`${leader.url}/readyz`, leader.caPem)) === 503) t.notReady = since();
          else await sleep(20);
        }
      })(),
      // admission on fresh connections, as long as the process runs
      (async () => {
        while (!exited) {
          const r = await post(`${leader.url}/validate`, leader.caPem, review);
          admissions.push({ at: since(), ok: r.status === 200 && r.allowed === true, ...(r.code ? { code: r.code } : {}) });
          await sleep(100);
        }
      })(),
      // the Lease
      (async () => {
        while (t.replicaBLeads === undefined && since() < 30_000) {
          if ((await lease())?.spec?.holderIdentity?.startsWith('replica-b_')) t.replicaBLeads = since();
          await sleep(50);
        }
      })(),
    ]);
    assert.equal(await exit, 0, readFileSync(leader.logFile, 'utf8').slice(-2000));
    await proxy.next(
      (e) => e.event === 'ack' && e.type === 'lds' && proxy.events.some((c) => c.event === 'connected' && c.server === serverB),
    );

    const answered = admissions.filter((x) => x.ok);
    const refused = admissions.filter((x) => !x.ok);
    const lastAnswered = Math.max(...answered.map((x) => x.at));
    const firstRefused = Math.min(...refused.map((x) => x.at));
    // The replica's own account of its steps, in ms after its "shutting down" line.
    const lines = readFileSync(leader.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as J);
    const signal = Date.parse(lines.find((l) => l.msg === 'shutting down')!.time);
    const shutdown = lines.filter((l) => Date.parse(l.time) >= signal && l.msg !== 'admission');
    const steps = shutdown.map((l) => `+${Date.parse(l.time) - signal} ms ${l.msg}`);
    const order = [/^draining:/, /^stopped accepting/, /^xds: streams ended/, /^released the signer lease$/, /^stopped$/];
    const logged = (step: RegExp): number => shutdown.findIndex((l) => step.test(String(l.msg)));
    assert.deepEqual(
      order.map(logged).filter((i) => i >= 0),
      order.map(logged).sort((x, y) => x - y),
      steps.join('\n'),
    );
    assert.ok(
      order.every((prefix) => logged(prefix) >= 0),
      steps.join('\n'),
    );
    // On the test's clock (ms after SIGTERM was sent), from the replica's log time.
    t.leaseReleased = Date.parse(shutdown[logged(order[3]!)]!.time) - wallT0;
    process.stdout.write(
      `      after SIGTERM (ms): /readyz 503 at ${t.notReady}; admissions answered until ${lastAnswered} (${answered.length} ok), ` +
        `first refused at ${firstRefused} (${refused.map((x) => x.code).join(',')}); xDS stream ended at ${t.xdsStreamEnded}, ` +
        `proxy on replica-b at ${t.proxyOnReplicaB}; lease released at ${t.leaseReleased}, replica-b leads at ${t.replicaBLeads}; exit 0 at ${t.exit}\n` +
        `      replica-a's log:\n${steps.map((s) => `        ${s}`).join('\n')}\n`,
    );

    assert.ok(t.notReady! < 1000, '/readyz fails at once');
    assert.ok(lastAnswered >= 4500 && refused.every((x) => x.at >= 4500), 'admission is served through the 5 s shutdown delay');
    // Refused at connect (or reset while still in the accept queue as the listener closed), never answered with an error.
    assert.ok(
      refused.every((x) => x.code === 'ECONNREFUSED' || x.code === 'ECONNRESET'),
      `then refused at connect: ${refused.map((x) => x.code).join(', ')}`,
    );
    assert.ok(t.xdsStreamEnded! >= 5000, 'xDS is served through the delay too');
    assert.ok(t.replicaBLeads! - t.leaseReleased! < 4000, 'the standby leads at its next retry (every 2 s)');
    assert.ok(t.replicaBLeads! < 15_000, 'well before the 15 s lease would have expired');
    assert.ok(t.exit! < 10_000, 'well within the 30 s grace period');
  });
});
