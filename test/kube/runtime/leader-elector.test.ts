import assert from 'node:assert/strict';
import { pino } from 'pino';
import { KubeApiError } from '../../../webhook/kube/errors.js';
import { LEASES } from '../../../webhook/kube/resources.js';
import { LeaderElector } from '../../../webhook/kube/runtime/leader-elector.js';
import { fakeKubeApi, type FakeKubeApi } from '../fake-api.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function elector(api: FakeKubeApi, identity: string, clock: { t: number }, events: string[]): LeaderElector {
  return new LeaderElector({
    api,
    namespace: 'meshward-system',
    name: 'meshward-signer',
    identity,
    leaseDurationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
    now: () => new Date(clock.t),
    logger: pino({ level: 'silent' }),
    onStartedLeading: () => void events.push(`${identity} started`),
    onStoppedLeading: () => void events.push(`${identity} stopped`),
  });
}

describe('identity: LeaderElector over a fake Lease API', () => {
  let api: FakeKubeApi;
  let clock: { t: number };
  let events: string[];
  beforeEach(() => {
    api = fakeKubeApi();
    clock = { t: T0 };
    events = [];
  });

  it('exactly one of two candidates racing for a missing lease becomes leader (the other gets 409)', async () => {
    const a = elector(api, 'a', clock, events);
    const b = elector(api, 'b', clock, events);
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.settled(), b.settled()]);
    assert.equal([a.isLeader(), b.isLeader()].filter(Boolean).length, 1);
    assert.equal(events.length, 1);
    const holder = api.object(LEASES, 'meshward-system', 'meshward-signer')?.spec.holderIdentity;
    assert.equal(holder, a.isLeader() ? 'a' : 'b');
  });

  it('stop() stops the work first, then releases the lease, and the standby takes over at its next try', async () => {
    const a = elector(api, 'a', clock, events);
    const b = elector(api, 'b', clock, events);
    await a.tick();
    await b.tick();
    assert.equal(b.isLeader(), false);
    clock.t += 2000;
    await a.stop();
    assert.deepEqual(events, ['a started', 'a stopped']);
    const released = api.object(LEASES, 'meshward-system', 'meshward-signer');
    assert.equal(released?.spec.holderIdentity, undefined);
    assert.equal(released?.spec.leaseDurationSeconds, 1);
    clock.t += 2000; // one retry period, far less than the 15 s lease
    await b.tick();
    await b.settled();
    assert.equal(b.isLeader(), true);
    assert.deepEqual(events, ['a started', 'a stopped', 'b started']);
    assert.equal(api.object(LEASES, 'meshward-system', 'meshward-signer')?.spec.leaseTransitions, 1);
  });

  it('a crashed leader (no release) is replaced only after a full lease duration on the standby clock', async () => {
    const a = elector(api, 'a', clock, events);
    const b = elector(api, 'b', clock, events);
    await a.tick();
    await b.tick(); // b first sees the record now
    for (let s = 2; s < 15; s += 2) {
      clock.t = T0 + s * 1000;
      await b.tick();
      assert.equal(b.isLeader(), false, `at ${s}s`);
    }
    clock.t = T0 + 15_000;
    await b.tick();
    assert.equal(b.isLeader(), true);
  });

  it('a leader that cannot renew for renewDeadline stops leading (before others may take over)', async () => {
    const a = elector(api, 'a', clock, events);
    await a.tick();
    api.failNext('replace', LEASES, new KubeApiError(500, 'InternalError', 'etcd timeout'), 100);
    clock.t += 4000;
    await a.tick();
    assert.equal(a.isLeader(), true, '4 s without renewal is within the 10 s deadline');
    clock.t += 6000;
    await a.tick();
    await a.settled();
    assert.equal(a.isLeader(), false);
    assert.deepEqual(events, ['a started', 'a stopped']);
  });

  it('a leader that finds another holder in the lease stops at once', async () => {
    const a = elector(api, 'a', clock, events);
    await a.tick();
    const l = api.object(LEASES, 'meshward-system', 'meshward-signer')!;
    api.put(LEASES, { ...l, spec: { ...l.spec, holderIdentity: 'intruder' } });
    clock.t += 2000;
    await a.tick();
    await a.settled();
    assert.equal(a.isLeader(), false);
    assert.deepEqual(events, ['a started', 'a stopped']);
  });

  it('start() keeps renewing on its own; stop() of a standby leaves the lease alone', async () => {
    const real = new LeaderElector({
      api,
      namespace: 'meshward-system',
      name: 'meshward-signer',
      identity: 'loop',
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 1,
      now: () => new Date(),
      logger: pino({ level: 'silent' }),
      onStartedLeading: () => void events.push('loop started'),
      onStoppedLeading: () => void events.push('loop stopped'),
    });
    real.start();
    const deadline = Date.now() + 5000;
    while (api.calls.filter((c) => c.startsWith('replace leases')).length < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      api.calls.some((c) => c.startsWith('replace leases')),
      'the loop renewed after its first acquisition',
    );
    await real.stop();
    assert.deepEqual(events, ['loop started', 'loop stopped']);
    const standby = elector(api, 'c', clock, events);
    api.put(LEASES, {
      ...api.object(LEASES, 'meshward-system', 'meshward-signer')!,
      spec: { holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: new Date(clock.t).toISOString() },
    });
    await standby.tick();
    const before = api.object(LEASES, 'meshward-system', 'meshward-signer');
    await standby.stop();
    assert.deepEqual(api.object(LEASES, 'meshward-system', 'meshward-signer'), before);
  });
});
