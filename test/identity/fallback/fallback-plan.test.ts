import assert from 'node:assert/strict';
import { createRootCa, issueSvid, loadCa, generateKeyPairFor, type MeshCa } from '../../../webhook/pki/index.js';
import { decideFallback } from '../../../webhook/identity/fallback/fallback-decision.js';
import {
  identitySecretBody,
  identitySecretName,
  readIdentitySecret,
  readTrustConfigMap,
  refreshAt,
  trustConfigMapBody,
  type ServiceAccountRef,
} from '../../../webhook/identity/fallback/fallback-objects.js';
import { planFallback, type FallbackObservation } from '../../../webhook/identity/fallback/fallback-plan.js';
import type { Secret } from '../../../webhook/kube/types.js';
import { listsResource } from '../../../webhook/kube/discovery.js';

const HOUR = 3_600_000;
const T0 = new Date('2026-03-01T00:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

function sa(namespace: string, name: string): ServiceAccountRef {
  return { namespace, name, uid: `uid-${namespace}-${name}` };
}

/** An identity Secret as the controller writes it, issued at `issuedAt` by `ca` for `account`. */
function issued(ca: MeshCa, account: ServiceAccountRef, issuedAt: Date, trustDomain = 'cluster.local', ttlSeconds = 4 * 3600): Secret {
  const { publicKey, privateKey } = generateKeyPairFor('ECDSAP256');
  const svid = issueSvid({
    ca,
    subjectPublicKey: publicKey,
    trustDomain,
    namespace: account.namespace,
    serviceAccount: account.name,
    ttlSeconds,
    now: issuedAt,
  });
  const body = identitySecretBody(account, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() + svid.certificateChainPem, svid);
  return { ...body, metadata: { ...body.metadata, resourceVersion: '7' } };
}

describe('identity: Secret fallback planner and objects (pure)', function () {
  this.timeout(20_000);
  let ca: MeshCa;
  let otherCa: MeshCa;
  before(() => {
    ca = loadCa(createRootCa({ now: at(-24 * HOUR) }));
    otherCa = loadCa(createRootCa({ now: at(-24 * HOUR) }));
  });

  function observation(o: Partial<FallbackObservation>): FallbackObservation {
    return {
      meshedNamespaces: [],
      serviceAccounts: [],
      secrets: [],
      configMaps: [],
      trustBundlePem: ca.trustBundlePem,
      trustDomain: 'cluster.local',
      now: T0,
      ...o,
    };
  }

  it('discovery: forced by config, or on when PodCertificateRequest v1 is not served, else off', () => {
    assert.deepEqual(decideFallback('secret', true), { active: true, reason: 'forced-by-config', effectiveSource: 'secret' });
    assert.deepEqual(decideFallback('pod-certificate', false), {
      active: true,
      reason: 'no-pod-certificate-api',
      effectiveSource: 'secret',
    });
    assert.deepEqual(decideFallback('pod-certificate', true), {
      active: false,
      reason: 'pod-certificate-api-served',
      effectiveSource: 'pod-certificate',
    });
    assert.equal(
      listsResource(
        {
          resources: [
            { name: 'certificatesigningrequests' },
            { name: 'podcertificaterequests' },
            { name: 'podcertificaterequests/status' },
          ],
        },
        'podcertificaterequests',
      ),
      true,
    );
    assert.equal(
      listsResource({ resources: [{ name: 'certificatesigningrequests' }, { name: 'clustertrustbundles' }] }, 'podcertificaterequests'),
      false,
    );
    assert.equal(listsResource(undefined, 'podcertificaterequests'), false);
  });

  it('a newly meshed namespace: a Secret per ServiceAccount and one trust ConfigMap', () => {
    const plan = planFallback(observation({ meshedNamespaces: ['shop'], serviceAccounts: [sa('shop', 'default'), sa('shop', 'web')] }));
    assert.deepEqual(plan.actions, [
      { type: 'issue-secret', serviceAccount: sa('shop', 'default'), reason: 'no identity Secret yet' },
      { type: 'issue-secret', serviceAccount: sa('shop', 'web'), reason: 'no identity Secret yet' },
      { type: 'write-trust-bundle', namespace: 'shop', reason: 'no trust bundle ConfigMap yet' },
    ]);
    assert.deepEqual(plan.skipped, []);
  });

  it("an injected pod's ServiceAccount outside meshed namespaces also gets a Secret and its namespace a ConfigMap", () => {
    const plan = planFallback(observation({ meshedNamespaces: [], serviceAccounts: [sa('batch', 'runner')] }));
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ['issue-secret', 'write-trust-bundle'],
    );
    assert.equal(plan.actions[1]!.type === 'write-trust-bundle' && plan.actions[1]!.namespace, 'batch');
  });

  it('a good Secret is left alone until half-life, re-issued at half-life, and the earliest half-life is reported', () => {
    const web = sa('shop', 'web');
    const state = readIdentitySecret(issued(ca, web, T0), ca.certificate);
    assert.ok(state.leaf && state.managed, state.problem);
    const half = refreshAt(state.leaf.notBefore, state.leaf.notAfter);
    const cms = [readTrustConfigMap(trustConfigMapBody('shop', ca.trustBundlePem, '3'))];
    const before = planFallback(
      observation({
        meshedNamespaces: ['shop'],
        serviceAccounts: [web],
        secrets: [state],
        configMaps: cms,
        now: new Date(half.getTime() - 1),
      }),
    );
    assert.deepEqual(before.actions, []);
    assert.deepEqual(before.nextRefreshAt, half);
    const due = planFallback(
      observation({ meshedNamespaces: ['shop'], serviceAccounts: [web], secrets: [state], configMaps: cms, now: half }),
    );
    assert.deepEqual(due.actions, [
      { type: 'issue-secret', serviceAccount: web, resourceVersion: '7', reason: `half-life reached at ${half.toISOString()}` },
    ]);
    assert.equal(half.getTime() - state.leaf.notBefore.getTime(), (state.leaf.notAfter.getTime() - state.leaf.notBefore.getTime()) / 2);
  });

  it('re-issues when the CA changed, the trust domain changed, or the bundle is broken; never with key text in the reason', () => {
    const web = sa('shop', 'web');
    const foreign = readIdentitySecret(issued(otherCa, web, T0), ca.certificate);
    assert.equal(foreign.problem, 'the certificate was not issued by the current mesh CA');
    const wrongTd = readIdentitySecret(issued(ca, web, T0, 'old.example'), ca.certificate);
    const plan = planFallback(observation({ serviceAccounts: [web], secrets: [wrongTd], now: at(HOUR) }));
    assert.equal(
      (plan.actions[0] as { reason: string }).reason,
      'SPIFFE ID is spiffe://old.example/ns/shop/sa/web, want spiffe://cluster.local/ns/shop/sa/web',
    );
    const good = issued(ca, web, T0);
    const keyOnly = Buffer.from(good.data!['credential-bundle.pem']!, 'base64').toString().split('-----BEGIN CERTIFICATE-----')[0]!;
    const certFirst = Buffer.from(good.data!['credential-bundle.pem']!, 'base64').toString().replace(keyOnly, '') + keyOnly;
    const broken = readIdentitySecret(
      { ...good, data: { 'credential-bundle.pem': Buffer.from(certFirst).toString('base64') } },
      ca.certificate,
    );
    assert.equal(broken.problem, 'the bundle is not a PKCS#8 PRIVATE KEY followed by certificates');
    const other = issued(ca, web, T0);
    const swappedKey = Buffer.from(other.data!['credential-bundle.pem']!, 'base64').toString().split('-----BEGIN CERTIFICATE-----')[0]!;
    const mismatch = readIdentitySecret(
      { ...good, data: { 'credential-bundle.pem': Buffer.from(swappedKey + certFirst.replace(keyOnly, '')).toString('base64') } },
      ca.certificate,
    );
    assert.equal(mismatch.problem, 'the private key does not match the certificate');
    for (const s of [foreign, broken, mismatch]) {
      const p = planFallback(observation({ serviceAccounts: [web], secrets: [s] }));
      assert.equal(p.actions[0]!.type, 'issue-secret');
      assert.doesNotMatch(JSON.stringify(p), /-----BEGIN|[A-Za-z0-9+/]{64}/);
    }
  });

  it('never writes over what it did not create: an unlabelled Secret or ConfigMap is reported as skipped', () => {
    const web = sa('shop', 'web');
    const mine = issued(ca, web, T0);
    const theirs: Secret = { ...mine, metadata: { ...mine.metadata, labels: { app: 'legacy' } } };
    const cm = trustConfigMapBody('shop', otherCa.trustBundlePem, '4');
    const theirCm = { ...cm, metadata: { ...cm.metadata, labels: {} } };
    const plan = planFallback(
      observation({
        meshedNamespaces: ['shop'],
        serviceAccounts: [web],
        secrets: [readIdentitySecret(theirs, ca.certificate)],
        configMaps: [readTrustConfigMap(theirCm)],
      }),
    );
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(
      plan.skipped.map((s) => `${s.namespace}/${s.name}`),
      ['shop/meshward-identity-web', 'shop/meshward-trust-bundle'],
    );
  });

  it('updates a managed ConfigMap when the mesh roots change (order alone is not a change)', () => {
    const both = ca.trustBundlePem + otherCa.trustBundlePem;
    const cm = readTrustConfigMap(trustConfigMapBody('shop', both, '5'));
    const same = planFallback(
      observation({ meshedNamespaces: ['shop'], configMaps: [cm], trustBundlePem: otherCa.trustBundlePem + ca.trustBundlePem }),
    );
    assert.deepEqual(same.actions, []);
    const changed = planFallback(observation({ meshedNamespaces: ['shop'], configMaps: [cm] }));
    assert.deepEqual(changed.actions, [
      { type: 'write-trust-bundle', namespace: 'shop', resourceVersion: '5', reason: 'the mesh roots changed' },
    ]);
  });

  it('a ServiceAccount name too long for meshward-identity-<sa> is skipped with the reason', () => {
    const long = 'a'.repeat(240);
    assert.equal(identitySecretName(long), undefined);
    const plan = planFallback(observation({ serviceAccounts: [sa('shop', long)] }));
    assert.deepEqual(
      plan.actions.map((a) => a.type),
      ['write-trust-bundle'],
    );
    assert.match(plan.skipped[0]!.reason, /would exceed 253 characters/);
  });

  it('the Secret: Opaque, one credential-bundle.pem (PKCS#8 key, then the chain), owned by the ServiceAccount, annotated', () => {
    const web = sa('shop', 'web');
    const s = issued(ca, web, T0);
    assert.equal(s.type, 'Opaque');
    assert.deepEqual(Object.keys(s.data!), ['credential-bundle.pem']);
    const pem = Buffer.from(s.data!['credential-bundle.pem']!, 'base64').toString();
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----/);
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'web', uid: 'uid-shop-web' }]);
    assert.equal(s.metadata.labels!['app.kubernetes.io/managed-by'], 'meshward');
    const a = s.metadata.annotations!;
    assert.equal(a['meshward.io/spiffe-id'], 'spiffe://cluster.local/ns/shop/sa/web');
    const state = readIdentitySecret(s, ca.certificate);
    assert.equal(a['meshward.io/fingerprint'], state.leaf!.fingerprint);
    assert.equal(a['meshward.io/expiry'], state.leaf!.notAfter.toISOString());
    assert.equal(a['meshward.io/refresh-at'], refreshAt(state.leaf!.notBefore, state.leaf!.notAfter).toISOString());
  });
});
