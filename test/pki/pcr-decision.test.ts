import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyType } from '../../webhook/config/types.js';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { generateKeyPairFor } from '../../webhook/pki/key-types.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';
import { decidePodCertificateRequest, type PcrDecisionOptions } from '../../webhook/pki/pcr-decision.js';
import { buildPcrStatus } from '../../webhook/pki/pcr-status.js';
import type { PodCertificateRequestLike } from '../../webhook/pki/pcr-types.js';
import { buildStubPkcs10 } from '../../webhook/pki/pkcs10-build.js';
import { openssl, scratch } from './openssl-helpers.js';
import { pcrStatusViolations } from './pcr-status-validator.js';

const ALL: readonly KeyType[] = ['ED25519', 'ECDSAP256', 'ECDSAP384', 'ECDSAP521', 'RSA3072', 'RSA4096'];

function pcr(
  stub: Buffer | string,
  over: Partial<PodCertificateRequestLike['spec']> = {},
  namespace = 'payments',
): PodCertificateRequestLike {
  return {
    metadata: { namespace, name: 'pcr-1', generation: 1 },
    spec: {
      signerName: 'meshward.io/workload-identity',
      podName: 'api-7d9f',
      podUID: '0b4c-uid',
      serviceAccountName: 'api',
      nodeName: 'node-1',
      maxExpirationSeconds: 86_400,
      stubPKCS10Request: typeof stub === 'string' ? stub : stub.toString('base64'),
      ...over,
    },
  };
}

describe('pki: decidePodCertificateRequest + buildPcrStatus', function () {
  this.timeout(60_000);
  const now = new Date();
  let ca: MeshCa;
  let opts: PcrDecisionOptions;
  const keys = new Map<KeyType, { publicKey: KeyObject; privateKey: KeyObject }>();

  before(() => {
    ca = loadCa(createIntermediateCa(loadCa(createRootCa({ now, trustDomain: 'cluster.local' })), { now }));
    opts = { ca, trustDomain: 'cluster.local', allowedKeyTypes: ALL, now };
    for (const kt of ALL) keys.set(kt, generateKeyPairFor(kt));
  });

  for (const kt of ALL) {
    it(`issues for a ${kt} stub CSR with a status the apiserver would accept`, () => {
      const k = keys.get(kt) as { publicKey: KeyObject; privateKey: KeyObject };
      const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey)), opts);
      assert.equal(d.type, 'Issued', JSON.stringify(d));
      const status = buildPcrStatus(d, now, 1);
      assert.deepEqual(
        pcrStatusViolations(status, { maxExpirationSeconds: 86_400, publicKey: k.publicKey }, new Date(now.getTime() + 30_000)),
        [],
      );
      assert.equal(status.conditions[0]?.observedGeneration, 1);
      assert.equal((status.certificateChain?.match(/BEGIN CERTIFICATE/g) ?? []).length, 2, 'leaf + intermediate');
      assert.equal(d.type === 'Issued' && d.spiffeId, 'spiffe://cluster.local/ns/payments/sa/api');
    });
  }

  for (const max of [3600, 5400, 86_400, 7_862_400]) {
    it(`maxExpirationSeconds=${max}: lifetime = min(ttl 24h, max), refresh window respected, notAfter−now ≥ 1h`, () => {
      const k = keys.get('ECDSAP256') as { publicKey: KeyObject; privateKey: KeyObject };
      const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey), { maxExpirationSeconds: max }), opts);
      assert.equal(d.type, 'Issued');
      if (d.type !== 'Issued') return;
      assert.equal((d.notAfter.getTime() - d.notBefore.getTime()) / 1000, Math.min(86_400, max));
      assert.ok(d.notAfter.getTime() - Math.floor(now.getTime() / 1000) * 1000 >= 3_600_000);
      assert.deepEqual(pcrStatusViolations(buildPcrStatus(d, now), { maxExpirationSeconds: max, publicKey: k.publicKey }, now), []);
    });
  }

  it('accepts a stub CSR made by the openssl CLI (not by us)', () => {
    const s = scratch();
    try {
      const key = s.file('k.pem');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-out', key]);
      const der = execFileSync('openssl', ['req', '-new', '-key', key, '-subj', '/CN=ignored', '-outform', 'DER']);
      const d = decidePodCertificateRequest(pcr(der), opts);
      assert.equal(d.type, 'Issued');
    } finally {
      s.cleanup();
    }
  });

  it('denies an RSA-2048 key with UnsupportedKeyType and says what to use', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const d = decidePodCertificateRequest(pcr(buildStubPkcs10(privateKey)), opts);
    assert.deepEqual({ type: d.type, reason: 'reason' in d ? d.reason : '' }, { type: 'Denied', reason: 'UnsupportedKeyType' });
    assert.match('message' in d ? d.message : '', /RSA 2048-bit.*keyType to one of ED25519, ECDSAP256/);
    const status = buildPcrStatus(d as Exclude<typeof d, { type: 'Ignored' }>, now);
    assert.deepEqual(pcrStatusViolations(status, { maxExpirationSeconds: 86_400, publicKey: createPublicKey(privateKey) }, now), []);
    assert.deepEqual(Object.keys(status), ['conditions']);
  });

  it('denies a supported key type that this signer is configured not to allow', () => {
    const k = keys.get('ED25519') as { privateKey: KeyObject };
    const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey)), { ...opts, allowedKeyTypes: ['ECDSAP256'] });
    assert.equal(d.type === 'Denied' && d.reason, 'UnsupportedKeyType');
    assert.match(d.type === 'Denied' ? d.message : '', /key type ED25519 .* one of ECDSAP256/);
  });

  it('denies unknown user annotations with InvalidUnverifiedUserAnnotations naming the keys', () => {
    const k = keys.get('ECDSAP256') as { privateKey: KeyObject };
    const d = decidePodCertificateRequest(
      pcr(buildStubPkcs10(k.privateKey), { unverifiedUserAnnotations: { 'example.com/extra-san': 'x', 'a.io/b': 'y' } }),
      opts,
    );
    assert.equal(d.type === 'Denied' && d.reason, 'InvalidUnverifiedUserAnnotations');
    assert.match(d.type === 'Denied' ? d.message : '', /"a\.io\/b", "example\.com\/extra-san" \(meshward recognizes none\)/);
    const ok = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey), { unverifiedUserAnnotations: { 'example.com/x': '1' } }), {
      ...opts,
      knownUserAnnotations: new Set(['example.com/x']),
    });
    assert.equal(ok.type, 'Issued');
  });

  const garbage: [string, string, RegExp][] = [
    ['not base64', '!!!not base64!!!', /must be base64-encoded DER PKCS#10/],
    ['empty', '', /must be base64-encoded DER PKCS#10/],
    ['random bytes', Buffer.from('30820102deadbeef', 'hex').toString('base64'), /not a DER-encoded PKCS#10/],
    ['a certificate instead of a CSR', '', /not a DER-encoded PKCS#10/],
  ];
  for (const [name, stub, want] of garbage) {
    it(`denies a garbage stub CSR (${name}) with InvalidStubPKCS10Request`, () => {
      const body = name.startsWith('a certificate') ? new X509Certificate(ca.certPem).raw.toString('base64') : stub;
      const d = decidePodCertificateRequest(pcr(body), opts);
      assert.equal(d.type === 'Denied' && d.reason, 'InvalidStubPKCS10Request');
      assert.match(d.type === 'Denied' ? d.message : '', want);
      assert.match(d.type === 'Denied' ? d.message : '', /^spec\.stubPKCS10Request/);
    });
  }

  it('denies a stub CSR whose self-signature does not verify (tampered)', () => {
    const der = buildStubPkcs10((keys.get('ECDSAP256') as { privateKey: KeyObject }).privateKey);
    der[der.length - 5] ^= 0xff;
    const d = decidePodCertificateRequest(pcr(der), opts);
    assert.equal(d.type === 'Denied' && d.reason, 'InvalidStubPKCS10Request');
    assert.match(d.type === 'Denied' ? d.message : '', /self-signature does not verify/);
  });

  it('ignores requests for another signer (no status to write)', () => {
    const k = keys.get('ECDSAP256') as { privateKey: KeyObject };
    const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey), { signerName: 'example.com/other' }), opts);
    assert.equal(d.type, 'Ignored');
  });

  it('fails (not denies) when the CA expires within the hour', () => {
    const short = loadCa(createRootCa({ now: new Date(now.getTime() - 86_400_000 + 1_800_000), validityDays: 1 }));
    const k = keys.get('ECDSAP256') as { privateKey: KeyObject };
    const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey)), { ...opts, ca: short });
    assert.equal(d.type === 'Failed' && d.reason, 'CAExpiring');
    assert.deepEqual(Object.keys(buildPcrStatus(d as Exclude<typeof d, { type: 'Ignored' }>, now)), ['conditions']);
  });

  it('denies a namespace or service account that cannot be a SPIFFE path segment', () => {
    const k = keys.get('ECDSAP256') as { privateKey: KeyObject };
    const d = decidePodCertificateRequest(pcr(buildStubPkcs10(k.privateKey), { serviceAccountName: 'a/b' }), opts);
    assert.equal(d.type === 'Denied' && d.reason, 'InvalidRequest');
    assert.match(d.type === 'Denied' ? d.message : '', /^spec\.serviceAccountName: "a\/b"/);
  });
});
