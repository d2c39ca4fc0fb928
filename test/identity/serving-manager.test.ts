import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fastJsonPatch from 'fast-json-patch';
import { createRootCa } from '../../webhook/pki/index.js';
import type { JsonPatchOp, ServingApi, WebhookConfigObject } from '../../webhook/identity/serving-api.js';
import { parseBundle } from '../../webhook/identity/serving-bundle.js';
import { startServingCertManager, type IdentityLogger, type ServingCertManager } from '../../webhook/identity/serving-manager.js';
import type { WebhookConfigKind } from '../../webhook/identity/serving-plan.js';
import type { SecretObject } from '../../webhook/identity/serving-secret.js';
import type { ServingSettings } from '../../webhook/identity/serving-settings.js';
import type { TlsPair } from '../../webhook/server/tls-files.js';

const DAY = 86_400_000;

class HttpError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

class Clock {
  t = new Date('2026-03-01T00:00:00Z').getTime();
  now = (): Date => new Date(this.t);
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * An in-memory API server for one Secret and the webhook configurations. JSON patches are applied
 * with fast-json-patch (so `test` operations are honoured) and writes check resourceVersion.
 * `onWrite` sees every write, to check invariants at the moment they could break.
 */
class FakeApi implements ServingApi {
  secret: SecretObject | undefined;
  configs = new Map<string, WebhookConfigObject>();
  rv = 1;
  writes: string[] = [];
  conflictNextReplace = false;
  /** Since when (fake time) each CA fingerprint has been in every webhook's caBundle. */
  readonly trustedSince = new Map<string, number>();
  readonly listeners: Array<() => void> = [];
  readonly clock: Clock;

  constructor(caBundlePem = '', clock = new Clock()) {
    this.clock = clock;
    const caBundle = caBundlePem ? Buffer.from(caBundlePem).toString('base64') : undefined;
    const cc = caBundle ? { caBundle } : {};
    this.configs.set('MutatingWebhookConfiguration/meshward-injector', { metadata: { name: 'meshward-injector', resourceVersion: String(this.rv++) }, webhooks: [{ name: 'inject.meshward.io', clientConfig: { ...cc } }, { name: 'inject-pod.meshward.io', clientConfig: { ...cc } }] });
    this.configs.set('ValidatingWebhookConfiguration/meshward-gate', { metadata: { name: 'meshward-gate', resourceVersion: String(this.rv++) }, webhooks: [{ name: 'workloads.gate.meshward.io', clientConfig: { ...cc } }] });
    this.onWrite();
  }
  onWrite(): void {
    const bundles = this.bundles();
    for (const fp of new Set(bundles.flat())) {
      if (!bundles.every((b) => b.includes(fp))) this.trustedSince.delete(fp);
      else if (!this.trustedSince.has(fp)) this.trustedSince.set(fp, this.clock.t);
    }
    for (const fp of [...this.trustedSince.keys()]) if (!bundles.every((b) => b.includes(fp))) this.trustedSince.delete(fp);
    for (const l of this.listeners) l();
  }
  async getSecret(): Promise<SecretObject | undefined> {
    return clone(this.secret);
  }
  async createSecret(secret: SecretObject): Promise<SecretObject> {
    if (this.secret) throw new HttpError(409, 'AlreadyExists');
    this.secret = { ...clone(secret), metadata: { ...secret.metadata, resourceVersion: String(this.rv++) } };
    this.writes.push('create-secret');
    this.onWrite();
    return clone(this.secret);
  }
  async replaceSecret(secret: SecretObject): Promise<SecretObject> {
    if (!this.secret) throw new HttpError(404, 'NotFound');
    if (this.conflictNextReplace || secret.metadata.resourceVersion !== this.secret.metadata.resourceVersion) {
      this.conflictNextReplace = false;
      throw new HttpError(409, 'Conflict');
    }
    this.secret = { ...clone(secret), metadata: { ...secret.metadata, resourceVersion: String(this.rv++) } };
    this.writes.push('replace-secret');
    this.onWrite();
    return clone(this.secret);
  }
  async getWebhookConfig(kind: WebhookConfigKind, name: string): Promise<WebhookConfigObject | undefined> {
    return clone(this.configs.get(`${kind}/${name}`));
  }
  async patchWebhookConfig(kind: WebhookConfigKind, name: string, ops: readonly JsonPatchOp[]): Promise<void> {
    const key = `${kind}/${name}`;
    const current = this.configs.get(key);
    if (!current) throw new HttpError(404, 'NotFound');
    let next: WebhookConfigObject;
    try {
      next = fastJsonPatch.applyPatch(clone(current), clone(ops) as fastJsonPatch.Operation[], true, false).newDocument;
    } catch (err) {
      throw new HttpError(422, (err as Error).message);
    }
    this.configs.set(key, { ...next, metadata: { ...next.metadata, resourceVersion: String(this.rv++) } });
    this.writes.push(`patch ${name}`);
    this.onWrite();
  }
  /** Every webhook's caBundle, as fingerprint lists. */
  bundles(): string[][] {
    return [...this.configs.values()].flatMap((c) =>
      (c.webhooks ?? []).map((w) => parseBundle(Buffer.from(w.clientConfig?.caBundle ?? '', 'base64').toString('utf8')).map((b) => b.fingerprint)),
    );
  }
  recreateGateWithoutCaBundle(): void {
    this.configs.set('ValidatingWebhookConfiguration/meshward-gate', { metadata: { name: 'meshward-gate', resourceVersion: String(this.rv++) }, webhooks: [{ name: 'workloads.gate.meshward.io', clientConfig: {} }] });
    this.onWrite();
  }
}

function captureLogs(): IdentityLogger & { lines: string[] } {
  const lines: string[] = [];
  const put = (obj: object, msg: string): void => void lines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
  return { lines, info: put, warn: put, error: put };
}

const settings: ServingSettings = {
  namespace: 'meshward-system',
  secretName: 'meshward-webhook-tls',
  dnsNames: ['meshward.meshward-system.svc', 'meshward.meshward-system.svc.cluster.local'],
  ipAddresses: ['127.0.0.1'],
  validityDays: 3,
  renewFraction: 2 / 3,
  propagationMs: 60_000,
  retireGraceMs: 120_000,
  webhookConfigs: [
    { kind: 'MutatingWebhookConfiguration', name: 'meshward-injector' },
    { kind: 'ValidatingWebhookConfiguration', name: 'meshward-gate' },
  ],
};

function caFingerprintOf(certPem: string, api: FakeApi): string {
  // The CA that issued the served certificate, found among the Secret's CAs.
  const leaf = new X509Certificate(certPem);
  const data = api.secret?.data ?? {};
  for (const key of ['ca.crt', 'pending-ca.crt']) {
    const [ca] = parseBundle(Buffer.from(data[key] ?? '', 'base64').toString('utf8'));
    if (ca && leaf.verify(new X509Certificate(ca.pem).publicKey)) return ca.fingerprint;
  }
  throw new Error('served certificate not issued by any CA in the Secret');
}

interface Harness {
  api: FakeApi;
  clock: Clock;
  served: TlsPair[];
  /** The issuing CA of each served certificate, in order. */
  servedCas: string[];
  logs: ReturnType<typeof captureLogs>;
  manager: ServingCertManager;
  violations: string[];
}

/**
 * A leader manager over the fake API. The safety invariant is checked at every write and every
 * hand-over to the server: whatever is being served must be trusted by every webhook's caBundle,
 * and a certificate is only served once its CA has been in every caBundle for propagationMs.
 */
function harness(opts: { api?: FakeApi; leader?: () => boolean } = {}): Harness {
  const api = opts.api ?? new FakeApi();
  const clock = api.clock;
  const served: TlsPair[] = [];
  const servedCas: string[] = [];
  const violations: string[] = [];
  api.listeners.push(() => {
    const ca = servedCas.at(-1);
    if (ca && !api.bundles().every((b) => b.includes(ca))) violations.push(`a caBundle lost the served CA ${ca.slice(0, 8)}`);
  });
  const logs = captureLogs();
  const manager = startServingCertManager({
    api,
    settings,
    isLeader: opts.leader ?? (() => true),
    logger: logs,
    now: clock.now,
    resyncMs: 3_600_000,
    onServingCert: (pair) => {
      const fp = caFingerprintOf(pair.cert, api);
      const since = api.trustedSince.get(fp);
      if (since === undefined) violations.push('served a certificate whose CA is not in every caBundle');
      else if (clock.t - since < settings.propagationMs) violations.push(`served after ${clock.t - since} ms of trust (< propagation)`);
      servedCas.push(fp);
      served.push(pair);
    },
  });
  return { api, clock, served, servedCas, logs, manager, violations };
}

function leafFingerprint(pair: TlsPair): string {
  return new X509Certificate(pair.cert).fingerprint256;
}

describe('identity: serving-certificate manager (fake API, fake clock)', function () {
  this.timeout(20_000);
  const running: ServingCertManager[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });
  function track(h: Harness): Harness {
    running.push(h.manager);
    return h;
  }

  it('first start: stages, patches every caBundle, waits for propagation, then serves; ready resolves with that pair', async () => {
    const h = track(harness());
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 0, 'nothing served before the propagation delay');
    assert.equal(h.manager.phase(), 'propagate');
    assert.deepEqual(h.api.writes, ['create-secret', 'patch meshward-injector', 'patch meshward-gate', 'replace-secret']);
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    const pair = await h.manager.ready;
    assert.equal(h.served.length, 1);
    assert.equal(pair, h.served[0]);
    assert.deepEqual(h.violations, []);
    const data = h.api.secret!.data!;
    assert.deepEqual(Object.keys(data).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.equal(Buffer.from(data['tls.crt']!, 'base64').toString(), pair.cert);
    assert.equal(h.api.secret!.metadata.labels?.['app.kubernetes.io/managed-by'], 'meshward');
    assert.ok(!h.logs.lines.some((l) => l.includes('PRIVATE KEY')), 'no key material in the logs');
  });

  it('takes over a caBundle it did not write: the foreign CA stays until retire-after, then only its own CA is left', async () => {
    const foreignApi = new FakeApi(createRootCa({ now: new Date() }).certPem);
    const foreignFp = foreignApi.bundles()[0]![0]!;
    const h = track(harness({ api: foreignApi }));
    await h.manager.reconcileNow();
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 1);
    assert.ok(h.api.bundles().every((b) => b.length === 2 && b[0] === foreignFp), 'foreign CA kept during the grace period');
    assert.equal(h.manager.phase(), 'retire-wait');
    h.clock.advance(settings.retireGraceMs);
    await h.manager.reconcileNow();
    const own = caFingerprintOf(h.served[0]!.cert, h.api);
    assert.ok(h.api.bundles().every((b) => b.length === 1 && b[0] === own));
    assert.equal(h.manager.phase(), 'steady');
    assert.deepEqual(h.violations, []);
  });

  it('two rotateNow() rotations and one renewal at 2/3 of the lifetime: a new certificate and CA each time, never an untrusted one', async () => {
    const h = track(harness());
    await h.manager.reconcileNow();
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    for (let i = 0; i < 2; i++) {
      const rotated = h.manager.rotateNow();
      await h.manager.reconcileNow();
      assert.equal(h.manager.phase(), 'propagate');
      h.clock.advance(settings.propagationMs);
      await h.manager.reconcileNow();
      await rotated;
      h.clock.advance(settings.retireGraceMs);
      await h.manager.reconcileNow();
      assert.equal(h.manager.phase(), 'steady');
    }
    assert.equal(h.served.length, 3);
    // Renewal by time: just before 2/3 nothing happens; at 2/3 a rotation starts.
    const leaf = new X509Certificate(h.served[2]!.cert);
    const nb = new Date(leaf.validFrom).getTime();
    const due = nb + Math.floor(((new Date(leaf.validTo).getTime() - nb) * 2) / 3);
    h.clock.t = due - 1;
    await h.manager.reconcileNow();
    assert.equal(h.manager.phase(), 'steady');
    h.clock.t = due;
    await h.manager.reconcileNow();
    assert.equal(h.manager.phase(), 'propagate');
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 4);
    assert.equal(new Set(h.served.map(leafFingerprint)).size, 4);
    assert.equal(new Set(h.servedCas).size, 4, 'each rotation brought its own CA');
    assert.deepEqual(h.violations, []);
    assert.ok(due - nb < 3 * DAY);
  });

  it('a Conflict on a Secret write is retried and the rotation still completes', async () => {
    const h = track(harness());
    await h.manager.reconcileNow();
    h.clock.advance(settings.propagationMs);
    h.api.conflictNextReplace = true;
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 0, 'the promote write failed');
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 1);
    assert.ok(h.logs.lines.some((l) => l.startsWith('serving certificate reconcile failed; retrying') && l.includes('"consecutive":1')));
    assert.deepEqual(h.violations, []);
  });

  it('a re-applied configuration (caBundle wiped) is repaired, and the wait restarts before serving', async () => {
    const h = track(harness());
    await h.manager.reconcileNow();
    h.clock.advance(settings.propagationMs - 1000);
    h.api.recreateGateWithoutCaBundle();
    await h.manager.reconcileNow();
    h.clock.advance(1000);
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 0, 'the restarted wait has not elapsed');
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 1);
    assert.deepEqual(h.violations, []);
  });

  it('leader change mid-rotation: the new leader finishes the staged certificate instead of issuing another', async () => {
    const api = new FakeApi();
    const clock = api.clock;
    const a = harness({ api });
    await a.manager.reconcileNow();
    const staged = Buffer.from(api.secret!.data!['pending.crt']!, 'base64').toString();
    await a.manager.stop();
    const b = track(harness({ api }));
    clock.advance(settings.propagationMs);
    await b.manager.reconcileNow();
    assert.equal(b.served.length, 1);
    assert.equal(new X509Certificate(b.served[0]!.cert).fingerprint256, new X509Certificate(staged).fingerprint256);
    assert.deepEqual(b.violations, []);
  });

  it('a follower never writes, serves what the leader put in the Secret, and refuses rotateNow', async () => {
    const api = new FakeApi();
    const clock = api.clock;
    const leader = track(harness({ api }));
    const follower = track(harness({ api, leader: () => false }));
    await follower.manager.reconcileNow();
    assert.equal(follower.served.length, 0);
    await leader.manager.reconcileNow();
    clock.advance(settings.propagationMs);
    await leader.manager.reconcileNow();
    const writes = api.writes.length;
    await follower.manager.reconcileNow();
    assert.equal(api.writes.length, writes, 'the follower wrote nothing');
    assert.equal(follower.manager.phase(), 'follower');
    assert.equal(leafFingerprint(await follower.manager.ready), leafFingerprint(leader.served[0]!));
    await assert.rejects(follower.manager.rotateNow(), /not the leader/);
  });

  it('stop() rejects a pending rotateNow and a never-resolved ready', async () => {
    const h = harness();
    const rotation = h.manager.rotateNow();
    await h.manager.stop();
    await assert.rejects(rotation, /stopped/);
    await assert.rejects(h.manager.ready, /stopped before a certificate/);
  });
});
