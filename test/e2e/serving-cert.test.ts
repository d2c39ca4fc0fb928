import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { pino } from 'pino';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { registerMeshwardWebhooks, unregisterMeshwardWebhooks } from '../../scripts/control-plane/register-webhooks.js';
import { buildHandlers } from '../../webhook/cli/wire-handlers.js';
import { buildConfig } from '../../webhook/config/load.js';
import { parseBundle } from '../../webhook/pki/cert-bundle.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { SECRETS } from '../../webhook/kube/resources.js';
import { startServingCertManager, type IdentityLogger, type ServingCertManager } from '../../webhook/identity/serving/serving-manager.js';
import { servingSettingsFrom } from '../../webhook/identity/serving/serving-settings.js';
import { loadKubeConfig } from '../../webhook/kube/kube-client.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import type { MeshwardHandlers } from '../../webhook/server/start.js';
import type { TlsPair } from '../../webhook/server/tls-files.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { sharedControlPlane } from './shared-cluster.js';

// The real API server calls an in-process meshward whose serving certificate comes from the
// serving-certificate manager, which owns the caBundles of meshward-injector and meshward-gate.
const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const SYSTEM_NS = 'e2e-serving-system';
const TRAFFIC_NS = 'e2e-serving';
const WORKERS = 6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** sha256 fingerprint of the leaf a fresh TLS connection is served (no session reuse). */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'meshward' }, () => {
      const fp = sock.getPeerCertificate().fingerprint256;
      sock.end();
      resolve(fp);
    });
    sock.on('error', reject);
  });
}

/** A TLS client that trusts only `caPem` (the Secret's ca.crt): resolves true when the handshake verifies. */
function verifiesWith(port: number, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      sock.end();
      resolve(sock.authorized);
    });
    sock.on('error', () => resolve(false));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Admission {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly ok: boolean;
  readonly detail: string;
}

describe('e2e: self-managed serving certificate rotates under load with no failed admission', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let handlers: MeshwardHandlers;
  let server: TestServer;
  let manager: ServingCertManager | undefined;

  before(async () => {
    cp = await sharedControlPlane();
    await cp.ensureNamespace(SYSTEM_NS);
    await cp.ensureNamespace(TRAFFIC_NS, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    const handlerConfig = buildConfig({ flags: { 'self-signed': true, kubeconfig: cp.kubeconfigPath } });
    handlers = buildHandlers(handlerConfig, pino({ level: 'silent' }));
    server = await startTestServer(handlers);
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: server.url, caBundlePem: server.ca, manifests });
  });

  after(async () => {
    await manager?.stop();
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    await server?.running.stop();
    await handlers?.close?.();
    await cp.kubectl(['delete', 'secret', '-n', SYSTEM_NS, '--ignore-not-found', 'meshward-webhook-tls'], { check: false });
  });

  it('takes over the caBundles, rotates twice while dozens of admissions per second flow, and every admission is injected and allowed', async () => {
    const port = server.running.address.port;
    const settings = servingSettingsFrom(
      buildConfig({
        flags: { 'self-signed': true },
        file: {
          mesh: { namespace: SYSTEM_NS },
          serving: { extraIpAddresses: ['127.0.0.1'], propagationSeconds: 2, retireGraceSeconds: 2 },
        },
      }),
    );
    const api = kubeApi(loadKubeConfig(cp.kubeconfigPath));
    const reloads: Array<{ at: number; fingerprint: string }> = [];
    const logLines: string[] = [];
    const put = (obj: object, msg: string): void =>
      void logLines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
    const logger: IdentityLogger = { info: put, warn: put, error: put };

    // A steady stream of server-side dry-run pod creations through the real API server.
    const admissions: Admission[] = [];
    let streaming = true;
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; streaming; i++) {
        const startedAt = Date.now();
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `stream-${w}-${i}` },
          spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
        };
        const res = await cp
          .request('POST', `/api/v1/namespaces/${TRAFFIC_NS}/pods?dryRun=All`, pod)
          .catch((err: Error) => ({ status: 0, body: err.message, json: () => ({}) }));
        const injected =
          res.status === 201 &&
          (res.json() as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.['meshward.io/injected'] === 'true';
        admissions.push({
          startedAt,
          endedAt: Date.now(),
          ok: injected,
          detail: injected ? '' : `HTTP ${res.status}: ${res.body.slice(0, 300)}`,
        });
      }
    };
    // Worst case for a rotation: no keep-alive, so the API server opens a new TLS connection (and
    // meets whatever certificate is being served right then) for every single admission call.
    server.running.webhook.server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    const fp0 = await servedFingerprint(port);
    const stream = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await sleep(500);

    manager = startServingCertManager({
      api,
      settings,
      isLeader: () => true,
      logger,
      resyncMs: 1_000,
      onServingCert: (pair: TlsPair) => {
        server.running.webhook.reloadTls(pair);
        reloads.push({ at: Date.now(), fingerprint: new X509Certificate(pair.cert).fingerprint256 });
      },
    });
    const secretCa = async (): Promise<string> =>
      Buffer.from((await api.get(SECRETS, SYSTEM_NS, 'meshward-webhook-tls'))?.data?.['ca.crt'] ?? '', 'base64').toString('utf8');
    const bundles = async (): Promise<string[][]> => {
      const out: string[][] = [];
      for (const [kind, name] of [
        ['mutatingwebhookconfiguration', 'meshward-injector'],
        ['validatingwebhookconfiguration', 'meshward-gate'],
      ] as const) {
        const obj = (await cp.kubectl(['get', kind, name, '-o', 'json'])).json<{
          webhooks: Array<{ clientConfig: { caBundle?: string } }>;
        }>();
        for (const w of obj.webhooks)
          out.push(parseBundle(Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8')).map((c) => c.fingerprint));
      }
      return out;
    };
    const onlyTheSecretCa = async (): Promise<boolean> => {
      const [ca] = parseBundle(await secretCa());
      return manager!.phase() === 'steady' && !!ca && (await bundles()).every((b) => b.length === 1 && b[0] === ca.fingerprint);
    };

    const served: string[] = [fp0];
    await manager.ready;
    await waitFor('the takeover to retire the self-signed CA', onlyTheSecretCa);
    served.push(await servedFingerprint(port));
    for (let i = 0; i < 2; i++) {
      await manager.rotateNow();
      await waitFor(`rotation ${i + 1} to retire the previous CA`, onlyTheSecretCa);
      served.push(await servedFingerprint(port));
    }
    await sleep(1_000);
    streaming = false;
    await stream;

    // Every admission went through both webhooks: injected by /mutate, allowed by /validate (STRICT, fail closed).
    const failed = admissions.filter((a) => !a.ok);
    assert.deepEqual(failed.map((f) => f.detail).slice(0, 5), [], `${failed.length} of ${admissions.length} admissions failed`);
    // The certificate really changed: four different leaves (self-signed, takeover, 2 rotations), each the one the manager loaded.
    assert.equal(new Set(served).size, 4, `served fingerprints: ${served.join(' ')}`);
    assert.deepEqual(
      reloads.map((r) => r.fingerprint),
      served.slice(1),
    );
    assert.ok(await verifiesWith(port, await secretCa()), 'the served certificate verifies against the Secret ca.crt');
    // Admissions completed inside every serving period, including after the last CA retirement.
    const edges = [0, ...reloads.map((r) => r.at), Number.POSITIVE_INFINITY];
    const perPeriod = edges.slice(1).map((end, i) => admissions.filter((a) => a.startedAt >= edges[i]! && a.endedAt < end).length);
    assert.ok(
      perPeriod.every((n) => n > 0),
      `admissions per serving period: ${perPeriod.join(', ')}`,
    );
    assert.ok(!logLines.some((l) => l.includes('PRIVATE KEY')));
    process.stdout.write(`      [serving-cert] ${admissions.length} admissions, 0 failed; per serving period ${perPeriod.join(' / ')}\n`);
  });
});
