import assert from 'node:assert/strict';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { PODS } from '../../webhook/kube/resources.js';
import type { Pod } from '../../webhook/kube/types.js';
import { mapBounded } from '../../webhook/status/bounded.js';
import { kubeProxyTelemetry, kubeReplicaInjections } from '../../webhook/status/kube-telemetry.js';
import { podCounters, readTelemetry } from '../../webhook/status/read-telemetry.js';
import { parseReplicaProxies } from '../../webhook/status/telemetry.js';
import { fakeKubeApi } from '../kube/fake-api.js';
import { counters, FakeTelemetry, proxy } from './telemetry-fixtures.js';

// Reading the telemetry: the replicas' JSON, failures as data, bounded concurrency, and the
// implementation over KubeApi (which pods it asks, by which path).

const meshwardPod = (name: string, phase: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'meshward-system', labels: { 'app.kubernetes.io/name': 'meshward' } },
  status: { phase },
});

describe('status telemetry: reading the replicas and the proxies', () => {
  it('parses GET /xds/proxies, skipping entries it cannot use, and refuses what is not that JSON', () => {
    const body = JSON.stringify({
      proxies: [
        { ...proxy('shop', 'web-1'), extra: true },
        { namespace: 'shop' },
        { namespace: 'shop', pod: 'web-2', upToDate: 'yes', types: { Listener: { sent: 'l1', acked: 7 } } },
      ],
    });
    const parsed = parseReplicaProxies(body);
    assert.deepEqual(parsed[0], proxy('shop', 'web-1'));
    assert.deepEqual(parsed[1], { namespace: 'shop', pod: 'web-2', connectedAt: '', upToDate: false, types: { Listener: { sent: 'l1' } } });
    assert.equal(parsed.length, 2);
    assert.throws(() => parseReplicaProxies('<html>'), /not JSON/);
    assert.throws(() => parseReplicaProxies('{"items":[]}'), /no proxies list/);
  });

  it('reads every target pod, at most `concurrency` at once, and keeps a failed read as its reason', async () => {
    const pods = Array.from({ length: 20 }, (_, i) => ({ namespace: 'shop', name: `web-${i}` }));
    const fake = new FakeTelemetry({ replicas: [] }, { 'shop/web-3': [counters('8080', 1, 2)] });
    const data = await readTelemetry({ telemetry: fake, concurrency: 4 }, pods);
    assert.equal(fake.counterReads.length, 20);
    assert.ok(fake.maxInFlight <= 4 && fake.maxInFlight > 1, `at most 4 at once, saw ${fake.maxInFlight}`);
    assert.deepEqual(podCounters('shop', 'web-3', 'Running', data), { state: 'read', ports: [counters('8080', 1, 2)] });
    const failed = podCounters('shop', 'web-4', 'Running', data);
    assert.equal(failed.state, 'unavailable');
    assert.match((failed as { reason: string }).reason, /connection refused/);
    assert.deepEqual(podCounters('shop', 'not-running', 'Pending', data), { state: 'not-read', reason: 'the pod is Pending' });
    assert.equal(data.status.counters.note, 'read from 1 of 20 Running injected pod(s), 19 unavailable');
    assert.equal(data.status.controlPlane.note, 'no meshward replica is running');
  });

  it('--no-proxy-stats asks the replicas only; no telemetry at all is unknown for the reason given', async () => {
    const fake = new FakeTelemetry({
      replicas: [
        { replica: 'mw-a', proxies: [proxy('shop', 'web-1')] },
        { replica: 'mw-b', error: 'forbidden' },
      ],
    });
    const data = await readTelemetry({ telemetry: fake, proxyStats: false }, [{ namespace: 'shop', name: 'web-1' }]);
    assert.deepEqual(fake.counterReads, []);
    assert.deepEqual(podCounters('shop', 'web-1', 'Running', data), { state: 'not-read', reason: 'not read (--no-proxy-stats)' });
    assert.deepEqual(data.status.controlPlane, {
      read: true,
      note: '1 of 2 replica(s) answered (mw-a: 1); mw-b did not: forbidden',
      replicas: [
        { name: 'mw-a', proxies: 1 },
        { name: 'mw-b', error: 'forbidden' },
      ],
    });
    const offline = await readTelemetry({}, [{ namespace: 'shop', name: 'web-1' }]);
    assert.deepEqual(offline.status, {
      controlPlane: { read: false, note: 'offline: manifests carry no proxy state', replicas: [] },
      counters: { read: false, note: 'offline: manifests carry no proxy state' },
    });
    const broken = await readTelemetry({ telemetry: new FakeTelemetry(new Error('boom')) }, []);
    assert.deepEqual([broken.view.unknown, broken.status.controlPlane.read], ['cannot read the replicas: boom', false]);
  });

  it('mapBounded keeps the order of its items', async () => {
    assert.deepEqual(
      await mapBounded([30, 10, 20], 2, async (ms) => new Promise<number>((r) => setTimeout(() => r(ms), ms))),
      [30, 10, 20],
    );
    assert.deepEqual(await mapBounded([], 8, async () => 1), []);
  });

  it('over KubeApi: lists the Running meshward pods, asks each through pods/proxy on 8443, and each proxy on 15090', async () => {
    const api = fakeKubeApi();
    for (const [name, phase] of [
      ['meshward-a', 'Running'],
      ['meshward-b', 'Running'],
      ['meshward-old', 'Failed'],
    ] as const)
      api.put(PODS, meshwardPod(name, phase));
    api.proxyAnswers.set('meshward-system/meshward-a:8443/xds/proxies', JSON.stringify({ proxies: [proxy('shop', 'web-1')] }));
    api.proxyAnswers.set(
      'meshward-system/meshward-b:8443/xds/proxies',
      new KubeApiError(404, 'NotFound', 'the server could not find the requested resource'),
    );
    api.proxyAnswers.set(
      'shop/web-1:15090/stats/prometheus',
      'envoy_tcp_downstream_cx_total{envoy_tcp_prefix="inbound|8080|plaintext"} 4\n',
    );
    api.proxyAnswers.set('shop/web-2:15090/stats/prometheus', new KubeApiError(403, 'Forbidden', 'pods "web-2" is forbidden'));
    api.proxyAnswers.set(
      'shop/web-4:15090/stats/prometheus',
      new KubeApiError(0, 'Timeout', 'get pods/proxy web-4:15090/stats/prometheus: no answer in 3s'),
    );
    const telemetry = kubeProxyTelemetry(api, 'meshward-system');
    assert.deepEqual(await telemetry.controlPlaneStates(), {
      replicas: [
        { replica: 'meshward-a', proxies: [proxy('shop', 'web-1')] },
        { replica: 'meshward-b', error: 'no GET /xds/proxies (an older meshward?)' },
      ],
    });
    assert.deepEqual(await telemetry.inboundCounters('shop', 'web-1'), [counters('8080', 0, 4)]);
    await assert.rejects(telemetry.inboundCounters('shop', 'web-2'), /^Error: forbidden: no RBAC to get pods\/proxy/);
    await assert.rejects(telemetry.inboundCounters('shop', 'web-3'), /error trying to reach service/);
    await assert.rejects(telemetry.inboundCounters('shop', 'web-4'), /^Error: no answer in 3s$/);
    assert.deepEqual(
      api.calls.filter((c) => c.startsWith('proxyGet')),
      [
        'proxyGet pods/proxy meshward-system/https:meshward-a:8443/xds/proxies',
        'proxyGet pods/proxy meshward-system/https:meshward-b:8443/xds/proxies',
        'proxyGet pods/proxy shop/web-1:15090/stats/prometheus',
        'proxyGet pods/proxy shop/web-2:15090/stats/prometheus',
        'proxyGet pods/proxy shop/web-3:15090/stats/prometheus',
        'proxyGet pods/proxy shop/web-4:15090/stats/prometheus',
      ],
    );
    api.failNext('list', PODS, new KubeApiError(403, 'Forbidden', 'pods is forbidden'));
    assert.deepEqual(await telemetry.controlPlaneStates(), {
      replicas: [],
      error: "cannot list meshward's pods: forbidden: no RBAC to list pods in meshward-system",
    });
  });

  it('over KubeApi: each Running replica GET /injection body, in name order, a failure named per replica', async () => {
    const api = fakeKubeApi();
    for (const name of ['meshward-b', 'meshward-a', 'meshward-c']) api.put(PODS, meshwardPod(name, 'Running'));
    api.put(PODS, meshwardPod('meshward-old', 'Failed'));
    api.proxyAnswers.set('meshward-system/meshward-a:8443/injection', '{"configHash":"x"}');
    api.proxyAnswers.set('meshward-system/meshward-b:8443/injection', new KubeApiError(404, 'NotFound', 'not found'));
    api.proxyAnswers.set('meshward-system/meshward-c:8443/injection', new KubeApiError(403, 'Forbidden', 'forbidden'));
    assert.deepEqual(await kubeReplicaInjections(api, 'meshward-system'), {
      replicas: [
        { replica: 'meshward-a', answer: '{"configHash":"x"}' },
        { replica: 'meshward-b', error: 'no GET /injection (an older meshward?)' },
        { replica: 'meshward-c', error: 'forbidden: no RBAC to get pods/proxy (/injection)' },
      ],
    });
  });
});
