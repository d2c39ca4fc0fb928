import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { startDashboardServer, type DashboardServer } from '../../webhook/dashboard/dashboard-server.js';
import { applyFilters, filterQuery, parseFilters } from '../../webhook/dashboard/filters.js';
import { escapeHtml, html } from '../../webhook/dashboard/html.js';
import type { DashboardDeps } from '../../webhook/dashboard/status-source.js';
import { ClusterUnavailableError, type ClusterState } from '../../webhook/kube/cluster-state.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { buildStatus } from '../../webhook/status/build-status.js';
import type { StatusReport } from '../../webhook/status/model.js';
import { CONFIG_HASH, config, mixedCluster, namespace, NOW, pod, templates, TRUST_ROOT } from '../status/fixtures.js';
import { authorizationCluster, authorizationTelemetry, liveCluster, liveTelemetry } from '../status/telemetry-fixtures.js';

// The dashboard: escaping, filters, and the read-only HTTP app over a StaticClusterState.

function deps(cluster: ClusterState, extra: Partial<DashboardDeps> = {}): DashboardDeps {
  return {
    config,
    cluster,
    currentTemplateHash: templates.hash,
    currentConfigHash: CONFIG_HASH,
    currentTrustRoot: () => TRUST_ROOT,
    now: () => NOW,
    ...extra,
  };
}

/** Counts builds: each build lists the namespaces once. */
class CountingState extends StaticClusterState {
  builds = 0;
  override async listNamespaces(): Promise<KubeObject[]> {
    this.builds++;
    return super.listNamespaces();
  }
}

describe('dashboard html', () => {
  it('escapes every interpolated value and keeps nested markup', () => {
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&\``), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
    const name = '<img src=x onerror=alert(1)>';
    assert.equal(html`<td>${name}</td>${[html`<b>${'&'}</b>`]}`.value, '<td>&lt;img src=x onerror=alert(1)&gt;</td><b>&amp;</b>');
  });
});

describe('dashboard filters', () => {
  let report: StatusReport;
  before(async () => {
    report = await buildStatus({
      config,
      cluster: new StaticClusterState(await mixedCluster()),
      currentTemplateHash: templates.hash,
      currentConfigHash: CONFIG_HASH,
      now: NOW,
    });
  });

  it('parses the query string and refuses what it does not know', () => {
    assert.deepEqual(parseFilters({ namespace: 'shop', show: 'stale', q: ' web ', refresh: '10' }), {
      ok: true,
      filters: { namespace: 'shop', show: 'stale', q: 'web', refresh: 10 },
    });
    assert.deepEqual(parseFilters({}, { namespace: 'payments' }), {
      ok: true,
      filters: { namespace: 'payments', show: 'all', refresh: 0 },
    });
    assert.match((parseFilters({ show: 'everything' }) as { error: string }).error, /show: "everything" is not one of all, problems/);
    assert.match((parseFilters({ refresh: '1' }) as { error: string }).error, /refresh/);
    assert.match((parseFilters({ namespace: ['a', 'b'] }) as { error: string }).error, /namespace: give it once/);
    assert.equal(filterQuery({ show: 'all', refresh: 0 }, { show: 'problems', namespace: 'a b' }), '?namespace=a+b&show=problems');
  });

  it('narrows namespaces and workloads: problems, restart, stale, unmeshed, text', () => {
    const names = (r: StatusReport): string[] => r.namespaces.map((n) => `${n.name}:${n.workloads.map((w) => w.name).join(',')}`);
    assert.deepEqual(names(applyFilters(report, { show: 'problems', refresh: 0 })), ['payments:api,batch', 'plain:nightly', 'shop:legacy']);
    assert.deepEqual(names(applyFilters(report, { show: 'restart', refresh: 0 })), ['payments:api']);
    assert.deepEqual(names(applyFilters(report, { show: 'stale', refresh: 0 })), [], 'offline: no proxy is known to be stale');
    assert.deepEqual(names(applyFilters(report, { show: 'violations', refresh: 0 })), ['payments:batch']);
    assert.deepEqual(names(applyFilters(report, { show: 'unmeshed', refresh: 0, namespace: 'shop' })), ['shop:legacy']);
    assert.deepEqual(names(applyFilters(report, { show: 'all', refresh: 0, q: 'WEB-5d8f' })), ['shop:web']);
    assert.equal(applyFilters(report, { show: 'problems', refresh: 0 }).summary, report.summary, 'the tiles keep the whole cluster');
  });
});

describe('dashboard app', () => {
  let server: DashboardServer;
  let state: CountingState;
  before(async () => {
    state = new CountingState([...(await mixedCluster()), namespace('evil'), pod('evil', '<script>alert(1)</script>')]);
    server = await startDashboardServer({ deps: deps(state, { cacheMs: 60_000 }), port: 0 });
  });
  after(() => server.close());

  it('serves the page on 127.0.0.1: namespaces, workloads, port modes, violations with rule IDs, stale pods', async () => {
    assert.equal(server.address.address, '127.0.0.1');
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await res.text();
    for (const ns of ['payments', 'plain', 'shop'])
      assert.match(page, new RegExp(`<section class="[^"]*" id="ns-${ns}" data-namespace="${ns}">`));
    assert.match(page, /data-workload="Deployment\/web"/);
    // The proxies enforce the resolved mode (live over xDS): the STRICT label's floor, and the mesh default elsewhere.
    assert.match(page, /<span class="chip m-STRICT" title="proxy and policy: STRICT"><span class="port">6379<\/span>STRICT<\/span>/);
    assert.match(
      page,
      /<span class="chip m-PERMISSIVE" title="proxy and policy: PERMISSIVE"><span class="port">8080<\/span>PERMISSIVE<\/span>/,
    );
    assert.match(page, /<span class="rule">MW-INJECT-001<\/span><span class="obj">Pod batch<\/span>/);
    assert.match(page, /⚠ trust-root: trusts an older root/);
    assert.match(page, /STRICT violated/);
    assert.doesNotMatch(page, /<script>alert/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page, /<script|https?:\/\/(?!127)/i, 'no script and no external URL');
  });

  it('filters by query string, serves JSON at /api/status and builds once per cache period', async () => {
    const before = state.builds;
    const page = await (await fetch(`${server.url}?namespace=shop&show=unmeshed`)).text();
    assert.match(page, /data-namespace="shop"/);
    assert.doesNotMatch(page, /data-namespace="payments"/);
    assert.doesNotMatch(page, /data-workload="Deployment\/web"/);
    assert.match(page, /data-workload="Pod\/legacy"/);
    const json = (await (await fetch(`${server.url}api/status?show=restart`)).json()) as StatusReport;
    assert.deepEqual(
      json.namespaces.map((n) => n.name),
      ['payments'],
    );
    assert.ok(state.builds - before <= 1, 'one build serves both requests');
  });

  it('answers bad input and writes with 4xx, never 5xx', async () => {
    const bad = await fetch(`${server.url}?show=nope`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /bad query string: show: &quot;nope&quot;/);
    assert.equal((await fetch(`${server.url}api/status?refresh=abc`)).status, 400);
    const post = await fetch(server.url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.equal((await fetch(`${server.url}nothing-here`)).status, 404);
  });

  it('answers 503 while the cluster cannot be read, and recovers', async () => {
    let down = true;
    const flaky = new StaticClusterState(await mixedCluster());
    const original = flaky.listNamespaces.bind(flaky);
    flaky.listNamespaces = async () => {
      if (down) throw new ClusterUnavailableError('namespaces', new Error('connection refused'));
      return original();
    };
    const s = await startDashboardServer({ deps: deps(flaky), port: 0 });
    try {
      const res = await fetch(s.url);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /cannot read the cluster right now: cannot read namespaces/);
      assert.equal((await fetch(`${s.url}api/status`)).status, 503);
      down = false;
      assert.equal((await fetch(s.url)).status, 200, 'a failed build is not cached');
    } finally {
      await s.close();
    }
  });
});

describe('dashboard: the proxies’ configuration and counters per pod and port', () => {
  let server: DashboardServer;
  before(async () => {
    const telemetry = liveTelemetry();
    server = await startDashboardServer({ deps: deps(new StaticClusterState(await liveCluster()), { telemetry: { telemetry } }), port: 0 });
  });
  after(() => server.close());

  it('shows each pod’s configuration state and, per port, the connections its proxy counted', async () => {
    const page = await (await fetch(server.url)).text();
    const row = (pod: string): string => new RegExp(`<tr data-pod="${pod}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    assert.match(page, /<div class="telemetry"><b>proxies<\/b> 2 of 2 replica\(s\) answered/);
    const current = row('web-5d8f7c-aaaaa');
    assert.match(current, /<span class="badge b-ok" data-config="current"[^>]*>current<\/span>/);
    assert.match(current, /<div class="port-line" data-port="8080" data-connections="mtls 120 plain 3">/);
    assert.match(current, /mtls 120 · <span class="plain-seen">plain 3<\/span>/, 'plaintext still arriving stands out');
    const stale = row('web-5d8f7c-bbbbb');
    assert.match(stale, /data-config="stale"[^>]*>stale 42s</);
    assert.match(stale, /<div class="why" data-counters="unavailable">counters unavailable \(no answer in 3s\)<\/div>/);
    const rejected = row('db-0');
    assert.match(
      rejected,
      /<span class="badge b-bad" data-config="rejected"[^>]*>REJECTED<\/span><div class="nack"><b>Listener<\/b> Error adding\/updating listener\(s\) inbound: no certificate named &#39;meshward-certificate&#39;<\/div>/,
    );
    assert.match(rejected, /it keeps its last good configuration/);
    assert.match(rejected, /data-port="5432" data-connections="mtls 7 plain 0"/);
    assert.match(rejected, /data-port="undeclared" data-connections="mtls 0 plain 1"/);
    assert.match(
      row('cache-0'),
      /<span class="badge b-bad" data-config="not-connected"[^>]*>NOT CONNECTED<\/span><div class="why">no meshward replica serves its proxy/,
    );
    assert.match(row('cache-0'), /mtls 40 · <span class="">plain 0<\/span> · tls 2/);
    assert.match(
      row('api-6c9d-xyz'),
      /data-config="not-connected"[^>]*>not connected \(expected\)<\/span><div class="why">not connected, as expected: the pod is Pending/,
    );
    assert.match(page, /<tr class="workload" data-workload="StatefulSet\/db">[\s\S]*?<td class="state-rejected">config rejected/);
    assert.match(page, /<span class="badge b-bad">1 rejected<\/span><span class="badge b-bad">1 disconnected<\/span>/);
  });

  it('filters the proxies that are not current (stale, rejected, disconnected)', async () => {
    const json = (await (await fetch(`${server.url}api/status?show=stale`)).json()) as StatusReport;
    assert.deepEqual(
      json.namespaces.map((n) => `${n.name}:${n.workloads.map((w) => w.name).join(',')}`),
      ['payments:cache,db', 'shop:web'],
    );
  });
});

describe('dashboard: who may call each port and what the proxies refused', () => {
  let server: DashboardServer;
  before(async () => {
    const telemetry = authorizationTelemetry();
    server = await startDashboardServer({
      deps: deps(new StaticClusterState(await authorizationCluster()), { telemetry: { telemetry } }),
      port: 0,
    });
  });
  after(() => server.close());

  it('shows the authorization per port of the workloads policies select (Enforce, Audit), and the denial counts per pod', async () => {
    const page = await (await fetch(server.url)).text();
    const workload = (name: string): string =>
      new RegExp(`<tr class="workload" data-workload="${name}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    const row = (pod: string): string => new RegExp(`<tr data-pod="${pod}">[\\s\\S]*?</tr>`).exec(page)?.[0] ?? '';
    assert.match(
      workload('Deployment/web'),
      /<div class="authz" data-authz-port="8080" data-authz="allow-list">authz 8080: ns:pay, shop\/frontend, spiffe:\/\/partner\.example\/ns\/etl\/sa\/loader \(enforce, shop\/web-callers\)<\/div>/,
    );
    assert.match(
      workload('StatefulSet/db'),
      /<div class="authz" data-authz-port="5432" data-authz="allow-list">authz 5432: payments\/api \(audit, payments\/db-audit\)<\/div>/,
    );
    assert.doesNotMatch(workload('StatefulSet/cache'), /class="authz"/, 'no policy selects it: the mesh default, no line');
    assert.match(row('web-5d8f7c-aaaaa'), /data-port="8080" data-connections="mtls 120 plain 3 denied 3"/);
    assert.match(row('web-5d8f7c-aaaaa'), / · <span class="denied-seen" data-denied="3">denied 3<\/span>/);
    assert.match(row('db-0'), / · <span class="audit-seen" data-audit-denied="5">would deny 5<\/span>/);
    assert.doesNotMatch(row('cache-0'), /denied|would deny/, 'zero denials are not shown');
  });
});
