import assert from 'node:assert/strict';
import { mergeControlPlane, podReady, proxyConfigState, type PodFacts } from '../../webhook/status/proxy-state.js';
import type { ControlPlaneStates } from '../../webhook/status/telemetry.js';
import { NOW } from './fixtures.js';
import { ago, NACK, proxy } from './telemetry-fixtures.js';

// The proxy configuration state of a pod, from the replicas' answers alone.

const runningPod = (name: string): PodFacts => ({ namespace: 'shop', name, phase: 'Running', ready: true });
const state = (states: ControlPlaneStates, pod: PodFacts = runningPod('web-1')) => proxyConfigState(pod, mergeControlPlane(states), NOW);

describe('status: proxy configuration state from the replicas', () => {
  it('current: a replica serves the proxy and it ACKed the latest of every type', () => {
    assert.deepEqual(state({ replicas: [{ replica: 'mw-a', proxies: [proxy('shop', 'web-1')] }] }), {
      state: 'current',
      replica: 'mw-a',
      connectedAt: ago(3600),
      note: 'ACKed the latest configuration from mw-a',
    });
  });

  it('stale: sent, not ACKed yet, for as long as the oldest pending push', () => {
    const pending = proxy('shop', 'web-1', {
      upToDate: false,
      types: {
        Cluster: { sent: 'c2', sentAt: ago(90), acked: 'c1' },
        ClusterLoadAssignment: { sent: 'e1', sentAt: ago(5), acked: 'e1' },
        Listener: { sent: 'l2', sentAt: ago(30) },
      },
    });
    const s = state({ replicas: [{ replica: 'mw-a', proxies: [pending] }] });
    assert.deepEqual([s.state, s.pending, s.pendingSeconds], ['stale', ['Cluster', 'Listener'], 90]);
    assert.equal(s.note, 'sent, not ACKed yet for 1m (Cluster, Listener)');
    // An older replica does not date its pushes: stale, for an unknown time.
    const undated = proxy('shop', 'web-1', { types: { Listener: { sent: 'l2', acked: 'l1' } } });
    const u = state({ replicas: [{ replica: 'mw-a', proxies: [undated] }] });
    assert.deepEqual([u.state, u.pendingSeconds, u.note], ['stale', undefined, 'sent, not ACKed yet (Listener)']);
  });

  it('rejected: the proxy NACKed what was sent last, with its message; a NACK of an older version is history', () => {
    const nacked = proxy('shop', 'web-1', {
      upToDate: false,
      types: { Listener: { sent: 'l2', sentAt: ago(10), acked: 'l1', nack: NACK, nackedVersion: 'l2' } },
    });
    const r = state({ replicas: [{ replica: 'mw-a', proxies: [nacked] }] });
    assert.equal(r.state, 'rejected');
    assert.deepEqual(r.rejected, [{ type: 'Listener', version: 'l2', message: NACK }]);
    assert.match(r.note, /rejected Listener l2: Error adding\/updating listener.*; it keeps its last good configuration$/);
    // l2 refused, l3 sent since: waiting for l3, and saying what happened to l2.
    const retried = proxy('shop', 'web-1', {
      types: { Listener: { sent: 'l3', sentAt: ago(2), acked: 'l1', nack: NACK, nackedVersion: 'l2' } },
    });
    const s = state({ replicas: [{ replica: 'mw-a', proxies: [retried] }] });
    assert.equal(s.state, 'stale');
    assert.match(s.note, /^sent, not ACKed yet for 2s \(Listener\); it refused the version before: Error adding/);
  });

  it('merges two replicas: each proxy from the replica that serves it, the newest connection when both list it', () => {
    const states: ControlPlaneStates = {
      replicas: [
        {
          replica: 'mw-a',
          proxies: [proxy('shop', 'web-1'), proxy('shop', 'web-2', { connectedAt: ago(7200), types: { Listener: { sent: 'l1' } } })],
        },
        { replica: 'mw-b', proxies: [proxy('shop', 'web-2', { connectedAt: ago(5) })] },
      ],
    };
    const view = mergeControlPlane(states);
    assert.deepEqual(
      [...view.proxies.values()].map((p) => `${p.pod}@${p.replica}`),
      ['web-1@mw-a', 'web-2@mw-b'],
    );
    assert.deepEqual([state(states, runningPod('web-2')).state, state(states, runningPod('web-2')).replica], ['current', 'mw-b']);
  });

  it('not connected: no replica serves it; expected (and said so) while the pod is not Running and ready', () => {
    const states: ControlPlaneStates = { replicas: [{ replica: 'mw-a', proxies: [] }] };
    assert.deepEqual(state(states), {
      state: 'not-connected',
      expected: false,
      note: 'no meshward replica serves its proxy, so it has no live configuration',
    });
    const pending = state(states, { namespace: 'shop', name: 'web-1', phase: 'Pending', ready: false });
    assert.deepEqual(
      [pending.state, pending.expected, pending.note],
      ['not-connected', true, 'not connected, as expected: the pod is Pending'],
    );
    const unready = state(states, { namespace: 'shop', name: 'web-1', phase: 'Running', ready: false });
    assert.equal(unready.note, 'not connected, as expected: the pod is Running but not ready');
    assert.equal(state({ replicas: [] }).note, 'no meshward replica is running, so it has no live configuration');
  });

  it('unknown: a replica that did not answer may be the one serving it; so is everything when the replicas cannot be listed', () => {
    const states: ControlPlaneStates = {
      replicas: [
        { replica: 'mw-a', proxies: [proxy('shop', 'web-1')] },
        { replica: 'mw-b', error: 'get pods/proxy https:mw-b:8443/xds/proxies: no answer in 3s' },
      ],
    };
    assert.equal(state(states).state, 'current', 'what an answering replica serves is still known');
    const other = state(states, runningPod('web-2'));
    assert.equal(other.state, 'unknown');
    assert.equal(
      other.note,
      'no replica that answered serves it; not answering: mw-b (get pods/proxy https:mw-b:8443/xds/proxies: no answer in 3s)',
    );
    const none = state({ replicas: [], error: "cannot list meshward's pods: forbidden" });
    assert.deepEqual(none, { state: 'unknown', note: "cannot list meshward's pods: forbidden" });
  });

  it('reads readiness from the Ready condition', () => {
    assert.equal(podReady({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }), true);
    assert.equal(podReady({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }), false);
    assert.equal(podReady({ phase: 'Running' }), false);
    assert.equal(podReady(undefined), false);
  });
});
