import assert from 'node:assert/strict';
import { initialCaState } from '../../../webhook/identity/ca/ca-bootstrap.js';
import {
  certificateFingerprints,
  decodeCaSecret,
  encodeCaSecret,
  signingCaOf,
  type CaSecretState,
} from '../../../webhook/identity/ca/ca-secret.js';
import { advanceRotation, publish, retire, startSigning, type RotationStep } from '../../../webhook/identity/ca/rotation.js';
import { createIntermediateCa, fingerprint, issueSvid, loadCa } from '../../../webhook/pki/index.js';
import { opensslVerify, scratch, type Scratch } from '../../pki/openssl-helpers.js';
import { ecKey, rootFiles } from '../helpers.js';

const T0 = new Date();
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);
const TIMINGS = { propagationSeconds: 300, retireAfterSeconds: 86_700 };

function advanced(step: RotationStep): CaSecretState {
  assert.equal(step.kind, 'advanced', step.summary);
  return (step as Extract<RotationStep, { kind: 'advanced' }>).state;
}

/** A leaf from the state's signing CA, as the signer would issue it now: leaf + intermediates. */
function leafFrom(state: CaSecretState, now: Date): string {
  return issueSvid({
    ca: signingCaOf(state),
    subjectPublicKey: ecKey(),
    trustDomain: 'cluster.local',
    namespace: 'shop',
    serviceAccount: 'web',
    now,
  }).certificateChainPem;
}

describe('identity: root rotation phases (pure transitions)', function () {
  this.timeout(30_000);
  let s: Scratch;
  before(() => (s = scratch('meshward-rotation-')));
  after(() => s.cleanup());
  const verifies = (bundle: string, chain: string, when: Date): boolean => opensslVerify(s, { root: bundle, leaf: chain, attime: when }).ok;

  it('idle → published → signing → idle; at every phase every live leaf verifies against the trust bundle', () => {
    const oldRoot = rootFiles(T0);
    const newRoot = rootFiles(T0);
    let state = initialCaState(oldRoot);
    const oldLeaf = leafFrom(state, T0);

    state = advanced(publish(state, newRoot, at(0)));
    assert.equal(state.rotation.phase, 'published');
    assert.deepEqual(certificateFingerprints(state.trustBundlePem), [fingerprint(oldRoot.certPem), fingerprint(newRoot.certPem)]);
    assert.equal(
      fingerprint(signingCaOf(state).trustBundlePem),
      fingerprint(oldRoot.certPem),
      'the old CA still signs while pods learn the new root',
    );
    assert.ok(verifies(state.trustBundlePem, oldLeaf, at(1)));

    const early = startSigning(state, at(299), TIMINGS);
    assert.equal(early.kind, 'pending');
    assert.equal(early.kind === 'pending' && early.until.getTime(), at(300).getTime());
    state = advanced(startSigning(state, at(300), TIMINGS));
    assert.equal(state.rotation.phase, 'signing');
    assert.equal(state.next, undefined);
    assert.deepEqual(state.rotation.retiring, [fingerprint(oldRoot.certPem)]);
    assert.equal(fingerprint(signingCaOf(state).trustBundlePem), fingerprint(newRoot.certPem));
    const newLeaf = leafFrom(state, at(300));
    assert.ok(verifies(state.trustBundlePem, oldLeaf, at(301)), 'old leaves still verify');
    assert.ok(verifies(state.trustBundlePem, newLeaf, at(301)));

    assert.equal(retire(state, at(300 + 86_699), TIMINGS).kind, 'pending');
    state = advanced(retire(state, at(300 + 86_700), TIMINGS));
    assert.equal(state.rotation.phase, 'idle');
    assert.deepEqual(certificateFingerprints(state.trustBundlePem), [fingerprint(newRoot.certPem)]);
    assert.ok(verifies(state.trustBundlePem, newLeaf, at(3600)));
    assert.equal(verifies(state.trustBundlePem, oldLeaf, at(3600)), false, 'the old root is gone');
  });

  it('each phase survives the Secret round trip, so a rotation resumes from any machine', () => {
    const ref = { namespace: 'meshward-system', name: 'meshward-ca' };
    let state = initialCaState(rootFiles(T0));
    for (const [now, phase] of [
      [at(0), 'published'],
      [at(300), 'signing'],
      [at(300 + 86_700), 'idle'],
    ] as const) {
      state = decodeCaSecret(encodeCaSecret(ref, advanced(advanceRotation(state, now, TIMINGS, () => rootFiles(T0)))));
      assert.equal(state.rotation.phase, phase);
    }
  });

  it('rotating to a new intermediate under the same user root adds and retires no root', () => {
    const userRoot = loadCa(rootFiles(T0));
    let state = initialCaState(createIntermediateCa(userRoot, { now: T0 }));
    const next = createIntermediateCa(userRoot, { now: T0 });
    const p = publish(state, next, at(0));
    assert.match(p.summary, /already trusted/);
    state = advanced(p);
    state = advanced(startSigning(state, at(300), TIMINGS));
    assert.deepEqual(state.rotation.retiring, []);
    state = advanced(retire(state, at(86_700 + 300), TIMINGS));
    assert.deepEqual(certificateFingerprints(state.trustBundlePem), [fingerprint(userRoot.certPem)]);
  });

  it('refuses a transition from the wrong phase (the command never skips one)', () => {
    const idle = initialCaState(rootFiles(T0));
    assert.throws(() => startSigning(idle, at(0), TIMINGS), /sign needs phase published, not idle/);
    assert.throws(() => retire(idle, at(0), TIMINGS), /retire needs phase signing, not idle/);
    const published = advanced(publish(idle, rootFiles(T0), at(0)));
    assert.throws(() => publish(published, rootFiles(T0), at(0)), /publish needs phase idle, not published/);
  });
});
