import assert from 'node:assert/strict';
import type { Lease } from '../../../webhook/kube/types.js';
import { decideLease, leaseRecord, microTime, releasedLeaseSpec } from '../../../webhook/kube/runtime/lease-decision.js';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

function lease(holder: string | undefined, renewSecond = 0, transitions = 3, duration = 15): Lease {
  return {
    metadata: { name: 'meshward-signer', namespace: 'meshward-system', resourceVersion: '7' },
    spec: {
      ...(holder === undefined ? {} : { holderIdentity: holder }),
      leaseDurationSeconds: duration,
      renewTime: microTime(at(renewSecond)),
      acquireTime: microTime(T0),
      leaseTransitions: transitions,
    },
  };
}

describe('identity: decideLease (pure)', () => {
  const base = { identity: 'b', leaseDurationSeconds: 15 };

  it('creates the lease when there is none, as holder, with zero transitions', () => {
    const d = decideLease({ ...base, lease: undefined, now: T0, observed: undefined });
    assert.equal(d.action, 'create');
    assert.deepEqual(d.action === 'create' && d.spec, {
      holderIdentity: 'b',
      leaseDurationSeconds: 15,
      acquireTime: '2026-03-01T10:00:00.000000Z',
      renewTime: '2026-03-01T10:00:00.000000Z',
      leaseTransitions: 0,
    });
  });

  it('renews its own lease: renewTime moves, acquireTime and transitions stay', () => {
    const d = decideLease({ ...base, lease: lease('b'), now: at(4), observed: undefined });
    assert.equal(d.action, 'renew');
    assert.equal(d.action === 'renew' && d.spec.renewTime, microTime(at(4)));
    assert.equal(d.action === 'renew' && d.spec.acquireTime, microTime(T0));
    assert.equal(d.action === 'renew' && d.spec.leaseTransitions, 3);
  });

  it('takes a released lease (no holder) at once and counts a transition', () => {
    const d = decideLease({ ...base, lease: lease(undefined), now: at(1), observed: undefined });
    assert.equal(d.action, 'acquire');
    assert.equal(d.action === 'acquire' && d.reason, 'Released');
    assert.equal(d.action === 'acquire' && d.spec.leaseTransitions, 4);
    assert.equal(d.action === 'acquire' && d.spec.holderIdentity, 'b');
  });

  it("stands by while another holder's record is younger than its duration on OUR clock, then takes it", () => {
    const held = lease('a', -3600); // renewTime an hour old by a skewed clock: must not count
    const first = decideLease({ ...base, lease: held, now: at(0), observed: undefined });
    assert.equal(first.action, 'standby');
    assert.equal(first.action === 'standby' && first.expiresAt.getTime(), at(15).getTime());
    const still = decideLease({ ...base, lease: held, now: at(14), observed: first.observed });
    assert.equal(still.action, 'standby');
    const taken = decideLease({ ...base, lease: held, now: at(15), observed: still.observed });
    assert.equal(taken.action, 'acquire');
    assert.equal(taken.action === 'acquire' && taken.reason, 'Expired');
    assert.equal(taken.action === 'acquire' && taken.previousHolder, 'a');
  });

  it('a renewal by the holder restarts the expiry clock', () => {
    const first = decideLease({ ...base, lease: lease('a', 0), now: at(0), observed: undefined });
    const renewed = decideLease({ ...base, lease: lease('a', 10), now: at(14), observed: first.observed });
    assert.equal(renewed.observed?.at.getTime(), at(14).getTime());
    const later = decideLease({ ...base, lease: lease('a', 10), now: at(20), observed: renewed.observed });
    assert.equal(later.action, 'standby', '20 s after the first look, but only 6 s after the renewal was seen');
  });

  it("uses the holder's leaseDurationSeconds for expiry", () => {
    const long = lease('a', 0, 1, 60);
    const first = decideLease({ ...base, lease: long, now: at(0), observed: undefined });
    assert.equal(decideLease({ ...base, lease: long, now: at(30), observed: first.observed }).action, 'standby');
    assert.equal(decideLease({ ...base, lease: long, now: at(60), observed: first.observed }).action, 'acquire');
  });

  it('microTime has exactly six fractional digits; leaseRecord changes with holder or renewTime', () => {
    assert.match(microTime(new Date('2026-01-02T03:04:05.678Z')), /^2026-01-02T03:04:05\.678000Z$/);
    assert.notEqual(leaseRecord(lease('a', 0).spec), leaseRecord(lease('a', 1).spec));
    assert.notEqual(leaseRecord(lease('a', 0).spec), leaseRecord(lease('b', 0).spec));
  });

  it('a released lease has no holder and a 1 s duration', () => {
    const r = releasedLeaseSpec(lease('b').spec, at(9));
    assert.equal('holderIdentity' in r, false);
    assert.equal(r.leaseDurationSeconds, 1);
    assert.equal(r.renewTime, microTime(at(9)));
    assert.equal(r.leaseTransitions, 3);
  });
});
