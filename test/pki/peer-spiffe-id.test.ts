import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { buildCertificate, encodeName } from '../../webhook/pki/cert-builder.js';
import { createRootCa } from '../../webhook/pki/create-ca.js';
import { basicConstraints, extendedKeyUsage, keyUsage, KeyUsageFlags, subjectAltName } from '../../webhook/pki/extensions.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { generateKeyPairFor } from '../../webhook/pki/key-types.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';
import { verifyPeerSpiffeId } from '../../webhook/pki/peer-spiffe-id.js';

const TD = 'cluster.local';

/** A leaf signed by `ca` with hand-picked extensions, to present malformed SVIDs. */
function craft(
  ca: MeshCa,
  uris: string[],
  opts: { cA?: boolean; ku?: number; eku?: ('serverAuth' | 'clientAuth')[] } = {},
): X509Certificate {
  const now = Date.now();
  const der = buildCertificate(
    {
      serial: Buffer.from([1, 2, 3]),
      issuerName: ca.subjectName,
      subjectName: encodeName(),
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 3_600_000),
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      extensions: [
        basicConstraints(opts.cA ?? false),
        keyUsage(opts.ku ?? KeyUsageFlags.digitalSignature),
        extendedKeyUsage(opts.eku ?? ['serverAuth', 'clientAuth']),
        subjectAltName({ uris }, true),
      ],
    },
    ca.signer,
  );
  return new X509Certificate(der);
}

describe('pki: verifyPeerSpiffeId (X509-SVID leaf rules)', () => {
  const now = new Date();
  const ca = loadCa(createRootCa({ now, trustDomain: TD }));

  it('accepts a proper SVID from X509Certificate, from a getPeerCertificate()-style {raw}, and from DER', () => {
    const svid = issueSvid({
      ca,
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      trustDomain: TD,
      namespace: 'a',
      serviceAccount: 'b',
      now,
    });
    const cert = new X509Certificate(svid.leafPem);
    const want = { ok: true, spiffeId: 'spiffe://cluster.local/ns/a/sa/b', trustDomain: TD, path: '/ns/a/sa/b' };
    assert.deepEqual(verifyPeerSpiffeId(cert, TD), want);
    assert.deepEqual(verifyPeerSpiffeId({ raw: cert.raw }, TD), want);
    assert.deepEqual(verifyPeerSpiffeId(cert.raw, TD), want);
  });

  const cases: [string, () => X509Certificate | undefined, RegExp][] = [
    ['no certificate', () => undefined, /presented no certificate/],
    [
      'two URI SANs',
      () => craft(ca, ['spiffe://cluster.local/ns/a/sa/b', 'spiffe://cluster.local/ns/c/sa/d']),
      /has 2 URI SANs; an SVID has exactly one/,
    ],
    ['no URI SAN', () => craft(ca, []), /has 0 URI SANs/],
    ['a CA certificate', () => new X509Certificate(ca.certPem), /is a CA certificate/],
    ['cA=true leaf', () => craft(ca, ['spiffe://cluster.local/ns/a/sa/b'], { cA: true }), /is a CA certificate/],
    [
      'keyCertSign usage',
      () => craft(ca, ['spiffe://cluster.local/ns/a/sa/b'], { ku: KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign }),
      /keyCertSign or cRLSign/,
    ],
    [
      'serverAuth-only EKU',
      () => craft(ca, ['spiffe://cluster.local/ns/a/sa/b'], { eku: ['serverAuth'] }),
      /EKU lacks serverAuth or clientAuth/,
    ],
    ['trust-domain ID (no path)', () => craft(ca, ['spiffe://cluster.local']), /has no path/],
    ['non-SPIFFE URI', () => craft(ca, ['https://cluster.local/ns/a']), /must start with "spiffe:\/\/"/],
    ['other trust domain', () => craft(ca, ['spiffe://evil.example/ns/a/sa/b']), /is not in trust domain "cluster\.local"/],
  ];
  for (const [name, make, want] of cases) {
    it(`refuses ${name}`, () => {
      const r = verifyPeerSpiffeId(make(), TD);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, want);
    });
  }
});
