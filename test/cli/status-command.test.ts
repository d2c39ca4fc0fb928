import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../webhook/admission/types.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { TABLE_WIDTH } from '../../webhook/status/format-table.js';
import type { StatusReport } from '../../webhook/status/model.js';
import type { OpenedCluster } from '../../webhook/cli/open-cluster.js';
import { runStatusCommand, type StatusCommandDeps } from '../../webhook/cli/status-command.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import type { ReplicaReads } from '../../webhook/status/telemetry.js';
import { CONFIG_HASH, config, mixedCluster, NOW, templates, TRUST_ROOT } from '../status/fixtures.js';
import {
  authorizationCluster,
  authorizationTelemetry,
  liveCluster,
  liveTelemetry,
  type FakeTelemetry,
} from '../status/telemetry-fixtures.js';

// `meshward status`: table and JSON output, exit codes, offline --state, and --serve.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], deps: StatusCommandDeps = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await runStatusCommand(argv, io, {
    current: { config, templateHash: templates.hash, configHash: CONFIG_HASH },
    now: () => NOW,
    ...deps,
  });
  return { code, stdout, stderr };
}

describe('meshward status', () => {
  let objects: KubeObject[];
  let closed = 0;
  const opener = (): StatusCommandDeps => ({
    openCluster: async (): Promise<OpenedCluster> => ({
      cluster: new StaticClusterState(objects),
      origin: 'test',
      close: async () => void closed++,
    }),
  });
  before(async () => {
    objects = await mixedCluster();
  });

  it('prints the table in 100 columns and exits 1 when a STRICT namespace is violated', async () => {
    const res = await run(['--trust-root', TRUST_ROOT], opener());
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /STRICT violated in payments/);
    const lines = res.stdout.trimEnd().split('\n');
    const long = lines.filter((l) => [...l].length > TABLE_WIDTH);
    assert.deepEqual(long, [], 'every line fits 100 columns');
    assert.match(res.stdout, /^payments: requirement STRICT · inject enabled · meshed 3\/4 · 1 to restart · STRICT VIOLATED$/m);
    assert.match(res.stdout, /^proxies and counters: unknown \(offline: manifests carry no proxy state\)$/m, 'no telemetry given');
    assert.match(res.stdout, /^ {2}Deployment\/web +2\/2 +8080 PERMISSIVE +pod certificate +ok$/m);
    assert.match(res.stdout, /^ {2}StatefulSet\/cache +1\/1 +6379 STRICT +pod certificate +ok$/m);
    assert.match(res.stdout, /^ {4}MW-INJECT-001 Pod\/batch metadata\.labels/m);
    assert.match(res.stdout, /legacy \(Pending, cert none\): not injected \(created-before-opt-in\)/);
    assert.ok(closed > 0, 'the cluster is closed');
  });

  it('prints the model as JSON and exits 0 for a namespace without STRICT violations', async () => {
    const res = await run(['-n', 'shop', '-o', 'json'], opener());
    assert.equal(res.code, 0, res.stderr);
    const report = JSON.parse(res.stdout) as StatusReport;
    assert.deepEqual(
      report.namespaces.map((n) => n.name),
      ['shop'],
    );
    assert.deepEqual(report.summary.strictViolated, []);
    assert.equal(report.current.trustRoot, undefined);
  });

  it('shows who may call each port (Enforce and Audit policies) and the denials, in the table and as authorization in JSON', async () => {
    const authz = await authorizationCluster();
    const deps: StatusCommandDeps = {
      openCluster: async (): Promise<OpenedCluster> => ({
        cluster: new StaticClusterState(authz),
        telemetry: () => authorizationTelemetry(),
        origin: 'test',
        close: async () => undefined,
      }),
    };
    const table = await run(['-n', 'payments'], deps);
    assert.match(table.stdout, /^ {4}authz 5432: payments\/api \(audit, payments\/db-audit\)$/m);
    assert.match(table.stdout, / · 5432 STRICT mtls 7 plain 0 would deny 5, undeclared/);
    const json = JSON.parse((await run(['-n', 'shop', '-o', 'json'], deps)).stdout) as StatusReport;
    const web = json.namespaces[0]!.workloads.find((w) => w.name === 'web')!;
    assert.deepEqual(web.ports, [
      {
        port: 8080,
        resolved: 'PERMISSIVE',
        proxy: 'PERMISSIVE',
        authorization: {
          kind: 'allow-list',
          enforcement: 'Enforce',
          callers: ['ns:pay', 'shop/frontend', 'spiffe://partner.example/ns/etl/sa/loader'],
          policies: ['shop/web-callers'],
        },
      },
    ]);
    assert.deepEqual(web.pods[0]!.counters, {
      state: 'read',
      ports: [{ port: '8080', mtls: 120, plaintext: 3, tlsPassthrough: 0, denied: 3, auditDenied: 0 }],
    });
    const legacy = json.namespaces[0]!.workloads.find((w) => w.name === 'legacy')!;
    assert.deepEqual(legacy.pods[0]!.ports[0]!.authorization, { kind: 'allow-mesh' });
  });

  it("reads the proxies' state and counters through the telemetry of a live cluster; --no-proxy-stats skips the per-pod reads", async () => {
    const live = await liveCluster();
    const asked: string[] = [];
    let fake: FakeTelemetry | undefined;
    const withTelemetry: StatusCommandDeps = {
      openCluster: async (): Promise<OpenedCluster> => ({
        cluster: new StaticClusterState(live),
        telemetry: (meshNamespace) => {
          asked.push(meshNamespace);
          return (fake = liveTelemetry());
        },
        origin: 'test',
        close: async () => undefined,
      }),
    };
    const table = await run(['-n', 'shop'], withTelemetry);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(asked, [config.mesh.namespace]);
    assert.match(table.stdout, /^ {4}web-5d8f7c-aaaaa +current · 8080 PERMISSIVE mtls 120 plain 3$/m);
    assert.match(table.stdout, /^ {4}web-5d8f7c-bbbbb +stale 42s \(Listener not ACKed\) · counters unavailable/m);
    const json = JSON.parse((await run(['-n', 'shop', '-o', 'json'], withTelemetry)).stdout) as StatusReport;
    const pods = json.namespaces[0]!.workloads.flatMap((w) => w.pods);
    assert.deepEqual(
      pods.map((p) => [p.name, p.proxyConfig?.state, p.counters?.state]),
      [
        ['legacy', undefined, undefined],
        ['web-5d8f7c-aaaaa', 'current', 'read'],
        ['web-5d8f7c-bbbbb', 'stale', 'unavailable'],
      ],
    );
    const quick = await run(['-n', 'shop', '--no-proxy-stats'], withTelemetry);
    assert.equal(quick.code, 0, quick.stderr);
    assert.deepEqual(fake!.counterReads, [], 'no pod asked');
    assert.match(quick.stdout, /^counters: not read \(--no-proxy-stats\)$/m);
    assert.match(quick.stdout, /^ {4}web-5d8f7c-bbbbb +stale 42s \(Listener not ACKed\)$/m);
  });

  it('exits 2 with the reason for bad input', async () => {
    for (const [argv, message] of [
      [['-o', 'yaml'], /-o yaml: use table or json/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--port', '80'], /--port and --host need --serve/],
      [['--trust-root', 'xyz'], /--trust-root: a SHA-256 fingerprint/],
      [['--kubeconfig', 'k', '--state', 's'], /not both/],
    ] as const) {
      const res = await run([...argv], opener());
      assert.equal(res.code, 2, `${argv.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const missing = await run(['-n', 'nope'], opener());
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /namespace nope not found/);
  });

  it('exits 2 when the cluster cannot be read, never reporting it as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshward-status-'));
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      // Port 1 on loopback: nothing listens there.
      writeFileSync(
        kubeconfig,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
          users: [{ name: 'u', user: { token: 't' } }],
          contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'c',
        }),
      );
      for (const argv of [
        ['--kubeconfig', kubeconfig],
        ['--kubeconfig', kubeconfig, '--serve', '--port', '0'],
      ]) {
        const res = await run(argv);
        assert.equal(res.code, 2, res.stdout);
        assert.equal(res.stdout, '');
        assert.match(res.stderr, /cannot read namespaces from the Kubernetes API: .*ECONNREFUSED/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an offline cluster from --state manifests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshward-status-'));
    try {
      const file = join(dir, 'cluster.yaml');
      writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      const res = await run(['--state', file, '-n', 'payments', '-o', 'json']);
      assert.equal(res.code, 1, res.stderr);
      const report = JSON.parse(res.stdout) as StatusReport;
      assert.equal(report.namespaces[0]!.workloads.length, 4);
      const bad = await run(['--state', join(dir, 'missing.yaml')]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /missing\.yaml: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the dashboard with --serve until stopped', async () => {
    let pageText = '';
    let json: StatusReport | undefined;
    const res = await run(['--serve', '--port', '0', '-n', 'payments'], {
      ...opener(),
      untilStopped: async (server) => {
        pageText = await (await fetch(server.url)).text();
        json = (await (await fetch(`${server.url}api/status`)).json()) as StatusReport;
      },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /dashboard at http:\/\/127\.0\.0\.1:\d+\/ \(read-only/);
    assert.match(pageText, /data-namespace="payments"/);
    assert.doesNotMatch(pageText, /data-namespace="shop"/, '-n is the default filter');
    assert.deepEqual(
      json!.namespaces.map((n) => n.name),
      ['payments'],
    );
  });
});

describe('meshward status: judged by what the replicas inject', () => {
  const replicaBody = (changes: Record<string, unknown> = {}): string =>
    JSON.stringify({ config, templateHash: templates.hash, configHash: CONFIG_HASH, trustRoot: TRUST_ROOT, ...changes });

  async function live(argv: string[], answers: () => ReplicaReads<string>): Promise<Run & { asked: string[] }> {
    const objects = await mixedCluster();
    const asked: string[] = [];
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
    const code = await runStatusCommand(['-o', 'json', ...argv], io, {
      now: () => NOW,
      openCluster: async (): Promise<OpenedCluster> => ({
        cluster: new StaticClusterState(objects),
        origin: 'test',
        replicaInjections: async (meshNamespace) => (asked.push(meshNamespace), answers()),
        close: async () => undefined,
      }),
    });
    return { code, stdout, stderr, asked };
  }

  it('without --config, asks the replicas in meshward namespace and reports against theirs, trust root included', async () => {
    const res = await live([], () => ({ replicas: [{ replica: `${config.mesh.namespace}/meshward-a`, answer: replicaBody() }] }));
    assert.deepEqual(res.asked, [config.mesh.namespace]);
    const report = JSON.parse(res.stdout) as StatusReport;
    assert.equal(report.current.origin, `replica ${config.mesh.namespace}/meshward-a`);
    assert.equal(report.current.trustRoot, TRUST_ROOT, 'the replica trust root, without --trust-root');
    assert.equal(report.current.configHash, CONFIG_HASH);
    assert.equal(res.stderr.includes('judging against'), false, res.stderr);
  });

  it('a replica injecting another config makes the pods injected under ours drift; --trust-root overrides its trust root', async () => {
    const other = { ...config, proxy: { ...config.proxy, image: 'registry.local/proxy:8' } };
    const hash = injectionConfigHash(other);
    const res = await live(['--trust-root', 'c'.repeat(64)], () => ({
      replicas: [{ replica: 'm/a', answer: replicaBody({ config: other, configHash: hash }) }],
    }));
    const report = JSON.parse(res.stdout) as StatusReport;
    assert.equal(report.current.configHash, hash);
    assert.equal(report.current.trustRoot, 'c'.repeat(64));
    const drifted = (r: StatusReport): number =>
      r.namespaces.flatMap((n) => n.workloads.flatMap((w) => w.pods)).filter((p) => p.drift.some((d) => d.kind === 'config')).length;
    const same = await live([], () => ({ replicas: [{ replica: 'm/a', answer: replicaBody() }] }));
    assert.equal(drifted(JSON.parse(same.stdout) as StatusReport), 0);
    assert.ok(drifted(report) > 0, 'pods injected under the fixtures config drift from the replica config');
  });

  it('no replica answers: the local configuration, and stderr says why', async () => {
    const res = await live([], () => ({ replicas: [{ replica: 'm/a', error: 'forbidden: no RBAC to get pods/proxy (/injection)' }] }));
    const report = JSON.parse(res.stdout) as StatusReport;
    assert.equal(report.current.origin, 'local configuration');
    assert.match(res.stderr, /no meshward replica said what it injects \(m\/a: forbidden: no RBAC to get pods\/proxy \(\/injection\)\)/);
  });

  it('--config: the file, and the replicas are not asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'status-config-'));
    try {
      writeFileSync(join(dir, 'config.yaml'), stringify({ proxy: { image: 'registry.local/proxy:9' } }));
      const res = await live(['--config', join(dir, 'config.yaml')], () => assert.fail('asked the replicas'));
      const report = JSON.parse(res.stdout) as StatusReport;
      assert.deepEqual(res.asked, []);
      assert.equal(report.current.origin, join(dir, 'config.yaml'));
      // A bad file is reported before the cluster is opened.
      writeFileSync(join(dir, 'bad.yaml'), stringify({ proxy: { uid: 'root' } }));
      let opened = 0;
      let stderr = '';
      const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } };
      const code = await runStatusCommand(['--config', join(dir, 'bad.yaml')], io, {
        openCluster: async () => (opened++, assert.fail('opened the cluster')),
      });
      assert.equal(code, 2);
      assert.equal(opened, 0);
      assert.match(stderr, /proxy\.uid .*must be an integer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
