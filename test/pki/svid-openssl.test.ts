import assert from 'node:assert/strict';
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { KeyType } from '../../webhook/config/types.js';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { generateKeyPairFor, spkiDer } from '../../webhook/pki/key-types.js';
import { loadCa, type MeshCa } from '../../webhook/pki/mesh-ca.js';
import { makeExternalCa, opensslDates, opensslVerify, pemBlocks, scratch, x509Text, type Scratch } from './openssl-helpers.js';
import { assertSvidText, subjectKeyIdOf } from './svid-assertions.js';

const SUBJECT_KEYS: readonly KeyType[] = ['ECDSAP256', 'ECDSAP384', 'ED25519', 'RSA3072'];
const CA_SETUPS = ['mesh root', 'mesh intermediate', "user's openssl intermediate", 'mesh intermediate under user CA'] as const;
const PARENTS_IN_CHAIN: Record<(typeof CA_SETUPS)[number], number> = {
  'mesh root': 0,
  'mesh intermediate': 1,
  "user's openssl intermediate": 1,
  'mesh intermediate under user CA': 2,
};

describe('pki: issued SVIDs checked by openssl', function () {
  this.timeout(120_000);
  const now = new Date();
  let s: Scratch;
  const cas = new Map<string, MeshCa>();
  const keys = new Map<KeyType, { publicKey: KeyObject }>();

  before(() => {
    s = scratch();
    const root = loadCa(createRootCa({ now, trustDomain: 'cluster.local' }));
    cas.set('mesh root', root);
    cas.set('mesh intermediate', loadCa(createIntermediateCa(root, { now, keyType: 'ECDSAP384' })));
    const ext = makeExternalCa(s);
    const user = loadCa({ certPem: ext.intermediatePem, keyPem: ext.intermediateKeyPem, chainPem: ext.rootPem, now });
    cas.set("user's openssl intermediate", user);
    cas.set('mesh intermediate under user CA', loadCa(createIntermediateCa(user, { now, trustDomain: 'cluster.local' })));
    for (const kt of SUBJECT_KEYS) keys.set(kt, generateKeyPairFor(kt));
  });
  after(() => s.cleanup());

  for (const setup of CA_SETUPS) {
    for (const kt of SUBJECT_KEYS) {
      it(`${kt} subject key, ${setup}: openssl verifies the chain and every SVID rule`, () => {
        const ca = cas.get(setup) as MeshCa;
        const publicKey = (keys.get(kt) as { publicKey: KeyObject }).publicKey;
        // Exercise all three accepted key forms across the matrix.
        const subjectPublicKey =
          kt === 'ED25519'
            ? spkiDer(publicKey)
            : kt === 'ECDSAP384'
              ? publicKey.export({ type: 'spki', format: 'pem' }).toString()
              : publicKey;
        const svid = issueSvid({ ca, subjectPublicKey, trustDomain: 'cluster.local', namespace: 'payments', serviceAccount: 'api', now });
        assert.equal(svid.spiffeId, 'spiffe://cluster.local/ns/payments/sa/api');

        const blocks = pemBlocks(svid.certificateChainPem);
        assert.equal(blocks.length, 1 + PARENTS_IN_CHAIN[setup], 'leaf then intermediates, never the root');
        const [leaf, ...parents] = blocks as [string, ...string[]];
        const certs = blocks.map((b) => new X509Certificate(b));
        certs
          .slice(0, -1)
          .forEach((c, i) => assert.ok(c.checkIssued(certs[i + 1] as X509Certificate), `chain[${i}] is issued by chain[${i + 1}]`));
        assert.ok(
          certs.every((c) => c.issuer !== c.subject),
          'no self-signed root in the chain',
        );

        for (const purpose of ['sslclient', 'sslserver']) {
          const r = opensslVerify(s, { root: ca.trustBundlePem, untrusted: parents.join('') || undefined, leaf, purpose });
          assert.ok(r.ok, `openssl verify -purpose ${purpose}: ${r.output}`);
        }

        assertSvidText(x509Text(leaf), { spiffeId: svid.spiffeId, rsa: kt === 'RSA3072', caKeyId: subjectKeyIdOf(x509Text(ca.certPem)) });

        const dates = opensslDates(leaf);
        assert.equal(dates.notBefore.getTime(), svid.notBefore.getTime());
        assert.equal(dates.notAfter.getTime(), svid.notAfter.getTime());
        assert.equal((dates.notAfter.getTime() - dates.notBefore.getTime()) / 1000, 86_400, 'default lifetime 24h');
        assert.equal(Math.floor(now.getTime() / 1000) - dates.notBefore.getTime() / 1000, 300, 'backdated by 300s');
        assert.ok(new X509Certificate(leaf).publicKey.equals(publicKey), 'issued to the requested key');
      });
    }
  }

  it('openssl refuses the same leaf against a root that did not issue it', () => {
    const ca = cas.get('mesh root') as MeshCa;
    const other = loadCa(createRootCa({ now, trustDomain: 'cluster.local' }));
    const svid = issueSvid({
      ca,
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      trustDomain: 'cluster.local',
      namespace: 'a',
      serviceAccount: 'b',
      now,
    });
    const r = opensslVerify(s, { root: other.trustBundlePem, leaf: svid.leafPem });
    assert.equal(r.ok, false);
    assert.match(r.output, /unable to get local issuer certificate/);
  });

  it('openssl refuses the leaf after notAfter', () => {
    const ca = cas.get('mesh root') as MeshCa;
    const svid = issueSvid({
      ca,
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      trustDomain: 'cluster.local',
      namespace: 'a',
      serviceAccount: 'b',
      now,
      ttlSeconds: 3600,
    });
    assert.ok(opensslVerify(s, { root: ca.trustBundlePem, leaf: svid.leafPem, attime: new Date(svid.notAfter.getTime() - 1000) }).ok);
    const late = opensslVerify(s, { root: ca.trustBundlePem, leaf: svid.leafPem, attime: new Date(svid.notAfter.getTime() + 1000) });
    assert.equal(late.ok, false);
    assert.match(late.output, /certificate has expired/);
  });

  it('two SVIDs for the same identity get different random serials', () => {
    const ca = cas.get('mesh root') as MeshCa;
    const k = generateKeyPairFor('ECDSAP256').publicKey;
    const a = issueSvid({ ca, subjectPublicKey: k, trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b', now });
    const b = issueSvid({ ca, subjectPublicKey: k, trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b', now });
    assert.notEqual(new X509Certificate(a.leafPem).serialNumber, new X509Certificate(b.leafPem).serialNumber);
  });
});
