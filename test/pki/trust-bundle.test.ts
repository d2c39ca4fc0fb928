import assert from 'node:assert/strict';
import { createRootCa } from '../../webhook/pki/create-ca.js';
import { generateKeyPairFor } from '../../webhook/pki/key-types.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { loadCa } from '../../webhook/pki/mesh-ca.js';
import { buildClusterTrustBundle, clusterTrustBundleName, fingerprint } from '../../webhook/pki/trust-bundle.js';
import { openssl } from './openssl-helpers.js';

const SIGNER = 'meshward.io/workload-identity';

describe('pki: ClusterTrustBundle helpers and fingerprints', () => {
  const now = new Date();
  const a = createRootCa({ now, commonName: 'root a' });
  const b = createRootCa({ now, commonName: 'root b' });

  it('names signer-linked bundles "<signer with : for />:<suffix>"', () => {
    assert.equal(clusterTrustBundleName(SIGNER, 'roots'), 'meshward.io:workload-identity:roots');
    assert.throws(() => clusterTrustBundleName(SIGNER, 'Roots!'), /^PkiInputError: suffix: "Roots!" must be a DNS subdomain/);
    assert.throws(
      () => clusterTrustBundleName('no-slash', 'roots'),
      /^PkiInputError: signerName: "no-slash" must look like "<domain>\/<name>"/,
    );
  });

  it('builds a certificates.k8s.io/v1 ClusterTrustBundle with de-duplicated roots in order', () => {
    const ctb = buildClusterTrustBundle({ signerName: SIGNER, roots: [a.certPem, b.certPem + a.certPem], suffix: 'roots' });
    assert.equal(ctb.apiVersion, 'certificates.k8s.io/v1');
    assert.equal(ctb.kind, 'ClusterTrustBundle');
    assert.equal(ctb.metadata.name, 'meshward.io:workload-identity:roots');
    assert.equal(ctb.spec.signerName, SIGNER);
    assert.equal(ctb.spec.trustBundle, a.certPem + b.certPem);
  });

  it('derives a default suffix from the root set, so a rotated root set is a new object', () => {
    const one = buildClusterTrustBundle({ signerName: SIGNER, roots: [a.certPem] });
    const two = buildClusterTrustBundle({ signerName: SIGNER, roots: [a.certPem, b.certPem] });
    assert.match(one.metadata.name, /^meshward\.io:workload-identity:roots-[0-9a-f]{16}$/);
    assert.notEqual(one.metadata.name, two.metadata.name);
    assert.equal(
      buildClusterTrustBundle({ signerName: SIGNER, roots: [a.certPem] }).metadata.name,
      one.metadata.name,
      'stable for the same roots',
    );
  });

  it('refuses leaf certificates and empty input, naming the entry', () => {
    const leaf = issueSvid({
      ca: loadCa(a),
      subjectPublicKey: generateKeyPairFor('ECDSAP256').publicKey,
      trustDomain: 'td',
      namespace: 'n',
      serviceAccount: 's',
      now,
    });
    assert.throws(
      () => buildClusterTrustBundle({ signerName: SIGNER, roots: [a.certPem, leaf.leafPem] }),
      /^PkiInputError: roots\[1\]: is not a CA certificate/,
    );
    assert.throws(
      () => buildClusterTrustBundle({ signerName: SIGNER, roots: [] }),
      /^PkiInputError: roots: must contain at least one CA certificate/,
    );
  });

  it('fingerprint() is the sha256 of the DER, equal to openssl -fingerprint -sha256', () => {
    const want = openssl(['x509', '-noout', '-fingerprint', '-sha256'], a.certPem).split('=')[1]?.trim().replaceAll(':', '').toLowerCase();
    assert.equal(fingerprint(a.certPem), want);
    assert.notEqual(fingerprint(b.certPem), fingerprint(a.certPem));
    assert.throws(() => fingerprint('nothing here'), /^PkiInputError: certPem: contains no CERTIFICATE block/);
  });
});
