import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createRootCa, loadCa, type MeshCa } from '../../../webhook/pki/index.js';
import { CONFIG_MAPS, NAMESPACES, POD_CERTIFICATE_REQUESTS, PODS, SECRETS, SERVICE_ACCOUNTS } from '../../../webhook/kube/resources.js';
import { startSecretFallback, type SecretFallback } from '../../../webhook/identity/fallback/fallback-controller.js';
import type { IdentityLogger } from '../../../webhook/identity/serving/serving-manager.js';
import type { Secret } from '../../../webhook/kube/types.js';
import { fakeKubeApi } from '../../kube/fake-api.js';

/**
 * The cluster the fallback works on: the one fake API (test/kube/fake-api.ts: label selectors,
 * resourceVersion checked on replace, 409 on create of an existing name) and its writes in order.
 */
class FallbackCluster {
  readonly kube = fakeKubeApi();
  writes: string[] = [];
  constructor() {
    this.kube.onWrite.push((verb, r, o) =>
      this.writes.push(`${verb} ${r === SECRETS ? 'secret' : 'configmap'} ${o.metadata.namespace}/${o.metadata.name}`),
    );
  }
  namespace(name: string, labels: Record<string, string>): void {
    this.kube.put(NAMESPACES, { metadata: { name, labels } });
  }
  serviceAccount(namespace: string, name: string, uid: string): void {
    this.kube.put(SERVICE_ACCOUNTS, { metadata: { namespace, name, uid } });
  }
  pod(namespace: string, serviceAccount: string, labels: Record<string, string>): void {
    this.kube.put(PODS, { metadata: { namespace, name: `pod-${serviceAccount}`, labels }, spec: { serviceAccountName: serviceAccount } });
  }
}

function logs(): IdentityLogger & { lines: string[] } {
  const lines: string[] = [];
  const put = (obj: object, msg: string): void =>
    void lines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  return { lines, info: put, warn: put, error: put };
}

function leafOf(s: Secret | undefined): X509Certificate {
  const pem = Buffer.from(s?.data?.['credential-bundle.pem'] ?? '', 'base64').toString();
  return new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
}

describe('identity: Secret fallback controller (fake API, fake clock)', function () {
  this.timeout(20_000);
  let ca: MeshCa;
  let api: FallbackCluster;
  let t: number;
  let log: ReturnType<typeof logs>;
  const started: SecretFallback[] = [];
  before(() => {
    ca = loadCa(createRootCa({ now: new Date('2026-01-01T00:00:00Z') }));
  });
  beforeEach(() => {
    api = new FallbackCluster();
    api.namespace('shop', { 'meshward.io/inject': 'enabled' });
    api.namespace('plain', {});
    api.namespace('kube-system', { 'meshward.io/inject': 'enabled' });
    for (const [ns, name, uid] of [
      ['shop', 'default', 'u1'],
      ['shop', 'web', 'u2'],
      ['plain', 'runner', 'u3'],
      ['plain', 'idle', 'u4'],
      ['kube-system', 'x', 'u5'],
    ] as const)
      api.serviceAccount(ns, name, uid);
    api.pod('plain', 'runner', { 'meshward.io/injected': 'true' });
    api.pod('plain', 'idle', {});
    t = new Date('2026-03-01T00:00:00Z').getTime();
    log = logs();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.stop()));
  });
  function start(o: { source?: 'pod-certificate' | 'secret'; leader?: boolean; ca?: () => MeshCa | undefined } = {}): SecretFallback {
    const f = startSecretFallback({
      api: api.kube,
      configuredSource: o.source ?? 'secret',
      currentCa: o.ca ?? (() => ca),
      trustDomain: 'cluster.local',
      ttlSeconds: 3600,
      isLeader: () => o.leader ?? true,
      logger: log,
      now: () => new Date(t),
      resyncMs: 3_600_000,
    });
    started.push(f);
    return f;
  }

  it('stays off where PodCertificateRequest v1 is served (unless forced): ready says so, nothing is written', async () => {
    const f = start({ source: 'pod-certificate' });
    assert.deepEqual(await f.ready, { active: false, reason: 'pod-certificate-api-served', effectiveSource: 'pod-certificate' });
    await f.reconcileNow();
    assert.deepEqual(api.writes, []);
  });

  it('turns on by discovery when the API lacks PodCertificateRequest v1', async () => {
    api.kube.unserve(POD_CERTIFICATE_REQUESTS);
    const f = start({ source: 'pod-certificate' });
    assert.equal((await f.ready).reason, 'no-pod-certificate-api');
    await f.reconcileNow();
    assert.ok(api.writes.length > 0);
  });

  it("issues for every ServiceAccount of a meshed namespace and for injected pods' accounts elsewhere, never kube-system; then idles", async () => {
    const f = start();
    assert.deepEqual(await f.ready, { active: true, reason: 'forced-by-config', effectiveSource: 'secret' });
    await f.reconcileNow(); // after the first pass, which started with the controller
    assert.deepEqual(
      f.lastReport(),
      { created: 0, updated: 0, trustBundles: 0, failed: 0, skipped: [] },
      'the pass after the first changes nothing',
    );
    assert.deepEqual(api.writes.sort(), [
      'create configmap plain/meshward-trust-bundle',
      'create configmap shop/meshward-trust-bundle',
      'create secret plain/meshward-identity-runner',
      'create secret shop/meshward-identity-default',
      'create secret shop/meshward-identity-web',
    ]);
    assert.equal(
      leafOf(api.kube.object(SECRETS, 'shop', 'meshward-identity-web')).subjectAltName,
      'URI:spiffe://cluster.local/ns/shop/sa/web',
    );
    assert.ok(leafOf(api.kube.object(SECRETS, 'plain', 'meshward-identity-runner')).verify(ca.certificate.publicKey));
    assert.equal(api.kube.object(CONFIG_MAPS, 'shop', 'meshward-trust-bundle')!.data!['ca.crt'], ca.trustBundlePem);
    assert.ok(!log.lines.some((l) => l.includes('BEGIN PRIVATE KEY')));
  });

  it('rotates at half-life: nothing one second before, every Secret (fresh key) at it; ConfigMaps untouched', async () => {
    const f = start();
    await f.ready;
    await f.reconcileNow();
    const first = leafOf(api.kube.object(SECRETS, 'shop', 'meshward-identity-web'));
    const notBefore = new Date(first.validFrom).getTime();
    const half = notBefore + (new Date(first.validTo).getTime() - notBefore) / 2;
    api.writes = [];
    t = half - 1000;
    await f.reconcileNow();
    assert.deepEqual(api.writes, []);
    t = half;
    await f.reconcileNow();
    assert.deepEqual(api.writes.sort(), [
      'replace secret plain/meshward-identity-runner',
      'replace secret shop/meshward-identity-default',
      'replace secret shop/meshward-identity-web',
    ]);
    const second = leafOf(api.kube.object(SECRETS, 'shop', 'meshward-identity-web'));
    assert.notEqual(second.fingerprint256, first.fingerprint256);
    assert.notEqual(
      second.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
      first.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
      'a fresh key',
    );
  });

  it('leaves a same-named Secret it did not create alone and reports it', async () => {
    api.kube.put(SECRETS, {
      metadata: { name: 'meshward-identity-web', namespace: 'shop', resourceVersion: '99', labels: { app: 'legacy' } },
      data: { x: 'eA==' },
    });
    const f = start();
    await f.ready;
    await f.reconcileNow();
    assert.deepEqual(api.kube.object(SECRETS, 'shop', 'meshward-identity-web')!.data, { x: 'eA==' });
    assert.deepEqual(
      f.lastReport()!.skipped.map((s) => `${s.namespace}/${s.name}`),
      ['shop/meshward-identity-web'],
    );
    assert.ok(log.lines.some((l) => l.startsWith('Secret fallback left objects it does not manage alone')));
  });

  it('a follower writes nothing; without a CA the leader waits and writes nothing', async () => {
    const follower = start({ leader: false });
    assert.equal((await follower.ready).active, true);
    await follower.reconcileNow();
    let loaded: MeshCa | undefined;
    const leader = start({ ca: () => loaded });
    await leader.reconcileNow();
    assert.deepEqual(api.writes, []);
    assert.ok(log.lines.some((l) => l.startsWith('Secret fallback is waiting for the mesh CA')));
    loaded = ca;
    await leader.reconcileNow();
    assert.equal(api.writes.length, 5);
  });
});
