import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { KeyType } from '../../webhook/config/types.js';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { generateKeyPairFor, pkcs8Pem } from '../../webhook/pki/key-types.js';
import { loadCa } from '../../webhook/pki/mesh-ca.js';
import { extensionBlock, makeExternalCa, opensslVerify, scratch, x509Text, type Scratch } from './openssl-helpers.js';

const CA_KEYS: readonly KeyType[] = ['ECDSAP256', 'ECDSAP384', 'ECDSAP521', 'ED25519', 'RSA3072'];

describe('pki: mesh CA creation and loading', function () {
  this.timeout(60_000);
  const now = new Date();
  let s: Scratch;
  before(() => {
    s = scratch();
  });
  after(() => s.cleanup());

  for (const keyType of CA_KEYS) {
    it(`createRootCa(${keyType}): CA:TRUE critical, keyCertSign+cRLSign critical, SKI, spiffe://td SAN; signs verifiable leaves`, () => {
      const pair = createRootCa({ keyType, trustDomain: 'mesh.example', now });
      const text = x509Text(pair.certPem);
      assert.match(extensionBlock(text, 'Basic Constraints') ?? '', /Basic Constraints: critical\n\s+CA:TRUE/);
      assert.match(extensionBlock(text, 'Key Usage') ?? '', /Key Usage: critical\n\s+Certificate Sign, CRL Sign\s*$/);
      assert.ok(extensionBlock(text, 'Subject Key Identifier'));
      assert.match(extensionBlock(text, 'Subject Alternative Name') ?? '', /URI:spiffe:\/\/mesh\.example\s*$/);
      assert.match(pair.keyPem, /^-----BEGIN PRIVATE KEY-----/);
      const ca = loadCa({ ...pair, now });
      assert.equal(ca.trustDomain, 'mesh.example');
      assert.equal(ca.chainPem, '');
      assert.equal(ca.trustBundlePem, pair.certPem);
      const leaf = issueSvid({
        ca,
        subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
        trustDomain: 'mesh.example',
        namespace: 'a',
        serviceAccount: 'b',
        now,
      });
      assert.ok(opensslVerify(s, { root: pair.certPem, leaf: leaf.leafPem }).ok);
    });
  }

  it('createRootCa defaults: ECDSA P-256, 3650 days, no SAN without a trust domain', () => {
    const pair = createRootCa({ now });
    const cert = new X509Certificate(pair.certPem);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const days = (new Date(cert.validTo).getTime() - now.getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 3650) < 1 / 24, `validity ${days} days`);
    assert.equal(extensionBlock(x509Text(pair.certPem), 'Subject Alternative Name'), undefined);
  });

  it("loads the user's openssl-made intermediate with its root: chainPem = intermediate, trustBundlePem = root", () => {
    const ext = makeExternalCa(s);
    const ca = loadCa({ certPem: ext.intermediatePem, keyPem: ext.intermediateKeyPem, chainPem: ext.rootPem, now });
    assert.equal(new X509Certificate(ca.chainPem).fingerprint256, new X509Certificate(ext.intermediatePem).fingerprint256);
    assert.equal(new X509Certificate(ca.trustBundlePem).fingerprint256, new X509Certificate(ext.rootPem).fingerprint256);
    const viaBundle = loadCa({ certPem: ext.intermediatePem, keyPem: ext.intermediateKeyPem, trustBundlePem: ext.rootPem });
    assert.equal(viaBundle.trustBundlePem, ca.trustBundlePem);
    assert.throws(
      () => loadCa({ certPem: ext.intermediatePem, keyPem: ext.intermediateKeyPem }),
      /^PkiInputError: chainPem: no certificate in the chain issued ".*Example Corp Mesh Issuing CA"; append its issuing intermediate\(s\) and the root CA/,
    );
  });

  it('keeps every root given (root rotation) and de-duplicates repeats', () => {
    const a = createRootCa({ now });
    const b = createRootCa({ now });
    const ca = loadCa({ ...a, chainPem: a.certPem + b.certPem, trustBundlePem: b.certPem });
    assert.equal((ca.trustBundlePem.match(/BEGIN CERTIFICATE/g) ?? []).length, 2);
  });

  it('refuses a non-CA certificate, a mismatched key, garbage PEM and an expired chain, naming the field', () => {
    const root = loadCa({ ...createRootCa({ now }) });
    const k = generateKeyPairFor('ECDSAP256');
    const leaf = issueSvid({ ca: root, subjectPublicKey: k.publicKey, trustDomain: 'td', namespace: 'a', serviceAccount: 'b', now });
    assert.throws(
      () => loadCa({ certPem: leaf.leafPem, keyPem: pkcs8Pem(k.privateKey) }),
      /^PkiInputError: certPem: .* is not a CA certificate/,
    );
    assert.throws(() => loadCa({ certPem: root.certPem, keyPem: pkcs8Pem(k.privateKey) }), /^PkiInputError: keyPem: does not match/);
    assert.throws(() => loadCa({ certPem: 'hello', keyPem: 'x' }), /^PkiInputError: certPem: expected exactly one certificate, found 0/);
    assert.throws(
      () => loadCa({ certPem: root.certPem, keyPem: 'not a key' }),
      /^PkiInputError: keyPem: must be an unencrypted PEM private key/,
    );
    const old = createRootCa({ now: new Date(now.getTime() - 3 * 86_400_000), validityDays: 1 });
    assert.throws(() => loadCa({ ...old, now }), /^PkiInputError: certPem: the CA chain expired at .*; rotate the CA/);
  });

  it('refuses to put an intermediate under a user CA whose pathlen forbids it, naming the CA', () => {
    const meshInt = loadCa(createIntermediateCa(loadCa(createRootCa({ now })), { now }));
    assert.throws(
      () => createIntermediateCa(meshInt, { now }),
      /^PkiInputError: parent: "O=meshward, CN=meshward mesh intermediate CA" has pathLenConstraint 0, which forbids another CA below it/,
    );
    // Root pathlen 1 already counts the user's intermediate: nothing more may go below it.
    const ext = makeExternalCa(s, { root: 1, intermediate: null });
    const user = loadCa({ certPem: ext.intermediatePem, keyPem: ext.intermediateKeyPem, chainPem: ext.rootPem });
    assert.throws(
      () => createIntermediateCa(user, { now }),
      /^PkiInputError: parent: "O=Example Corp, CN=Example Corp Root CA" has pathLenConstraint 1, which forbids another CA below it; .* pathlen ≥ 2/,
    );
    const roomy = makeExternalCa(s, { root: 2, intermediate: null });
    const ok = loadCa(
      createIntermediateCa(loadCa({ certPem: roomy.intermediatePem, keyPem: roomy.intermediateKeyPem, chainPem: roomy.rootPem }), { now }),
    );
    const leaf = issueSvid({
      ca: ok,
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      trustDomain: 'td',
      namespace: 'a',
      serviceAccount: 'b',
      now,
    });
    const r = opensslVerify(s, { root: ok.trustBundlePem, untrusted: ok.chainPem, leaf: leaf.leafPem });
    assert.ok(r.ok, `pathlen 2 leaves room, and openssl agrees: ${r.output}`);
  });

  it('createIntermediateCa never outlives its parent and carries pathLen 0 and an AKI', () => {
    const root = loadCa(createRootCa({ now, validityDays: 10 }));
    const int = createIntermediateCa(root, { now, validityDays: 100 });
    assert.equal(new X509Certificate(int.certPem).validTo, new X509Certificate(root.certPem).validTo);
    const text = x509Text(int.certPem);
    assert.match(extensionBlock(text, 'Basic Constraints') ?? '', /CA:TRUE, pathlen:0/);
    assert.ok(extensionBlock(text, 'Authority Key Identifier'));
    assert.ok(opensslVerify(s, { root: root.trustBundlePem, leaf: int.certPem }).ok);
  });
});
