import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import {
  installMeshwardCrds,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import type { NamespaceStatus, PodStatus, StatusReport } from '../../webhook/status/model.js';
import { sharedControlPlane } from './shared-cluster.js';

// `meshward status` and `meshward generate` (the real CLI, dist/) against the real control plane,
// whose pods the real `meshward serve` injected: a meshed namespace, an unmeshed one, a STRICT
// one with a pod to restart and an opted-out pod, and one whose pod reads as Running. meshward
// runs as a process, not a pod, and no pod really runs: the proxies' telemetry degrades to "not
// connected" and "counters unavailable" instead of failing the report.

const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const NAMESPACES = ['st-meshed', 'st-plain', 'st-strict', 'st-live'];
const OLD_TEMPLATES = '0000000000000000';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
// These tests read STRICT where no policy says otherwise: the mesh default, set explicitly (it is
// PERMISSIVE out of the box) for meshward serve and for the CLI alike.
const STRICT_DEFAULT = { MESHWARD_MESH_DEFAULT_MODE: 'STRICT' };

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function meshwardCli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/webhook/cli/main.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', ...STRICT_DEFAULT },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function pod(name: string, labels: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
  });
}

function podIn(ns: NamespaceStatus, name: string): PodStatus {
  const found = ns.workloads.flatMap((w) => w.pods).find((p) => p.name === name);
  assert.ok(found, `pod ${name} in ${ns.name}: ${JSON.stringify(ns.workloads.map((w) => w.pods.map((p) => p.name)))}`);
  return found;
}

describe('e2e: meshward status and generate in a real control plane', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess;
  let trustRoot: string;

  async function status(namespace: string, output: 'json' | 'table' = 'json'): Promise<{ res: CliResult; ns?: NamespaceStatus }> {
    const res = await meshwardCli(['status', '--kubeconfig', cp.kubeconfigPath, '-n', namespace, '-o', output, '--trust-root', trustRoot]);
    if (output === 'table' || res.code === 2) return { res };
    const report = JSON.parse(res.stdout) as StatusReport;
    return { res, ns: report.namespaces[0]! };
  }

  async function generate(args: readonly string[]): Promise<CliResult> {
    return meshwardCli(['generate', '--kubeconfig', cp.kubeconfigPath, ...args]);
  }

  before(async () => {
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath, env: STRICT_DEFAULT });
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    await cp.ensureNamespace('st-meshed', { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace('st-plain');
    await cp.ensureNamespace('st-strict', { 'meshward.io/inject': 'enabled' });

    const web = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
        },
      },
    };
    await cp.kubectl(['apply', '-n', 'st-meshed', '-f', '-'], { input: JSON.stringify(web) });
    await cp.kubectl(['apply', '-n', 'st-meshed', '-f', '-'], { input: pod('solo', { app: 'solo' }) });
    await cp.kubectl(['apply', '-n', 'st-plain', '-f', '-'], { input: pod('plain', { app: 'plain' }) });
    for (const name of ['good', 'stale']) await cp.kubectl(['apply', '-n', 'st-strict', '-f', '-'], { input: pod(name, { app: name }) });
    await cp.kubectl(['apply', '-n', 'st-strict', '-f', '-'], { input: pod('optout', { app: 'optout', 'meshward.io/inject': 'false' }) });

    // The trust root meshward records (none until the identity controllers record one).
    const good = (await cp.kubectl(['get', 'pod', 'good', '-n', 'st-strict', '-o', 'json'])).json();
    const recorded = JSON.parse(good.metadata.annotations['meshward.io/status']).trustRoot as string;
    trustRoot = recorded || 'a'.repeat(64);
    // "stale": injected by an older meshward, under another trust root.
    const stale = (await cp.kubectl(['get', 'pod', 'stale', '-n', 'st-strict', '-o', 'json'])).json();
    const old = { ...JSON.parse(stale.metadata.annotations['meshward.io/status']), templateHash: OLD_TEMPLATES, trustRoot: 'b'.repeat(64) };
    await cp.kubectl(['annotate', 'pod', 'stale', '-n', 'st-strict', '--overwrite', `meshward.io/status=${JSON.stringify(old)}`]);
    // Turning STRICT is allowed with warnings about what already violates it (the opted-out pod).
    await cp.ensureNamespace('st-strict', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });

    for (let i = 0; i < 100; i++) {
      const pods = (await cp.kubectl(['get', 'pods', '-n', 'st-meshed', '-l', 'app=web', '-o', 'json'])).json().items;
      if (pods.length === 2) break;
      await sleep(300);
    }
  });

  after(async () => {
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    await meshward?.stop();
    await cp?.kubectl(['delete', 'namespace', ...NAMESPACES, '--ignore-not-found', '--wait=false'], { check: false });
  });

  it('reports the meshed namespace: Deployment pods grouped, injected, STRICT on every port (exit 0)', async () => {
    const { res, ns } = await status('st-meshed');
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(
      [ns!.requirement, ns!.injection, ns!.pods.meshed, ns!.pods.total, ns!.pods.restart, ns!.pods.stale],
      ['none', 'enabled', 3, 3, 0, 0],
    );
    const web = ns!.workloads.find((w) => w.kind === 'Deployment' && w.name === 'web');
    assert.ok(web, JSON.stringify(ns!.workloads.map((w) => `${w.kind}/${w.name}`)));
    assert.deepEqual(
      [web.meshed, web.total, web.ports],
      [2, 2, [{ port: 8080, resolved: 'STRICT', proxy: 'STRICT', authorization: { kind: 'allow-mesh' } }]],
    );
    for (const p of web.pods) {
      assert.deepEqual([p.injected, p.restart, p.phase, p.certificate.source], [true, false, 'Pending', 'pod-certificate']);
      // No meshward pod serves xDS here, and the pod is Pending anyway: not connected, as expected.
      assert.deepEqual([p.proxyConfig?.state, p.proxyConfig?.expected], ['not-connected', true]);
      assert.deepEqual(p.counters, { state: 'not-read', reason: 'the pod is Pending' });
    }
    assert.deepEqual(ns!.workloads.find((w) => w.name === 'solo')?.kind, 'Pod');
  });

  it('reports the unmeshed namespace with the injector reason', async () => {
    const { res, ns } = await status('st-plain');
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual([ns!.injection, ns!.pods.meshed, ns!.pods.total], ['not-enabled', 0, 1]);
    const plain = podIn(ns!, 'plain');
    assert.deepEqual([plain.injected, plain.notInjectedReason, plain.ports[0]?.proxy], [false, 'namespace-not-enabled', undefined]);
  });

  it('reports the STRICT namespace: the pod to restart, the opted-out pod with rule IDs, and exits 1', async () => {
    const { res, ns } = await status('st-strict');
    assert.equal(res.code, 1, res.stderr);
    assert.match(res.stderr, /STRICT violated in st-strict/);
    assert.deepEqual([ns!.requirement, ns!.strictViolated, ns!.pods.meshed, ns!.pods.total, ns!.pods.restart], ['STRICT', true, 2, 3, 1]);
    const stale = podIn(ns!, 'stale');
    assert.deepEqual(
      stale.drift.map((d) => d.kind),
      ['template', 'trust-root'],
    );
    assert.equal(stale.drift[0]!.injected, OLD_TEMPLATES);
    assert.equal(stale.trustRoot.state, 'stale');
    const good = podIn(ns!, 'good');
    assert.deepEqual([good.restart, good.violations.length], [false, 0]);
    const optout = podIn(ns!, 'optout');
    assert.equal(optout.notInjectedReason, 'pod-opted-out');
    assert.deepEqual(
      optout.violations.map((v) => v.rule),
      ['MW-INJECT-001', 'MW-SIDECAR-001', 'MW-SIDECAR-002', 'MW-SIDECAR-003'],
    );
    const table = await status('st-strict', 'table');
    assert.equal(table.res.code, 1);
    assert.match(table.res.stdout, /st-strict: requirement STRICT · inject enabled · meshed 2\/3 · 1 to restart · STRICT VIOLATED/);
    assert.match(table.res.stdout, /^proxies: no meshward replica is running$/m);
    assert.match(table.res.stdout, /^ {4}stale +not connected \(expected: Pending\)$/m);
    assert.ok(
      table.res.stdout.split('\n').every((l) => [...l].length <= 100),
      table.res.stdout,
    );
  });

  it('a Running injected pod: not connected (no replica serves it) and counters unavailable, never a failed report', async () => {
    await cp.ensureNamespace('st-live', { 'meshward.io/inject': 'enabled' });
    await cp.kubectl(['apply', '-n', 'st-live', '-f', '-'], { input: pod('live', { app: 'live' }) });
    // No kubelet here: say what one would (Running, ready, an address the API server cannot reach).
    const running = {
      status: {
        phase: 'Running',
        podIP: '192.0.2.10',
        podIPs: [{ ip: '192.0.2.10' }],
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
      },
    };
    await cp.kubectl(['patch', 'pod', 'live', '-n', 'st-live', '--subresource=status', '--type=merge', '-p', JSON.stringify(running)]);
    const started = Date.now();
    const { res, ns } = await status('st-live');
    assert.equal(res.code, 0, res.stderr);
    assert.ok(Date.now() - started < 30_000, 'each proxy read has its own deadline');
    const live = podIn(ns!, 'live');
    assert.deepEqual(
      [live.phase, live.injected, live.proxyConfig?.state, live.proxyConfig?.expected],
      ['Running', true, 'not-connected', false],
    );
    assert.match(live.proxyConfig!.note, /no meshward replica is running/);
    assert.equal(live.counters?.state, 'unavailable', JSON.stringify(live.counters));
    assert.deepEqual([ns!.pods.disconnected, ns!.workloads[0]!.disconnected], [1, 1]);
    const table = await status('st-live', 'table');
    assert.equal(table.res.code, 0, table.res.stderr);
    assert.match(table.res.stdout, /^counters: read from 0 of 1 Running injected pod\(s\), 1 unavailable$/m);
    assert.match(
      table.res.stdout,
      /^ {4}live +NOT CONNECTED: no meshward replica is running, so it has no live\s+configuration · counters\s+unavailable \(/m,
    );
    const quick = await meshwardCli(['status', '--kubeconfig', cp.kubeconfigPath, '-n', 'st-live', '--no-proxy-stats']);
    assert.equal(quick.code, 0, quick.stderr);
    assert.match(quick.stdout, /^counters: not read \(--no-proxy-stats\)$/m);
  });

  it('generate: a port policy applied with kubectl is accepted by the gate, and the proxies take the mode live (no restart)', async () => {
    const gen = await generate(['-n', 'st-meshed', '-l', 'app=web', '-p', '8080', '--mode', 'PERMISSIVE']);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /# {3}Deployment\/web \(2 pods\) port 8080: STRICT → PERMISSIVE/);
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: gen.stdout, check: false });
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stderr, /MW-ADVISE-001/, 'the real gate answered (its advisory is a kubectl warning)');
    const { ns } = await status('st-meshed');
    const web = ns!.workloads.find((w) => w.name === 'web')!;
    assert.deepEqual(web.ports, [{ port: 8080, resolved: 'PERMISSIVE', proxy: 'PERMISSIVE', authorization: { kind: 'allow-mesh' } }]);
    assert.ok(
      web.pods.every((p) => !p.restart && p.drift.length === 0),
      'the xDS server sends the new mode: nothing to restart',
    );
    assert.equal(podIn(ns!, 'solo').ports[0]!.resolved, 'STRICT', 'other workloads keep their mode');
  });

  it('generate: the namespace-wide policy is updated in place, never a second one', async () => {
    for (const mode of ['PERMISSIVE', 'STRICT']) {
      const gen = await generate(['-n', 'st-meshed', '--mode', mode]);
      assert.equal(gen.code, 0, gen.stderr);
      const applied = await cp.kubectl(['apply', '-f', '-'], { input: gen.stdout, check: false });
      assert.equal(applied.code, 0, applied.stderr);
    }
    const policies = (await cp.kubectl(['get', 'meshtlspolicies', '-n', 'st-meshed', '-o', 'json'])).json().items as Array<{
      metadata: { name: string };
      spec: { selector?: unknown; mode?: string };
    }>;
    const wide = policies.filter((p) => !p.spec.selector);
    assert.deepEqual(
      wide.map((p) => [p.metadata.name, p.spec.mode]),
      [['default', 'STRICT']],
    );
    const { ns } = await status('st-meshed');
    assert.deepEqual([ns!.level.mode, ns!.level.source, ns!.level.policy], ['STRICT', 'namespace', 'st-meshed/default']);
  });

  it('generate: refuses what the gate refuses (MW-POLICY-001), as the API server does, and accepts STRICT', async () => {
    const refused = await generate(['-n', 'st-strict', '--mode', 'PERMISSIVE']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /\(MW-POLICY-001\).*PERMISSIVE would accept plaintext in STRICT namespace st-strict/);
    const byHand = JSON.stringify({
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'default', namespace: 'st-strict' },
      spec: { mode: 'PERMISSIVE' },
    });
    const denied = await cp.kubectl(['apply', '-f', '-'], { input: byHand, check: false });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /MW-POLICY-001/);
    const strict = await generate(['-n', 'st-strict', '-l', 'app=good', '-p', '8080', '--mode', 'STRICT']);
    assert.equal(strict.code, 0, strict.stderr);
    const applied = await cp.kubectl(['apply', '-f', '-'], { input: strict.stdout, check: false });
    assert.equal(applied.code, 0, applied.stderr);
    const { ns } = await status('st-strict');
    assert.deepEqual(
      podIn(ns!, 'good').ports.map((p) => [p.port, p.resolved, p.source, p.policy]),
      [[8080, 'STRICT', 'port', 'st-strict/good-mtls']],
    );
  });
});
