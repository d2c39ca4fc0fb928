import assert from 'node:assert/strict';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { callerText } from '../../webhook/status/authorization.js';
import { buildStatus } from '../../webhook/status/build-status.js';
import { formatStatusTable, TABLE_WIDTH } from '../../webhook/status/format-table.js';
import type { StatusReport, WorkloadStatus } from '../../webhook/status/model.js';
import { CONFIG_HASH, config, NOW, templates } from './fixtures.js';
import { authorizationCluster, authorizationTelemetry } from './telemetry-fixtures.js';

// Who may call each port (MeshAuthorizationPolicy, by the policy resolver) and what the proxies'
// RBAC refused, in the model and the table: shop/web-callers Enforce on web's 8080,
// payments/db-audit Audit on db.

function workload(report: StatusReport, namespace: string, name: string): WorkloadStatus {
  const found = report.namespaces.find((n) => n.name === namespace)?.workloads.find((w) => w.name === name);
  assert.ok(found, `${namespace}/${name} in the report`);
  return found;
}

describe('status: authorization per port and denials', () => {
  let report: StatusReport;
  before(async () => {
    report = await buildStatus({
      config,
      cluster: new StaticClusterState(await authorizationCluster()),
      currentTemplateHash: templates.hash,
      currentConfigHash: CONFIG_HASH,
      now: NOW,
      telemetry: { telemetry: authorizationTelemetry() },
    });
  });

  it('gives each port the resolver’s authorization: callers as policies name them, enforcement and policy refs', () => {
    const web = {
      kind: 'allow-list',
      enforcement: 'Enforce',
      callers: ['ns:pay', 'shop/frontend', 'spiffe://partner.example/ns/etl/sa/loader'],
      policies: ['shop/web-callers'],
    };
    assert.deepEqual(workload(report, 'shop', 'web').ports[0]!.authorization, web);
    assert.deepEqual(
      workload(report, 'shop', 'web').pods.map((p) => p.ports.map((port) => port.authorization)),
      [[web], [web]],
    );
    assert.deepEqual(workload(report, 'payments', 'db').ports[0]!.authorization, {
      kind: 'allow-list',
      enforcement: 'Audit',
      callers: ['payments/api'],
      policies: ['payments/db-audit'],
    });
    assert.deepEqual(workload(report, 'payments', 'cache').ports[0]!.authorization, { kind: 'allow-mesh' }, 'no policy: the mesh default');
  });

  it('puts the denials beside the connections each proxy counted', () => {
    const web = workload(report, 'shop', 'web').pods.find((p) => p.name === 'web-5d8f7c-aaaaa')!;
    assert.deepEqual(web.counters, {
      state: 'read',
      ports: [{ port: '8080', mtls: 120, plaintext: 3, tlsPassthrough: 0, denied: 3, auditDenied: 0 }],
    });
  });

  it('prints one authz line under each workload a policy selects, and the denials when not zero', () => {
    const text = formatStatusTable(report);
    assert.ok(
      text.split('\n').every((l) => [...l].length <= TABLE_WIDTH),
      text,
    );
    assert.match(text, /^ {2}StatefulSet\/db +1\/1 +5432 STRICT .*\n {4}authz 5432: payments\/api \(audit, payments\/db-audit\)\n/m);
    assert.match(
      text,
      /^ {4}authz 8080: ns:pay, shop\/frontend, spiffe:\/\/partner\.example\/ns\/etl\/sa\/loader \(enforce,\n {10}shop\/web-callers\)$/m,
    );
    assert.match(text, /^ {4}web-5d8f7c-aaaaa +current · 8080 PERMISSIVE mtls 120 plain 3 denied 3$/m);
    assert.match(text, /5432 STRICT mtls 7 plain 0 would deny 5, undeclared/);
    assert.equal(text.match(/^ {4}authz /gm)?.length, 2, 'workloads no policy selects get no line');
  });

  it('writes ServiceAccount IDs as <ns>/<sa> and namespace prefixes as ns:<ns> only in the mesh’s trust domain', () => {
    assert.equal(callerText({ exact: 'spiffe://cluster.local/ns/shop/sa/web' }, 'cluster.local'), 'shop/web');
    assert.equal(callerText({ prefix: 'spiffe://cluster.local/ns/pay/' }, 'cluster.local'), 'ns:pay');
    assert.equal(callerText({ exact: 'spiffe://other.td/ns/shop/sa/web' }, 'cluster.local'), 'spiffe://other.td/ns/shop/sa/web');
    assert.equal(
      callerText({ exact: 'spiffe://cluster.local/ns/shop/sa/web/x' }, 'cluster.local'),
      'spiffe://cluster.local/ns/shop/sa/web/x',
    );
  });
});
