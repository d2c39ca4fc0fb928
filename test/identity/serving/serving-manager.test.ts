import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createRootCa } from '../../../webhook/pki/index.js';
import { KubeApiError } from '../../../webhook/kube/errors.js';
import { MUTATING_WEBHOOK_CONFIGURATIONS, SECRETS, VALIDATING_WEBHOOK_CONFIGURATIONS } from '../../../webhook/kube/resources.js';
import type { Secret } from '../../../webhook/kube/types.js';
import { parseBundle } from '../../../webhook/pki/cert-bundle.js';
import {
  startServingCertManager,
  type IdentityLogger,
  type ServingCertManager,
} from '../../../webhook/identity/serving/serving-manager.js';
import type { ServingSettings } from '../../../webhook/identity/serving/serving-settings.js';
import type { TlsPair } from '../../../webhook/server/tls-files.js';
import { fakeKubeApi } from '../../kube/fake-api.js';

const DAY = 86_400_000;

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

const SECRET_REF = { namespace: 'meshward-system', name: 'meshward-webhook-tls' };

/**
 * The cluster the manager works on: the one fake API (test/kube/fake-api.ts: JSON patches with
 * `test` operations honoured, resourceVersion checked on every write) holding the Secret and the
 * webhook configurations. `listeners` see every write, to check invariants at the moment they
 * could break; `writes` names them in order.
 */
class ServingCluster {
  readonly kube = fakeKubeApi();
  writes: string[] = [];
  /** Since when (fake time) each CA fingerprint has been in every webhook's caBundle. */
  readonly trustedSince = new Map<string, number>();
  readonly listeners: Array<() => void> = [];
  readonly clock: Clock;

  constructor(caBundlePem = '', clock = new Clock()) {
    this.clock = clock;
    const caBundle = caBundlePem ? Buffer.from(caBundlePem).toString('base64') : undefined;
    const cc = caBundle ? { caBundle } : {};
    this.kube.put(MUTATING_WEBHOOK_CONFIGURATIONS, {
      metadata: { name: 'meshward-injector' },
      webhooks: [
        { name: 'inject.meshward.io', clientConfig: { ...cc } },
        { name: 'inject-pod.meshward.io', clientConfig: { ...cc } },
      ],
    });
    this.kube.put(VALIDATING_WEBHOOK_CONFIGURATIONS, {
      metadata: { name: 'meshward-gate' },
      webhooks: [{ name: 'workloads.gate.meshward.io', clientConfig: { ...cc } }],
    });
    this.kube.onWrite.push((verb, r, object) => {
      if (r === SECRETS) this.writes.push(`${verb}-secret`);
      else this.writes.push(`${verb} ${object.metadata.name}`);
      this.onWrite();
    });
    this.onWrite();
  }
  /** The serving Secret as stored. */
  get secret(): Secret | undefined {
    return this.kube.object(SECRETS, SECRET_REF.namespace, SECRET_REF.name);
  }
  /** The next replace of the Secret fails with 409 Conflict (another writer won). */
  set conflictNextReplace(on: boolean) {
    if (on) this.kube.failNext('replace', SECRETS, new KubeApiError(409, 'Conflict', 'the object has been modified'));
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
  /** Every webhook's caBundle, as fingerprint lists. */
  bundles(): string[][] {
    return [...this.kube.objects(MUTATING_WEBHOOK_CONFIGURATIONS), ...this.kube.objects(VALIDATING_WEBHOOK_CONFIGURATIONS)].flatMap((c) =>
      (c.webhooks ?? []).map((w) =>
        parseBundle(Buffer.from(w.clientConfig?.caBundle ?? '', 'base64').toString('utf8')).map((b) => b.fingerprint),
      ),
    );
  }
  recreateGateWithoutCaBundle(): void {
    this.kube.put(VALIDATING_WEBHOOK_CONFIGURATIONS, {
      ...clone(this.kube.object(VALIDATING_WEBHOOK_CONFIGURATIONS, undefined, 'meshward-gate')!),
      webhooks: [{ name: 'workloads.gate.meshward.io', clientConfig: {} }],
    });
    this.onWrite();
  }
}

function captureLogs(): IdentityLogger & { lines: string[] } {
  const lines: string[] = [];
  const put = (obj: object, msg: string): void =>
    void lines.push(`${msg} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`);
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

function caFingerprintOf(certPem: string, api: ServingCluster): string {
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
  api: ServingCluster;
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
function harness(opts: { api?: ServingCluster; leader?: () => boolean } = {}): Harness {
  const api = opts.api ?? new ServingCluster();
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
    api: api.kube,
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
    const foreignApi = new ServingCluster(createRootCa({ now: new Date() }).certPem);
    const foreignFp = foreignApi.bundles()[0]![0]!;
    const h = track(harness({ api: foreignApi }));
    await h.manager.reconcileNow();
    h.clock.advance(settings.propagationMs);
    await h.manager.reconcileNow();
    assert.equal(h.served.length, 1);
    assert.ok(
      h.api.bundles().every((b) => b.length === 2 && b[0] === foreignFp),
      'foreign CA kept during the grace period',
    );
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
    const api = new ServingCluster();
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
    const api = new ServingCluster();
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
