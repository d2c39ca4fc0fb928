// Proves the e2e harness: a real kube-apiserver (v1.37) calls a locally running meshward
// (startMeshward, --self-signed, trivial handlers) over HTTPS for /mutate and /validate; the
// dry-run canary works and persists nothing; teardown leaves no process or directory behind.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdmissionDecision, AdmissionRequest, KubeObject, PatchOperation } from '../../webhook/admission/types.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import { ControlPlaneStartError, startControlPlane, type ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { ControlPlaneBuildError, ensureControlPlaneBinaries } from '../../scripts/control-plane/ensure-binaries.js';
import { hasSetpriv, isAlive, processesMatching, reapOrphans, spawnManaged, terminate } from '../../scripts/control-plane/processes.js';
import {
  injectedLabelCanary,
  metricsCanary,
  readAdmissionsTotal,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { sharedControlPlane } from './shared-cluster.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const FIXTURE_WEBHOOKS = join(here, 'fixtures', 'webhooks.yaml');
const FIXTURE_CRDS = join(here, 'fixtures', 'crds');
const REAL_WEBHOOKS = join(root, 'manifests', 'base', 'webhooks.yaml');
const COMPONENTS = /\b(etcd|kube-apiserver|kube-controller-manager)\b/;

function note(message: string): void {
  process.stdout.write(`      ${message}\n`);
}

/** Trivial handlers: allow everything, count calls, and mark pods the way the injector will. */
function recordingHandlers(): {
  calls: { mutate: AdmissionRequest[]; validate: AdmissionRequest[] };
  mutate: (r: AdmissionRequest) => AdmissionDecision;
  validate: (r: AdmissionRequest) => AdmissionDecision;
} {
  const calls = { mutate: [] as AdmissionRequest[], validate: [] as AdmissionRequest[] };
  return {
    calls,
    mutate(request) {
      calls.mutate.push(request);
      const labels = request.object?.metadata?.labels;
      if (request.kind.kind !== 'Pod' || labels?.['meshward.io/injected'] === 'true') return { allowed: true, reason: 'harness' };
      const patch: PatchOperation[] = labels
        ? [{ op: 'add', path: '/metadata/labels/meshward.io~1injected', value: 'true' }]
        : [{ op: 'add', path: '/metadata/labels', value: { 'meshward.io/injected': 'true' } }];
      return { allowed: true, reason: 'harness', patch };
    },
    validate(request) {
      calls.validate.push(request);
      return { allowed: true, reason: 'harness' };
    },
  };
}

function pod(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] },
  };
}

/** Leftover control-plane processes whose command line names `dir`. */
function leftovers(dir: string): Array<{ pid: number; cmdline: string }> {
  return processesMatching(dir).filter((p) => COMPONENTS.test(p.cmdline));
}

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e2e harness: real control plane calls meshward', function () {
  this.timeout(120_000);
  let cp: ControlPlane;
  let server: TestServer;
  let selfSignedDir: string;
  let recorder: ReturnType<typeof recordingHandlers>;
  const manifests = readManifestPaths([FIXTURE_WEBHOOKS]).map((s) => s.object);
  const NS = 'harness-e2e';

  before(async function () {
    cp = await sharedControlPlane();
    recorder = recordingHandlers();
    // Inside the control plane's dir, so even a killed run leaves nothing behind.
    selfSignedDir = mkdtempSync(join(cp.dir, 'meshward-tls-'));
    server = await startTestServer(recorder, { 'self-signed-dir': selfSignedDir });
    const registered = await registerMeshwardWebhooks({
      controlPlane: cp,
      meshwardUrl: server.url,
      caBundlePem: server.ca,
      manifests,
      crdPaths: [FIXTURE_CRDS],
    });
    note(
      `webhooks live after ${registered.readyMs} ms (${registered.canaryAttempts} canary attempt(s)); CRDs: ${registered.crds.join(', ')}`,
    );
    await cp.ensureNamespace(NS, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
  });

  after(async function () {
    if (cp && !cp.stopped) {
      await unregisterMeshwardWebhooks({ controlPlane: cp, manifests, deleteCrds: ['harnessprobes.e2e.meshward.io'] });
      await cp.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false']);
    }
    await server?.running.stop();
    if (selfSignedDir) rmSync(selfSignedDir, { recursive: true, force: true });
  });

  it('serves Kubernetes v1.37 with PodCertificateRequest and ClusterTrustBundle in certificates.k8s.io/v1', async () => {
    const version = (await cp.kubectl(['version', '-o', 'json'])).json<{ serverVersion: { gitVersion: string } }>();
    assert.match(version.serverVersion.gitVersion, /^v1\.37\./);
    const lines = (await cp.kubectl(['api-resources', '--no-headers'])).stdout
      .split('\n')
      .filter((l) => /podcertificate|clustertrustbundle/i.test(l));
    note(`kubectl api-resources:\n        ${lines.join('\n        ')}`);
    assert.ok(
      lines.some((l) => /^podcertificaterequests\s+certificates\.k8s\.io\/v1\s+true\s+PodCertificateRequest$/.test(l.trim())),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => /^clustertrustbundles\s+certificates\.k8s\.io\/v1\s+false\s+ClusterTrustBundle$/.test(l.trim())),
      lines.join('\n'),
    );
  });

  it('serves with a certificate for 127.0.0.1, 10.0.0.1 and the kubernetes Service names, signed by the cluster CA', () => {
    const cert = new X509Certificate(cp.pki.apiserver.certPem);
    assert.ok(cert.verify(new X509Certificate(cp.caPem).publicKey));
    for (const san of [
      'IP Address:127.0.0.1',
      'IP Address:10.0.0.1',
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
    ]) {
      assert.ok(cert.subjectAltName?.split(', ').includes(san), `${san} in ${cert.subjectAltName}`);
    }
    const client = new X509Certificate(cp.mintClientCert('someone', ['team-a', 'team-b']).certPem);
    assert.equal(client.subject, 'CN=someone\nO=team-a\nO=team-b');
    assert.ok(client.verify(new X509Certificate(cp.pki.clientCa.certPem).publicKey));
  });

  it('authenticates minted client certificates: admin, a node (kubelet) and the controller manager', async () => {
    const whoami = async (kubeconfig?: string): Promise<{ username: string; groups: string[] }> =>
      (await cp.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig })).json<{
        status: { userInfo: { username: string; groups: string[] } };
      }>().status.userInfo;
    const admin = await whoami();
    assert.ok(admin.groups.includes('system:masters'));
    const node = await whoami(cp.kubeconfigFor('system:node:harness-node', ['system:nodes']));
    assert.equal(node.username, 'system:node:harness-node');
    assert.ok(node.groups.includes('system:nodes'));
    // The Node authorizer and NodeRestriction are active: a node may not list secrets cluster-wide.
    const canI = await cp.kubectl(['auth', 'can-i', 'list', 'secrets', '--all-namespaces'], {
      kubeconfig: cp.kubeconfigFor('system:node:harness-node', ['system:nodes']),
      check: false,
    });
    assert.match(canI.stdout.trim(), /^no\b/);
    const kcm = await cp.request('GET', '/api/v1/namespaces/default/serviceaccounts', undefined, {
      credentials: cp.mintClientCert('system:kube-controller-manager'),
    });
    assert.equal(kcm.status, 200);
  });

  it('calls /mutate and /validate for a pod in an opted-in namespace, seen in meshward_admissions_total', async () => {
    const metricsUrl = `${server.url}/metrics`;
    const [mBefore, vBefore] = [
      await readAdmissionsTotal(metricsUrl, server.ca, 'mutate'),
      await readAdmissionsTotal(metricsUrl, server.ca, 'validate'),
    ];
    const created = (await cp.kubectl(['create', '-o', 'json', '-f', '-'], { input: pod('real-pod', NS) })).json<KubeObject>();
    assert.equal(created.metadata?.labels?.['meshward.io/injected'], 'true', 'the mutation came back from meshward through the API server');
    const mutateCall = recorder.calls.mutate.find((r) => r.namespace === NS && r.name === 'real-pod');
    const validateCall = recorder.calls.validate.find((r) => r.namespace === NS && r.name === 'real-pod');
    assert.ok(mutateCall, '/mutate was called for the pod');
    assert.ok(validateCall, '/validate was called for the pod');
    assert.equal(mutateCall.operation, 'CREATE');
    assert.equal(mutateCall.dryRun, false);
    assert.equal(validateCall.object?.metadata?.labels?.['meshward.io/injected'], 'true', 'validation sees the mutated pod');
    assert.equal(mutateCall.userInfo.username, cp.admin.user);
    assert.ok((await readAdmissionsTotal(metricsUrl, server.ca, 'mutate')) > mBefore);
    assert.ok((await readAdmissionsTotal(metricsUrl, server.ca, 'validate')) > vBefore);
    const stored = (await cp.kubectl(['get', 'pod', 'real-pod', '-n', NS, '-o', 'json'])).json<KubeObject>();
    assert.equal(stored.metadata?.labels?.['meshward.io/injected'], 'true');
    await cp.kubectl(['delete', 'pod', 'real-pod', '-n', NS, '--grace-period=0', '--force', '--wait=false']);
  });

  it('does not call meshward for a namespace that did not opt in', async () => {
    await cp.ensureNamespace('harness-plain');
    const before = recorder.calls.mutate.length + recorder.calls.validate.length;
    const res = await cp.request('POST', '/api/v1/namespaces/harness-plain/pods?dryRun=All', pod('plain', 'harness-plain'));
    assert.equal(res.status, 201);
    assert.equal(res.json<KubeObject>().metadata?.labels?.['meshward.io/injected'], undefined);
    assert.equal(recorder.calls.mutate.length + recorder.calls.validate.length, before);
    await cp.kubectl(['delete', 'namespace', 'harness-plain', '--wait=false']);
  });

  it('routes custom resources in webhook rules to /validate (CRD applied and Established)', async () => {
    const before = recorder.calls.validate.length;
    await cp.kubectl(['create', '--dry-run=server', '-f', '-'], {
      input: {
        apiVersion: 'e2e.meshward.io/v1alpha1',
        kind: 'HarnessProbe',
        metadata: { name: 'probe', namespace: NS },
        spec: { mode: 'STRICT' },
      },
    });
    const call = recorder.calls.validate.slice(before).find((r) => r.kind.kind === 'HarnessProbe');
    assert.ok(call, 'validate saw the HarnessProbe');
    assert.equal(call.dryRun, true);
  });

  it('dry-run canaries (label and metrics) succeed and a dry run persists nothing', async () => {
    const label = await registerMeshwardWebhooks({
      controlPlane: cp,
      meshwardUrl: server.url,
      caBundlePem: server.ca,
      manifests,
      crdPaths: [],
      canary: injectedLabelCanary(),
    });
    const metrics = await registerMeshwardWebhooks({
      controlPlane: cp,
      meshwardUrl: server.url,
      caBundlePem: server.ca,
      manifests,
      crdPaths: [],
      canary: metricsCanary({ metricsUrl: `${server.url}/metrics`, caPem: server.ca, webhook: 'mutate' }),
    });
    note(
      `re-registration: label canary ${label.readyMs} ms / ${label.canaryAttempts} attempt(s), metrics canary ${metrics.readyMs} ms / ${metrics.canaryAttempts}`,
    );
    const canaryPods = await cp.kubectl(['get', 'pods', '-n', 'meshward-canary', '-o', 'json']);
    assert.deepEqual(canaryPods.json<{ items: unknown[] }>().items, []);

    await cp.ensureNamespace('harness-dry', { 'meshward.io/inject': 'enabled' });
    const before = recorder.calls.mutate.length;
    const dry = (
      await cp.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: pod('dry', 'harness-dry') })
    ).json<KubeObject>();
    assert.equal(dry.metadata?.labels?.['meshward.io/injected'], 'true');
    const call = recorder.calls.mutate.slice(before).find((r) => r.name === 'dry');
    assert.equal(call?.dryRun, true, 'meshward is told the request is a dry run');
    const get = await cp.kubectl(['get', 'pods', '-n', 'harness-dry', '-o', 'name']);
    assert.equal(get.stdout.trim(), '', 'kubectl get pods is empty after a dry run');
  });

  it('kubectl apply --dry-run=server goes through meshward and persists nothing', async () => {
    const before = recorder.calls.mutate.length;
    const applied = await cp.kubectl(['apply', '--dry-run=server', '-o', 'json', '-f', '-'], { input: pod('applied', NS) });
    assert.equal(applied.json<KubeObject>().metadata?.labels?.['meshward.io/injected'], 'true');
    assert.ok(recorder.calls.mutate.slice(before).some((r) => r.name === 'applied' && r.dryRun === true));
    const ssa = await cp.kubectl(['apply', '--server-side', '--dry-run=server', '-o', 'json', '-f', '-'], {
      input: pod('applied-ssa', NS),
    });
    assert.equal(ssa.json<KubeObject>().metadata?.labels?.['meshward.io/injected'], 'true');
    assert.equal(
      (await cp.kubectl(['get', 'pod', 'applied', 'applied-ssa', '-n', NS, '--ignore-not-found', '-o', 'name'])).stdout.trim(),
      '',
    );
  });

  it('registers the real manifests/base/webhooks.yaml against the local meshward', async () => {
    const real = readManifestPaths([REAL_WEBHOOKS]).map((s) => s.object);
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests });
    try {
      const registered = await registerMeshwardWebhooks({
        controlPlane: cp,
        meshwardUrl: server.url,
        caBundlePem: server.ca,
        manifests: real,
        crdPaths: [],
      });
      note(
        `manifests/base/webhooks.yaml live after ${registered.readyMs} ms: ${registered.configurations.map((c) => c.metadata?.name).join(', ')}`,
      );
      const urls = registered.configurations.flatMap((c) =>
        (c.webhooks as Array<{ clientConfig: { url: string } }>).map((w) => w.clientConfig.url),
      );
      assert.ok(
        urls.every((u) => u === `${server.url}/mutate` || u === `${server.url}/validate`),
        urls.join(', '),
      );
    } finally {
      await unregisterMeshwardWebhooks({ controlPlane: cp, manifests: real });
      await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: server.url, caBundlePem: server.ca, manifests, crdPaths: [] });
    }
  });

  it('unregisterMeshwardWebhooks removes the configurations', async () => {
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests });
    const mwc = await cp.kubectl(['get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'name']);
    assert.doesNotMatch(mwc.stdout, /meshward/);
    // The API server's informer drops them within a moment: pods are then admitted without meshward.
    await until('pods are admitted without meshward', 30_000, async () => {
      const res = await cp.request('POST', `/api/v1/namespaces/${NS}/pods?dryRun=All`, pod('after-unregister', NS));
      return res.status === 201 && res.json<KubeObject>().metadata?.labels?.['meshward.io/injected'] === undefined;
    });
  });
});

describe('e2e harness: ensure-binaries', function () {
  this.timeout(30_000);

  it('names Go as what is missing when the binaries are not built and Go is not on PATH', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'meshward-e2e-nogo-'));
    try {
      await assert.rejects(
        ensureControlPlaneBinaries({ env: { PATH: '/usr/bin:/bin', HOME: cache, MESHWARD_CACHE: cache } }),
        (err: unknown) => err instanceof ControlPlaneBuildError && /needs Go/.test(err.message) && /go\.dev\/dl/.test(err.message),
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('returns the four cached binaries (memoised)', async () => {
    const bins = await ensureControlPlaneBinaries();
    assert.deepEqual(
      [bins.etcd, bins.kubeApiserver, bins.kubeControllerManager, bins.kubectl].map((p) => p.slice(bins.binDir.length + 1)),
      ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'],
    );
    assert.equal(await ensureControlPlaneBinaries(), await ensureControlPlaneBinaries());
  });
});

describe('e2e harness: control-plane lifecycle leaves nothing behind', function () {
  this.timeout(120_000);
  const cli = join(root, 'scripts', 'control-plane', 'main.ts');

  /** Runs `main.ts up` under tsx; resolves with the child and its printed kubeconfig path. */
  async function startCli(): Promise<{
    child: ChildProcess;
    kubeconfig: string;
    stdout: () => string;
    stderr: () => string;
    exited: Promise<number | null>;
  }> {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'up'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await until(
      `"export KUBECONFIG=" from main.ts up (stderr so far: ${err.slice(-2000)})`,
      90_000,
      () => /^export KUBECONFIG=/m.test(out) || child.exitCode !== null,
    );
    const m = /^export KUBECONFIG=(.+)$/m.exec(out);
    if (!m) throw new Error(`main.ts up exited early (${child.exitCode}):\n${err}`);
    return { child, kubeconfig: m[1]!.trim(), stdout: () => out, stderr: () => err, exited };
  }

  type CliRun = Awaited<ReturnType<typeof startCli>>;
  let dedicated: PromiseSettledResult<{ cp: ControlPlane; startMs: number }>;
  let cliSigint: PromiseSettledResult<CliRun>;
  let cliSigkill: PromiseSettledResult<CliRun>;
  const settled = <T>(r: PromiseSettledResult<T>): T => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  };

  // The three control planes start concurrently (~10-15 s together instead of ~30 s in a row);
  // the uncontended start time is the shared control plane's, printed when it comes up.
  before(async function () {
    const t0 = Date.now();
    [dedicated, cliSigint, cliSigkill] = await Promise.all([
      Promise.allSettled([startControlPlane().then((cp) => ({ cp, startMs: Date.now() - t0 }))]).then((r) => r[0]),
      Promise.allSettled([startCli()]).then((r) => r[0]),
      Promise.allSettled([startCli()]).then((r) => r[0]),
    ]);
  });

  // Whatever a failed test left running goes here.
  after(async function () {
    if (dedicated?.status === 'fulfilled') await dedicated.value.cp.stop();
    for (const run of [cliSigint, cliSigkill]) {
      if (run?.status === 'fulfilled' && run.value.child.exitCode === null && run.value.child.signalCode === null) {
        run.value.child.kill('SIGINT');
        await Promise.race([run.value.exited, new Promise((r) => setTimeout(r, 15_000))]);
        run.value.child.kill('SIGKILL');
      }
    }
  });

  it('stop() terminates every component in bounded time and removes the temp dir', async () => {
    const { cp, startMs } = settled(dedicated);
    const pids = Object.values(cp.pids);
    assert.equal(pids.length, 3);
    assert.ok(pids.every(isAlive));
    assert.equal(leftovers(cp.dir).length, 3);
    const result = await cp.stop();
    note(
      `dedicated control plane (started alongside two others): start ${startMs} ms (pki ${cp.timings.pkiMs}, etcd ${cp.timings.etcdMs}, ` +
        `apiserver ${cp.timings.apiserverMs}, controller-manager ${cp.timings.controllerManagerMs}), stop ${result.ms} ms ${JSON.stringify(result.outcomes)}`,
    );
    assert.ok(result.ms < 16_000, `stop took ${result.ms} ms`);
    assert.deepEqual(pids.filter(isAlive), [], 'no recorded pid is alive');
    assert.deepEqual(leftovers(cp.dir), [], 'no etcd/kube-apiserver/kube-controller-manager names the temp dir');
    assert.equal(existsSync(cp.dir), false, 'temp dir removed');
    assert.deepEqual(await cp.stop(), result, 'stop() is idempotent');
  });

  it('a failed start reports the component log and leaves nothing behind', async () => {
    const t = Date.now();
    const err = await startControlPlane({ extraApiserverArgs: ['--no-such-flag=1'], printLogsOnFailure: false }).then(
      () => assert.fail('started with an unknown kube-apiserver flag'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ControlPlaneStartError, String(err));
    assert.match(err.message, /kube-apiserver exited/);
    assert.match(err.logs['kube-apiserver'] ?? '', /unknown flag: --no-such-flag/);
    assert.deepEqual(leftovers(err.dir), []);
    assert.equal(existsSync(err.dir), false);
    note(`failed start detected and cleaned up in ${Date.now() - t} ms`);
  });

  it('terminate() escalates to SIGKILL when SIGTERM is ignored, within the grace period', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshward-e2e-term-'));
    try {
      const proc = spawnManaged(
        'stubborn',
        '/bin/sh',
        ['-c', `trap '' TERM; echo ready; while :; do sleep 0.1; done # ${dir}`],
        join(dir, 'stubborn.log'),
      );
      await until(
        'stubborn shell ignores SIGTERM',
        5000,
        () => existsSync(join(dir, 'stubborn.log')) && /^ready$/m.test(readFileSync(join(dir, 'stubborn.log'), 'utf8')),
      );
      const t = Date.now();
      assert.equal(await terminate(proc, 500), 'killed');
      assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
      assert.equal(isAlive(proc.pid), false);
      await until('nothing naming the dir is left', 5000, () => processesMatching(dir).length === 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`main.js up` prints the kubeconfig, serves kubectl, and stops cleanly on Ctrl-C (SIGINT)', async () => {
    const run = settled(cliSigint);
    const dir = dirname(run.kubeconfig);
    assert.match(run.stdout(), /server: {5}https:\/\/127\.0\.0\.1:\d+/);
    assert.equal(leftovers(dir).length, 3);
    const { kubectl } = await ensureControlPlaneBinaries();
    const ns = await new Promise<string>((resolveNs, reject) => {
      const k = spawn(kubectl, ['get', 'namespace', 'default', '-o', 'name'], {
        env: { ...process.env, KUBECONFIG: run.kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache') },
      });
      let out = '';
      k.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      k.on('error', reject);
      k.on('close', () => resolveNs(out.trim()));
    });
    assert.equal(ns, 'namespace/default', 'the printed KUBECONFIG works');
    const t = Date.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    note(`main.ts up: SIGINT to exit ${Date.now() - t} ms; ${run.stderr().trim().split('\n').slice(-1)[0]}`);
    assert.equal(code, 0, run.stderr());
    assert.deepEqual(leftovers(dir), []);
    assert.equal(existsSync(dir), false);
  });

  it('a SIGKILLed owner takes its control plane with it; the next start reaps its temp dir', async () => {
    const run = settled(cliSigkill);
    const dir = dirname(run.kubeconfig);
    const pids = leftovers(dir).map((p) => p.pid);
    assert.equal(pids.length, 3);
    run.child.kill('SIGKILL');
    await run.exited;
    if (hasSetpriv()) {
      // setpriv --pdeathsig KILL: the kernel kills the children as soon as their parent dies.
      await until('children die with their SIGKILLed parent', 10_000, () => leftovers(dir).length === 0);
    }
    const reaped = reapOrphans().filter((pid) => pids.includes(pid));
    assert.equal(reaped.length, hasSetpriv() ? 0 : 3, `reaped ${reaped.join(', ')}`);
    assert.deepEqual(leftovers(dir), []);
    assert.equal(existsSync(dir), false, 'the reaper removed the orphaned temp dir');
  });
});
