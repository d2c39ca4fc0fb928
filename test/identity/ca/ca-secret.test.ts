import assert from 'node:assert/strict';
import { initialCaState } from '../../../webhook/identity/ca/ca-bootstrap.js';
import {
  CA_SECRET_KEYS,
  certificateFingerprints,
  decodeCaSecret,
  encodeCaSecret,
  ROTATION_ANNOTATION,
  signingCaOf,
} from '../../../webhook/identity/ca/ca-secret.js';
import type { Secret } from '../../../webhook/kube/types.js';
import { caFilesOf, createIntermediateCa, fingerprint, loadCa } from '../../../webhook/pki/index.js';
import { rootFiles } from '../helpers.js';

const REF = { namespace: 'meshward-system', name: 'meshward-ca' };

describe('identity: the CA Secret (encode/decode)', () => {
  const now = new Date();
  const root = rootFiles(now);

  it('round-trips a root CA: ca.crt, ca.key, trust-bundle.crt, idle rotation, managed-by label', () => {
    const secret = encodeCaSecret(REF, initialCaState(root));
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), [CA_SECRET_KEYS.cert, CA_SECRET_KEYS.key, CA_SECRET_KEYS.trustBundle].sort());
    assert.equal(secret.metadata.labels?.['app.kubernetes.io/managed-by'], 'meshward');
    assert.deepEqual(JSON.parse(secret.metadata.annotations?.[ROTATION_ANNOTATION] ?? ''), { phase: 'idle' });
    const back = decodeCaSecret(secret);
    assert.equal(back.current.certPem, root.certPem);
    assert.equal(back.current.keyPem, root.keyPem);
    assert.equal(back.trustBundlePem, root.certPem);
    assert.equal(fingerprint(signingCaOf(back).trustBundlePem), fingerprint(root.certPem));
  });

  it("an intermediate from the user's CA keeps chain.crt, trusts the user's root, and the signer's fingerprint is that root", () => {
    const userRoot = loadCa(rootFiles(now));
    const inter = createIntermediateCa(userRoot, { now });
    const state = initialCaState(inter);
    assert.deepEqual(certificateFingerprints(state.trustBundlePem), [fingerprint(userRoot.certPem)]);
    const back = decodeCaSecret(encodeCaSecret(REF, state));
    assert.equal(back.current.chainPem, inter.chainPem);
    assert.equal(fingerprint(signingCaOf(back).trustBundlePem), fingerprint(userRoot.certPem));
    assert.deepEqual(caFilesOf(signingCaOf(back)).certPem, inter.certPem);
  });

  it('keeps resourceVersion and foreign labels/annotations of the Secret it replaces', () => {
    const base: Secret = { metadata: { ...REF, resourceVersion: '42', labels: { team: 'sec' }, annotations: { note: 'x' } } };
    const out = encodeCaSecret(REF, initialCaState(root), base);
    assert.equal(out.metadata.resourceVersion, '42');
    assert.equal(out.metadata.labels?.team, 'sec');
    assert.equal(out.metadata.annotations?.note, 'x');
  });

  const bad: Array<[string, (s: Secret) => Secret, RegExp]> = [
    ['no ca.key', (s) => ({ ...s, data: { ...s.data, [CA_SECRET_KEYS.key]: '' } }), /has only one of ca\.crt and ca\.key/],
    ['nothing at all', (s) => ({ ...s, data: {} }), /has no ca\.crt\/ca\.key; create it with "meshward ca init/],
    [
      'an unknown phase',
      (s) => ({ ...s, metadata: { ...s.metadata, annotations: { [ROTATION_ANNOTATION]: '{"phase":"halfway"}' } } }),
      /must be JSON with "phase" one of idle, published, signing/,
    ],
    [
      'published without next.*',
      (s) => ({ ...s, metadata: { ...s.metadata, annotations: { [ROTATION_ANNOTATION]: '{"phase":"published"}' } } }),
      /phase "published" needs next\.crt\/next\.key/,
    ],
  ];
  for (const [what, mutate, want] of bad) {
    it(`refuses a Secret with ${what}, naming it`, () => {
      assert.throws(() => decodeCaSecret(mutate(encodeCaSecret(REF, initialCaState(root)))), want);
    });
  }
});
