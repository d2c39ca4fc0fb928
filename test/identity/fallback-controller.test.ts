import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createRootCa, loadCa, type MeshCa } from '../../webhook/pki/index.js';
import type { FallbackApi, PodServiceAccount } from '../../webhook/identity/fallback-api.js';
import { startSecretFallback, type SecretFallback } from '../../webhook/identity/fallback-controller.js';
import type { ConfigMapObject, ServiceAccountRef } from '../../webhook/identity/fallback-objects.js';
import type { IdentityLogger } from '../../webhook/identity/serving-manager.js';
import type { SecretObject } from '../../webhook/identity/serving-secret.js';

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function matches(labels: Readonly<Record<string, string>> | undefined, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return labels?.[k!] === v;
  });
}

/** In-memory API: label selectors (k=v,...) honoured, resourceVersion checked on replace. */
class FakeFallbackApi implements FallbackApi {
  pcrServed = true;
  namespaces = new Map<string, Record<string, string>>();
  serviceAccounts: ServiceAccountRef[] = [];
  pods: Array<PodServiceAccount & { labels: Record<string, string> }> = [];
  secrets = new Map<string, SecretObject>();
  configMaps = new Map<string, ConfigMapObject>();
  writes: string[] = [];
  rv = 1;

  async podCertificateRequestsServed(): Promise<boolean> {
    return this.pcrServed;
  }
  async listNamespaceNames(selector: string): Promise<string[]> {
    return [...this.namespaces].filter(([, l]) => matches(l, selector)).map(([n]) => n);
  }
  async listServiceAccounts(namespace: string): Promise<ServiceAccountRef[]> {
    return this.serviceAccounts.filter((s) => s.namespace === namespace);
  }
  async getServiceAccount(namespace: string, name: string): Promise<ServiceAccountRef | undefined> {
    return this.serviceAccounts.find((s) => s.namespace === namespace && s.name === name);
  }
  async listPodServiceAccounts(selector: string): Promise<PodServiceAccount[]> {
    return this.pods.filter((p) => matches(p.labels, selector));
  }
  async listSecrets(selector: string): Promise<SecretObject[]> {
    return [...this.secrets.values()].filter((s) => matches(s.metadata.labels, selector)).map((s) => structuredClone(s));
  }
  async listConfigMaps(selector: string): Promise<ConfigMapObject[]> {
    return [...this.configMaps.values()].filter((c) => matches(c.metadata.labels, selector)).map((c) => structuredClone(c));
  }
  private put<T extends { metadata: { namespace?: string; name: string; resourceVersion?: string } }>(store: Map<string, T>, obj: T, create: boolean, what: string): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const existing = store.get(key);
    if (create && existing) throw new HttpError(409, 'AlreadyExists');
    if (!create && (!existing || existing.metadata.resourceVersion !== obj.metadata.resourceVersion)) throw new HttpError(409, 'Conflict');
    store.set(key, { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(this.rv++) } });
    this.writes.push(`${create ? 'create' : 'replace'} ${what} ${key}`);
  }
  async createSecret(s: SecretObject): Promise<void> {
    this.put(this.secrets, s, true, 'secret');
  }
  async replaceSecret(s: SecretObject): Promise<void> {
    this.put(this.secrets, s, false, 'secret');
  }
  async createConfigMap(c: ConfigMapObject): Promise<void> {
    this.put(this.configMaps, c, true, 'configmap');
  }
  async replaceConfigMap(c: ConfigMapObject): Promise<void> {
    this.put(this.configMaps, c, false, 'configmap');
  }
}

function logs(): IdentityLogger & { lines: string[] } {
  const lines: string[] = [];
  const put = (obj: object, msg: string): void => void lines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  return { lines, info: put, warn: put, error: put };
}

function leafOf(s: SecretObject | undefined): X509Certificate {
  const pem = Buffer.from(s?.data?.['credential-bundle.pem'] ?? '', 'base64').toString();
  return new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
}

describe('identity: Secret fallback controller (fake API, fake clock)', function () {
  this.timeout(20_000);
  let ca: MeshCa;
  let api: FakeFallbackApi;
  let t: number;
  let log: ReturnType<typeof logs>;
  const started: SecretFallback[] = [];
  before(() => {
    ca = loadCa(createRootCa({ now: new Date('2026-01-01T00:00:00Z') }));
  });
  beforeEach(() => {
    api = new FakeFallbackApi();
    api.namespaces.set('shop', { 'meshward.io/inject': 'enabled' });
    api.namespaces.set('plain', {});
    api.namespaces.set('kube-system', { 'meshward.io/inject': 'enabled' });
    api.serviceAccounts.push({ namespace: 'shop', name: 'default', uid: 'u1' }, { namespace: 'shop', name: 'web', uid: 'u2' }, { namespace: 'plain', name: 'runner', uid: 'u3' }, { namespace: 'plain', name: 'idle', uid: 'u4' }, { namespace: 'kube-system', name: 'x', uid: 'u5' });
    api.pods.push({ namespace: 'plain', serviceAccount: 'runner', labels: { 'meshward.io/injected': 'true' } }, { namespace: 'plain', serviceAccount: 'idle', labels: {} });
    t = new Date('2026-03-01T00:00:00Z').getTime();
    log = logs();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((f) => f.stop()));
  });
  function start(o: { source?: 'pod-certificate' | 'secret'; leader?: boolean; ca?: () => MeshCa | undefined } = {}): SecretFallback {
    const f = startSecretFallback({
      api,
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
    api.pcrServed = false;
    const f = start({ source: 'pod-certificate' });
    assert.equal((await f.ready).reason, 'no-pod-certificate-api');
    await f.reconcileNow();
    assert.ok(api.writes.length > 0);
  });

  it('issues for every ServiceAccount of a meshed namespace and for injected pods\' accounts elsewhere, never kube-system; then idles', async () => {
    const f = start();
    assert.deepEqual(await f.ready, { active: true, reason: 'forced-by-config', effectiveSource: 'secret' });
    await f.reconcileNow(); // after the first pass, which started with the controller
    assert.deepEqual(f.lastReport(), { created: 0, updated: 0, trustBundles: 0, failed: 0, skipped: [] }, 'the pass after the first changes nothing');
    assert.deepEqual(api.writes.sort(), [
      'create configmap plain/meshward-trust-bundle',
      'create configmap shop/meshward-trust-bundle',
      'create secret plain/meshward-identity-runner',
      'create secret shop/meshward-identity-default',
      'create secret shop/meshward-identity-web',
    ]);
    assert.equal(leafOf(api.secrets.get('shop/meshward-identity-web')).subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
    assert.ok(leafOf(api.secrets.get('plain/meshward-identity-runner')).verify(ca.certificate.publicKey));
    assert.equal(api.configMaps.get('shop/meshward-trust-bundle')!.data!['ca.crt'], ca.trustBundlePem);
    assert.ok(!log.lines.some((l) => l.includes('BEGIN PRIVATE KEY')));
  });

  it('rotates at half-life: nothing one second before, every Secret (fresh key) at it; ConfigMaps untouched', async () => {
    const f = start();
    await f.ready;
    await f.reconcileNow();
    const first = leafOf(api.secrets.get('shop/meshward-identity-web'));
    const notBefore = new Date(first.validFrom).getTime();
    const half = notBefore + (new Date(first.validTo).getTime() - notBefore) / 2;
    api.writes = [];
    t = half - 1000;
    await f.reconcileNow();
    assert.deepEqual(api.writes, []);
    t = half;
    await f.reconcileNow();
    assert.deepEqual(api.writes.sort(), ['replace secret plain/meshward-identity-runner', 'replace secret shop/meshward-identity-default', 'replace secret shop/meshward-identity-web']);
    const second = leafOf(api.secrets.get('shop/meshward-identity-web'));
    assert.notEqual(second.fingerprint256, first.fingerprint256);
    assert.notEqual(second.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), first.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'), 'a fresh key');
  });

  it('leaves a same-named Secret it did not create alone and reports it', async () => {
    api.secrets.set('shop/meshward-identity-web', { metadata: { name: 'meshward-identity-web', namespace: 'shop', resourceVersion: '99', labels: { app: 'legacy' } }, data: { x: 'eA==' } });
    const f = start();
    await f.ready;
    await f.reconcileNow();
    assert.deepEqual(api.secrets.get('shop/meshward-identity-web')!.data, { x: 'eA==' });
    assert.deepEqual(f.lastReport()!.skipped.map((s) => `${s.namespace}/${s.name}`), ['shop/meshward-identity-web']);
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
