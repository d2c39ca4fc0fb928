import assert from 'node:assert/strict';
import { CLUSTER_TRUST_BUNDLES, LEASES, POD_CERTIFICATE_REQUESTS, SECRETS } from '../../webhook/kube/resources.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { decodeCaSecret } from '../../webhook/identity/ca/ca-secret.js';
import { IdentityConfigError, startIdentityControllers, type IdentityControllers } from '../../webhook/identity/index.js';
import { fingerprint } from '../../webhook/pki/index.js';
import { fakeKubeApi, type FakeKubeApi } from '../kube/fake-api.js';
import { pcrFor, testConfig } from './helpers.js';

const FAST = { identity: { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 1 } };

async function until(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('identity: startIdentityControllers (fake API)', function () {
  this.timeout(30_000);
  let api: FakeKubeApi;
  const running: IdentityControllers[] = [];
  beforeEach(() => (api = fakeKubeApi()));
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  async function start(identity: string, file: Record<string, unknown> = FAST, registry?: Registry): Promise<IdentityControllers> {
    const c = await startIdentityControllers({ config: testConfig(file), logger: pino({ level: 'silent' }), api, identity, registry });
    running.push(c);
    return c;
  }

  it('the leader creates the CA Secret, publishes its ClusterTrustBundle and issues; trustRootFingerprint is that root', async () => {
    const registry = new Registry();
    const c = await start('solo', FAST, registry);
    await c.ready;
    const st = decodeCaSecret(api.object(SECRETS, 'meshward-system', 'meshward-ca')!);
    assert.equal(c.trustRootFingerprint(), fingerprint(st.current.certPem));
    assert.equal(c.isLeader(), true);
    await until('the ClusterTrustBundle', () => api.objects(CLUSTER_TRUST_BUNDLES).length === 1);
    assert.equal(
      api.objects(CLUSTER_TRUST_BUNDLES)[0]!.metadata.name,
      `meshward.io:workload-identity:root-${fingerprint(st.current.certPem).slice(0, 16)}`,
    );
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('p1'));
    await until('Issued', () => api.object(POD_CERTIFICATE_REQUESTS, 'shop', 'p1')?.status?.conditions?.[0]?.type === 'Issued');
    assert.match(await registry.metrics(), /meshward_signer_leader 1/);
  });

  it('only the leader signs; stopping it releases the lease and the standby serves what waited meanwhile', async () => {
    const a = await start('a');
    await until('a leads', () => a.isLeader());
    const b = await start('b');
    await b.ready;
    assert.equal(b.trustRootFingerprint(), a.trustRootFingerprint(), 'every replica knows the root (the injector records it)');
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('while-a'));
    await until('a issues', () => api.object(POD_CERTIFICATE_REQUESTS, 'shop', 'while-a')?.status?.conditions?.[0]?.type === 'Issued');
    assert.equal(b.isLeader(), false);
    await a.stop();
    assert.equal(api.object(LEASES, 'meshward-system', 'meshward-signer')?.spec.holderIdentity, undefined, 'released');
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('leaderless'));
    await until('b takes over', () => b.isLeader());
    await until(
      'b issues the waiting request',
      () => api.object(POD_CERTIFICATE_REQUESTS, 'shop', 'leaderless')?.status?.conditions?.[0]?.type === 'Issued',
    );
    assert.equal(api.object(LEASES, 'meshward-system', 'meshward-signer')?.spec.holderIdentity, 'b');
  });

  it('with identity.createCa=false a missing Secret is not created; the CA is picked up once it appears', async () => {
    const c = await start('x', { identity: { ...FAST.identity, createCa: false } });
    await until('leader', () => c.isLeader());
    api.put(POD_CERTIFICATE_REQUESTS, pcrFor('early'));
    assert.equal(api.objects(SECRETS).length, 0);
    assert.equal(c.trustRootFingerprint(), undefined);
    const other = fakeKubeApi();
    await (
      await startIdentityControllers({ config: testConfig(FAST), logger: pino({ level: 'silent' }), api: other, identity: 'maker' })
    ).stop();
    await api.create(SECRETS, other.object(SECRETS, 'meshward-system', 'meshward-ca')!);
    await c.ready;
    await until('Issued', () => api.object(POD_CERTIFICATE_REQUESTS, 'shop', 'early')?.status?.conditions?.[0]?.type === 'Issued');
  });

  it('identity.enabled=false and --offline start nothing; contradictory fields are refused with every problem named', async () => {
    const off = await start('off', { identity: { enabled: false } });
    await off.ready;
    const offline = await start('offline', { kube: { offline: true } });
    await offline.ready;
    assert.equal(offline.trustRootFingerprint(), undefined);
    assert.equal(api.calls.length, 0);
    await assert.rejects(
      startIdentityControllers({
        config: testConfig({ identity: { leaseDurationSeconds: 10, renewDeadlineSeconds: 10, allowedKeyTypes: ['RSA4096'] } }),
        logger: pino({ level: 'silent' }),
        api,
      }),
      (err: Error) =>
        err instanceof IdentityConfigError &&
        /renewDeadlineSeconds \(10\) must be less than identity\.leaseDurationSeconds/.test(err.message) &&
        /must include credentials\.keyType ECDSAP256/.test(err.message),
    );
  });
});
