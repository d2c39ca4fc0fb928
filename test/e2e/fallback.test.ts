import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import type { FallbackApi } from '../../webhook/identity/fallback/fallback-reads.js';
import { startSecretFallback, type SecretFallback } from '../../webhook/identity/fallback/fallback-controller.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { NAMESPACES, POD_CERTIFICATE_REQUESTS, PODS } from '../../webhook/kube/resources.js';
import type { IdentityLogger } from '../../webhook/identity/serving/serving-manager.js';
import { loadKubeConfig } from '../../webhook/kube/kube-client.js';
import { createRootCa, loadCa, type MeshCa } from '../../webhook/pki/index.js';
import { openssl, opensslVerify, scratch, x509Text, type Scratch } from '../pki/openssl-helpers.js';
import { sharedControlPlane } from './shared-cluster.js';

// The Secret fallback against the real API server (and the real garbage collector).
const NS = 'e2e-fallback';
const PLAIN = 'e2e-fallback-plain';
const TTL_SECONDS = 7200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, get: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

interface Bundle {
  readonly keyPem: string;
  readonly leafPem: string;
  readonly annotations: Record<string, string>;
  readonly resourceVersion: string;
  readonly ownerUid: string;
}

describe('e2e: Secret fallback for workload credentials', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let api: FallbackApi;
  let ca: MeshCa;
  let s: Scratch;
  let offsetMs = 0;
  const now = (): Date => new Date(Date.now() + offsetMs);
  let fallback: SecretFallback | undefined;
  const logLines: string[] = [];
  const put = (obj: object, msg: string): void =>
    void logLines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  const logger: IdentityLogger = { info: put, warn: put, error: put };

  const getJson = async (args: string[]): Promise<any | undefined> => {
    const res = await cp.kubectl([...args, '-o', 'json'], { check: false });
    return res.code === 0 ? JSON.parse(res.stdout) : undefined;
  };
  const bundle = async (namespace: string, sa: string): Promise<Bundle | undefined> => {
    const secret = await getJson(['get', 'secret', '-n', namespace, `meshward-identity-${sa}`]);
    if (!secret) return undefined;
    const pem = Buffer.from(secret.data['credential-bundle.pem'], 'base64').toString();
    const cut = pem.indexOf('-----BEGIN CERTIFICATE-----');
    return {
      keyPem: pem.slice(0, cut),
      leafPem: pem.slice(cut),
      annotations: secret.metadata.annotations,
      resourceVersion: secret.metadata.resourceVersion,
      ownerUid: secret.metadata.ownerReferences?.[0]?.uid,
    };
  };

  before(async () => {
    cp = await sharedControlPlane();
    s = scratch('meshward-fallback-e2e-');
    ca = loadCa(createRootCa({ now: new Date(), trustDomain: 'cluster.local' }));
    const real = kubeApi(loadKubeConfig(cp.kubeconfigPath));
    // The control plane is shared with other test files: only this file's namespaces are in scope.
    api = {
      ...real,
      list: async (r, options) => {
        const out = await real.list(r, options);
        if (r === NAMESPACES) return { ...out, items: out.items.filter((n) => n.metadata.name === NS) };
        if (r === PODS) return { ...out, items: out.items.filter((p) => p.metadata.namespace === PLAIN) };
        return out;
      },
    };
    await cp.ensureNamespace(PLAIN);
    await cp.kubectl(['create', 'serviceaccount', 'runner', '-n', PLAIN]);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'batch', namespace: PLAIN, labels: { 'meshward.io/injected': 'true' } },
      spec: { serviceAccountName: 'runner', containers: [{ name: 'app', image: 'app:1' }] },
    };
    await cp.kubectl(['create', '-f', '-'], { input: pod });
  });

  after(async () => {
    await fallback?.stop();
    await cp.kubectl(['delete', 'namespace', NS, PLAIN, '--ignore-not-found', '--wait=false'], { check: false });
    s?.cleanup();
  });

  it('API discovery on Kubernetes 1.37 finds PodCertificateRequest v1, so the fallback stays off unless forced', async () => {
    assert.equal(await api.serves(POD_CERTIFICATE_REQUESTS), true);
    const off = startSecretFallback({
      api,
      configuredSource: 'pod-certificate',
      currentCa: () => ca,
      trustDomain: 'cluster.local',
      ttlSeconds: TTL_SECONDS,
      isLeader: () => true,
      logger,
    });
    assert.deepEqual(await off.ready, { active: false, reason: 'pod-certificate-api-served', effectiveSource: 'pod-certificate' });
    await off.stop();
  });

  it('labelling a namespace makes a valid SVID Secret per ServiceAccount and the trust ConfigMap appear; an injected pod elsewhere gets one too', async () => {
    fallback = startSecretFallback({
      api,
      configuredSource: 'secret',
      currentCa: () => ca,
      trustDomain: 'cluster.local',
      ttlSeconds: TTL_SECONDS,
      isLeader: () => true,
      logger,
      now,
      resyncMs: 500,
    });
    assert.equal((await fallback.ready).reason, 'forced-by-config');
    await cp.ensureNamespace(NS, { 'meshward.io/inject': 'enabled' });
    await cp.kubectl(['create', 'serviceaccount', 'web', '-n', NS]);
    await cp.kubectl(['create', 'serviceaccount', 'legacy', '-n', NS]);
    await cp.kubectl(['create', 'secret', 'generic', 'meshward-identity-legacy', '-n', NS, '--from-literal=owner=someone-else']);
    for (const [namespace, sa] of [
      [NS, 'default'],
      [NS, 'web'],
      [PLAIN, 'runner'],
    ] as const) {
      const b = await waitFor(`Secret ${namespace}/meshward-identity-${sa}`, () => bundle(namespace, sa));
      const v = opensslVerify(s, { root: ca.trustBundlePem, leaf: b.leafPem, purpose: 'sslclient' });
      assert.ok(v.ok, v.output);
      assert.ok(opensslVerify(s, { root: ca.trustBundlePem, leaf: b.leafPem, purpose: 'sslserver' }).ok);
      assert.match(x509Text(b.leafPem), new RegExp(`URI:spiffe://cluster\\.local/ns/${namespace}/sa/${sa}\\b`));
      assert.equal(
        openssl(['pkey', '-pubout'], b.keyPem),
        openssl(['x509', '-noout', '-pubkey'], b.leafPem),
        'the key matches the certificate',
      );
      assert.match(b.keyPem, /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(new X509Certificate(b.leafPem).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.equal(b.annotations['meshward.io/spiffe-id'], `spiffe://cluster.local/ns/${namespace}/sa/${sa}`);
      assert.equal(b.annotations['meshward.io/expiry'], new Date(new X509Certificate(b.leafPem).validTo).toISOString());
      const saUid = (await getJson(['get', 'serviceaccount', sa, '-n', namespace])).metadata.uid;
      assert.equal(b.ownerUid, saUid, 'owned by its ServiceAccount');
      const cm = await waitFor(`ConfigMap ${namespace}/meshward-trust-bundle`, () =>
        getJson(['get', 'configmap', 'meshward-trust-bundle', '-n', namespace]),
      );
      assert.equal(cm.data['ca.crt'], ca.trustBundlePem);
      assert.equal(cm.metadata.labels['app.kubernetes.io/managed-by'], 'meshward');
    }
    const legacy = await getJson(['get', 'secret', 'meshward-identity-legacy', '-n', NS]);
    assert.equal(Buffer.from(legacy.data.owner, 'base64').toString(), 'someone-else', 'a Secret meshward did not create is untouched');
    assert.equal(legacy.metadata.labels, undefined);
    assert.ok(fallback.lastReport()!.skipped.some((x) => x.name === 'meshward-identity-legacy'));
    assert.ok(!logLines.some((l) => l.includes('BEGIN PRIVATE KEY')));
  });

  it('rotates at half-life (the controller clock moved forward): not before, a fresh key and certificate at it', async () => {
    const first = (await bundle(NS, 'web'))!;
    const leaf = new X509Certificate(first.leafPem);
    const nb = new Date(leaf.validFrom).getTime();
    const half = nb + (new Date(leaf.validTo).getTime() - nb) / 2;
    offsetMs = half - 60_000 - Date.now();
    await fallback!.reconcileNow();
    assert.equal((await bundle(NS, 'web'))!.resourceVersion, first.resourceVersion, 'a minute before half-life: unchanged');
    offsetMs = half + 1_000 - Date.now();
    await fallback!.reconcileNow();
    const second = await waitFor('the rotated Secret', async () => {
      const b = await bundle(NS, 'web');
      return b && b.annotations['meshward.io/fingerprint'] !== first.annotations['meshward.io/fingerprint'] ? b : undefined;
    });
    assert.notEqual(second.keyPem, first.keyPem, 'a fresh key');
    const attime = now();
    assert.ok(opensslVerify(s, { root: ca.trustBundlePem, leaf: second.leafPem, attime }).ok);
    assert.ok(
      new Date(new X509Certificate(second.leafPem).validFrom).getTime() > half - 600_000,
      "issued at the controller's (moved) time",
    );
    assert.equal(
      second.annotations['meshward.io/refresh-at'],
      new Date(
        (new Date(new X509Certificate(second.leafPem).validFrom).getTime() +
          new Date(new X509Certificate(second.leafPem).validTo).getTime()) /
          2,
      ).toISOString(),
    );
  });

  it('deletes nothing itself: un-labelling keeps the Secrets; deleting a ServiceAccount lets the garbage collector remove its Secret', async () => {
    await cp.kubectl(['label', 'namespace', NS, 'meshward.io/inject-']);
    await fallback!.reconcileNow();
    assert.ok(await bundle(NS, 'default'), 'still there after un-labelling');
    await cp.kubectl(['delete', 'serviceaccount', 'web', '-n', NS]);
    await waitFor(
      'the garbage collector to delete meshward-identity-web',
      async () => ((await bundle(NS, 'web')) ? undefined : true),
      60_000,
    );
    assert.ok(await bundle(NS, 'default'));
  });
});
