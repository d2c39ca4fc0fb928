import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { buildStatus } from '../../webhook/status/build-status.js';
import { formatStatusTable, TABLE_WIDTH } from '../../webhook/status/format-table.js';
import type { NamespaceStatus, PodStatus, StatusReport } from '../../webhook/status/model.js';
import type { TelemetryRequest } from '../../webhook/status/read-telemetry.js';
import { CONFIG_HASH, config, NOW, templates, TRUST_ROOT } from './fixtures.js';
import { counters, FakeTelemetry, liveCluster, liveTelemetry, NACK, proxy } from './telemetry-fixtures.js';

// The report with the proxies' telemetry: each injected pod's configuration state and counters,
// the counts they add up to, and how the table and the JSON show them.

async function report(telemetry: TelemetryRequest, objects?: KubeObject[]): Promise<StatusReport> {
  return buildStatus({
    config,
    cluster: new StaticClusterState(objects ?? (await liveCluster())),
    currentTemplateHash: templates.hash,
    currentConfigHash: CONFIG_HASH,
    currentTrustRoot: TRUST_ROOT,
    now: NOW,
    telemetry,
  });
}

function ns(r: StatusReport, name: string): NamespaceStatus {
  return r.namespaces.find((n) => n.name === name)!;
}

function podOf(r: StatusReport, namespace: string, name: string): PodStatus {
  return ns(r, namespace)
    .workloads.flatMap((w) => w.pods)
    .find((p) => p.name === name)!;
}

describe('buildStatus with the proxies’ telemetry', () => {
  let live: StatusReport;
  let fake: FakeTelemetry;
  before(async () => {
    fake = liveTelemetry();
    live = await report({ telemetry: fake });
  });

  it('gives each injected pod its configuration state from the replicas, and none to pods without a proxy', () => {
    const states = (namespace: string): string[][] =>
      ns(live, namespace)
        .workloads.flatMap((w) => w.pods)
        .map((p) => [p.name, p.proxyConfig?.state ?? '-', p.proxyConfig?.replica ?? '-']);
    assert.deepEqual(states('shop'), [
      ['legacy', '-', '-'],
      ['web-5d8f7c-aaaaa', 'current', 'meshward-7c9-a'],
      ['web-5d8f7c-bbbbb', 'stale', 'meshward-7c9-b'],
    ]);
    assert.deepEqual(states('payments'), [
      ['api-6c9d-xyz', 'not-connected', '-'],
      ['batch', '-', '-'],
      ['cache-0', 'not-connected', '-'],
      ['db-0', 'rejected', 'meshward-7c9-a'],
    ]);
    assert.equal(podOf(live, 'shop', 'web-5d8f7c-bbbbb').proxyConfig!.pendingSeconds, 42);
    assert.deepEqual(podOf(live, 'payments', 'db-0').proxyConfig!.rejected, [{ type: 'Listener', version: 'l2', message: NACK }]);
    assert.equal(podOf(live, 'payments', 'api-6c9d-xyz').proxyConfig!.expected, true, 'Pending: no proxy is expected yet');
    assert.equal(podOf(live, 'payments', 'cache-0').proxyConfig!.expected, false);
  });

  it('reads the counters of the Running injected pods only, and keeps a failed read as "unavailable"', () => {
    assert.deepEqual(fake.counterReads.sort(), ['payments/cache-0', 'payments/db-0', 'shop/web-5d8f7c-aaaaa', 'shop/web-5d8f7c-bbbbb']);
    assert.deepEqual(podOf(live, 'shop', 'web-5d8f7c-aaaaa').counters, { state: 'read', ports: [counters('8080', 120, 3)] });
    assert.deepEqual(podOf(live, 'shop', 'web-5d8f7c-bbbbb').counters, { state: 'unavailable', reason: 'no answer in 3s' });
    assert.deepEqual(podOf(live, 'payments', 'api-6c9d-xyz').counters, { state: 'not-read', reason: 'the pod is Pending' });
    assert.equal(podOf(live, 'shop', 'legacy').counters, undefined);
  });

  it('counts: restart (static drift) apart from stale, rejected and disconnected proxies', () => {
    const { restart, stale, rejected, disconnected } = live.summary;
    assert.deepEqual({ restart, stale, rejected, disconnected }, { restart: 1, stale: 1, rejected: 1, disconnected: 1 });
    assert.deepEqual(ns(live, 'payments').pods, { meshed: 3, total: 4, restart: 1, stale: 0, rejected: 1, disconnected: 1 });
    assert.deepEqual(live.telemetry.controlPlane.replicas, [
      { name: 'meshward-7c9-a', proxies: 2 },
      { name: 'meshward-7c9-b', proxies: 1 },
    ]);
  });

  it('prints a line per proxy under its workload: state, then per port mode and connections, within 100 columns', () => {
    const text = formatStatusTable(live);
    assert.deepEqual(
      text.split('\n').filter((l) => [...l].length > TABLE_WIDTH),
      [],
    );
    assert.match(text, /^proxies: 2 of 2 replica\(s\) answered \(meshward-7c9-a: 2, meshward-7c9-b: 1\)$/m);
    assert.match(text, /^counters: read from 3 of 4 Running injected pod\(s\), 1 unavailable$/m);
    assert.match(text, /^shop: requirement none · inject enabled · meshed 2\/3 · 1 stale$/m);
    assert.match(
      text,
      /^ {2}Deployment\/web +2\/2 +8080 PERMISSIVE +pod certificate +stale\n {4}web-5d8f7c-aaaaa +current · 8080 PERMISSIVE mtls 120 plain 3\n/m,
    );
    assert.match(text, /^ {4}web-5d8f7c-bbbbb +stale 42s \(Listener not ACKed\) · counters unavailable \(no answer in\s+3s\)$/m);
    assert.match(text, /^ {2}StatefulSet\/db +1\/1 +5432 STRICT +pod certificate +REJECTED\n {4}db-0 +REJECTED Listener: Error adding/m);
    assert.match(text, /5432 STRICT mtls 7 plain 0, undeclared STRICT mtls 0\s+plain 1/);
    assert.match(text, /^ {4}cache-0 +NOT CONNECTED: no meshward replica serves its proxy/m);
    assert.match(text, /6379 STRICT mtls 40 plain 0 tls 2/);
    assert.match(text, /^ {4}api-6c9d-xyz +not connected \(expected: Pending\)$/m);
    assert.match(text, /api-6c9d-xyz \(Pending, cert pod certificate\): restart \(template\)/);
  });

  it('puts the same in the JSON: per pod proxyConfig and counters, and where they came from', () => {
    const json = JSON.parse(JSON.stringify(live)) as StatusReport;
    assert.deepEqual(podOf(json, 'payments', 'db-0').counters, {
      state: 'read',
      ports: [counters('5432', 7, 0), counters('undeclared', 0, 1)],
    });
    assert.equal(json.telemetry.counters.read, true);
  });

  it('says unknown, not "not connected", for proxies a silent replica may serve; --no-proxy-stats reads no pod', async () => {
    const partial = new FakeTelemetry({
      replicas: [
        { replica: 'meshward-7c9-a', proxies: [proxy('shop', 'web-5d8f7c-aaaaa')] },
        { replica: 'meshward-7c9-b', error: 'no answer in 3s' },
      ],
    });
    const r = await report({ telemetry: partial, proxyStats: false });
    assert.deepEqual(partial.counterReads, []);
    assert.equal(podOf(r, 'shop', 'web-5d8f7c-aaaaa').proxyConfig!.state, 'current');
    assert.equal(podOf(r, 'payments', 'cache-0').proxyConfig!.state, 'unknown');
    assert.equal(r.summary.disconnected, 0);
    const text = formatStatusTable(r);
    assert.match(text, /^proxies: 1 of 2 replica\(s\) answered \(meshward-7c9-a: 1\); meshward-7c9-b did not: no answer in 3s$/m);
    assert.match(text, /^counters: not read \(--no-proxy-stats\)$/m);
    assert.doesNotMatch(text, /web-5d8f7c-aaaaa +current/, 'a current proxy with nothing counted needs no line');
  });

  it('offline (no telemetry): every proxy unknown, one header line, nothing fails', async () => {
    const r = await report({});
    assert.ok(
      r.namespaces.flatMap((n) => n.workloads.flatMap((w) => w.pods)).every((p) => !p.injected || p.proxyConfig?.state === 'unknown'),
    );
    const text = formatStatusTable(r);
    assert.match(text, /^proxies and counters: unknown \(offline: manifests carry no proxy state\)$/m);
    assert.deepEqual([r.summary.stale, r.summary.rejected, r.summary.disconnected], [0, 0, 0]);
  });
});
