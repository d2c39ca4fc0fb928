import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caFilesOf, readCaDir, writeCaDir } from '../../webhook/pki/ca-files.js';
import { createIntermediateCa, createRootCa } from '../../webhook/pki/create-ca.js';
import { issueSvid } from '../../webhook/pki/issue-svid.js';
import { generateKeyPairFor } from '../../webhook/pki/key-types.js';
import { loadCa } from '../../webhook/pki/mesh-ca.js';

describe('pki: issueSvid input errors and CA directory round trip', function () {
  this.timeout(30_000);
  const now = new Date();
  const root = loadCa(createRootCa({ now, trustDomain: 'cluster.local' }));
  const base = { ca: root, trustDomain: 'cluster.local', namespace: 'a', serviceAccount: 'b', now };

  it('names the field for unusable keys and identities', () => {
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    assert.throws(
      () => issueSvid({ ...base, subjectPublicKey: rsa2048 }),
      /^PkiInputError: subjectPublicKey: unsupported key; use one of ED25519, ECDSAP256/,
    );
    assert.throws(
      () => issueSvid({ ...base, subjectPublicKey: Buffer.from('nope') }),
      /^PkiInputError: subjectPublicKey: must be a public KeyObject, SPKI DER bytes or a "PUBLIC KEY" PEM block/,
    );
    const k = generateKeyPairFor('ECDSAP256').publicKey;
    assert.throws(() => issueSvid({ ...base, subjectPublicKey: k, trustDomain: 'Not Valid' }), /^PkiInputError: trustDomain: /);
    assert.throws(() => issueSvid({ ...base, subjectPublicKey: k, namespace: '..' }), /^PkiInputError: namespace: /);
    assert.throws(() => issueSvid({ ...base, subjectPublicKey: k, ttlSeconds: 60 }), /^PkiInputError: ttlSeconds: /);
  });

  it('honours min(ttl, maxExpirationSeconds) and a private KeyObject yields its public half', () => {
    const { privateKey } = generateKeyPairFor('ECDSAP384');
    const svid = issueSvid({ ...base, subjectPublicKey: privateKey, ttlSeconds: 86_400, maxExpirationSeconds: 7200 });
    assert.equal((svid.notAfter.getTime() - svid.notBefore.getTime()) / 1000, 7200);
    assert.equal(new X509Certificate(svid.leafPem).publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  });

  it('writeCaDir/readCaDir round-trips an intermediate CA and forces ca.key to 0600 on overwrite', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshward-cadir-'));
    try {
      const int = loadCa(createIntermediateCa(root, { now }));
      await writeFile(join(dir, 'ca.key'), 'old', { mode: 0o644 });
      await chmod(join(dir, 'ca.key'), 0o644);
      await writeCaDir(dir, caFilesOf(int));
      assert.equal((await stat(join(dir, 'ca.key'))).mode & 0o777, 0o600);
      const back = await readCaDir(dir, now);
      assert.equal(back.certPem, int.certPem);
      assert.equal(back.chainPem, int.chainPem);
      assert.equal(back.trustBundlePem, root.trustBundlePem);
      assert.ok(back.privateKey.equals(int.privateKey));
      assert.equal(JSON.stringify(back).includes('PRIVATE KEY'), false, 'serialising a MeshCa never exposes the key');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
