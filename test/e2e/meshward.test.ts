import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import {
  installMeshwardCrds,
  readAdmissionsTotal,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { MESHWARD_ENTRYPOINT, startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import { sharedControlPlane } from './shared-cluster.js';

// The real API server calls the real `meshward serve` process (the release entrypoint).
const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const backstop = join(root, 'manifests/base/strict-backstop.yaml');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function pod(name: string, extra: Record<string, any> = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...extra.metadata },
    spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }], ...extra.spec },
  });
}

describe('e2e: meshward in a real control plane', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess;

  before(async () => {
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath });
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    await cp.kubectl(['apply', '-f', backstop]);
    await cp.ensureNamespace('e2e-shop', { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace('e2e-strict', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    await cp.ensureNamespace('e2e-plain');
  });

  /** Applies a one-replica Deployment and returns its pods once the ReplicaSet controller made one (or none after ~30 s). */
  async function deployAndListPods(namespace: string, app: string, container: Record<string, unknown>): Promise<any[]> {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app } },
        template: { metadata: { labels: { app } }, spec: { containers: [container] } },
      },
    };
    await cp.kubectl(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(deployment) });
    let pods: any[] = [];
    for (let i = 0; i < 100 && pods.length === 0; i++) {
      pods = JSON.parse((await cp.kubectl(['get', 'pods', '-n', namespace, '-l', `app=${app}`, '-o', 'json'])).stdout).items;
      if (pods.length === 0) await sleep(300);
    }
    return pods;
  }

  after(async () => {
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    await cp.kubectl(['delete', '--ignore-not-found', '-f', backstop], { check: false });
    await meshward?.stop();
  });

  it('stores a directly created Pod injected, and leaves a namespace that did not opt in untouched', async () => {
    const mutations = (): Promise<number> => readAdmissionsTotal(`${meshward.url}/metrics`, meshward.caPem, 'mutate');
    const before = await mutations();
    await cp.kubectl(['apply', '-n', 'e2e-shop', '-f', '-'], { input: pod('direct') });
    const stored = JSON.parse((await cp.kubectl(['get', 'pod', 'direct', '-n', 'e2e-shop', '-o', 'json'])).stdout);
    assert.deepEqual(
      stored.spec.initContainers.map((c: any) => c.name),
      ['meshward-init', 'meshward-proxy'],
    );
    // The ServiceAccount plugin mounts the API token into the app, not into meshward's containers;
    // left alone it would, and that in-tree change would make the API server call /mutate again.
    const tokenMount = (c: any): any => c.volumeMounts?.find((m: any) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount');
    assert.match(tokenMount(stored.spec.containers[0]).name, /^kube-api-access-/);
    for (const c of stored.spec.initContainers) assert.equal(tokenMount(c).name, 'meshward-runtime', `${c.name} has no API token`);
    assert.equal((await mutations()) - before, 1, 'the API server called /mutate once for the pod');
    assert.equal(stored.spec.initContainers[1].restartPolicy, 'Always');
    assert.equal(stored.metadata.labels['meshward.io/injected'], 'true');
    assert.ok(
      stored.spec.volumes.some(
        (v: any) =>
          v.name === 'meshward-credentials' && v.projected.sources[0].podCertificate.signerName === 'meshward.io/workload-identity',
      ),
    );
    await cp.kubectl(['apply', '-n', 'e2e-plain', '-f', '-'], { input: pod('plain') });
    const plain = JSON.parse((await cp.kubectl(['get', 'pod', 'plain', '-n', 'e2e-plain', '-o', 'json'])).stdout);
    assert.equal(plain.spec.initContainers, undefined);
    assert.equal(plain.metadata.labels?.['meshward.io/injected'], undefined);
  });

  it('injects the pods a Deployment creates through the real kube-controller-manager', async () => {
    const pods = await deployAndListPods('e2e-shop', 'web', {
      name: 'web',
      image: 'web:1',
      readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    });
    assert.equal(pods.length, 1, 'the ReplicaSet controller created the pod');
    assert.ok(pods[0].spec.initContainers.some((c: any) => c.name === 'meshward-proxy'));
    assert.deepEqual(pods[0].spec.containers[0].readinessProbe.httpGet, { path: '/app-health/web/readyz', port: 15020, scheme: 'HTTP' });
  });

  const refusals: Array<[string, string, RegExp]> = [
    ['an opted-out pod', pod('optout', { metadata: { labels: { 'meshward.io/inject': 'false' } } }), /MW-|meshward/],
    ['a hostNetwork pod', pod('hostnet', { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a:1' }] } }), /hostNetwork/],
    [
      'a Deployment with an excluded inbound port (refused at kubectl apply)',
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'leaky' },
        spec: {
          selector: { matchLabels: { app: 'l' } },
          template: {
            metadata: { labels: { app: 'l' }, annotations: { 'meshward.io/exclude-inbound-ports': '8080' } },
            spec: { containers: [{ name: 'l', image: 'l:1' }] },
          },
        },
      }),
      /exclude-inbound-ports/,
    ],
    [
      'a PERMISSIVE MeshTLSPolicy',
      JSON.stringify({
        apiVersion: 'meshward.io/v1alpha1',
        kind: 'MeshTLSPolicy',
        metadata: { name: 'relax' },
        spec: { mode: 'PERMISSIVE' },
      }),
      /PERMISSIVE.*STRICT/,
    ],
  ];
  for (const [what, manifest, message] of refusals) {
    it(`refuses ${what} in a STRICT namespace with meshward's message`, async () => {
      const res = await cp.kubectl(['apply', '-n', 'e2e-strict', '-f', '-'], { input: manifest, check: false });
      assert.notEqual(res.code, 0, res.stdout);
      assert.match(res.stderr, message);
      assert.match(res.stderr, /denied/);
    });
  }

  it('meshward check --kubeconfig takes namespaces and policies from the live cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshward-check-'));
    const file = join(dir, 'pod.yaml');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'e2e-strict' },
        spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a:1' }] },
      }),
    );
    const run = spawnSync(
      process.execPath,
      [join(root, MESHWARD_ENTRYPOINT), 'check', '--kubeconfig', cp.kubeconfigPath, '-f', file, '-o', 'json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(
      JSON.parse(run.stdout).map((v: any) => v.rule),
      ['MW-HOSTNET-001'],
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('handles kubectl --dry-run=server and leaves nothing behind', async () => {
    const res = await cp.kubectl(['apply', '--dry-run=server', '-n', 'e2e-strict', '-o', 'json', '-f', '-'], { input: pod('dry') });
    assert.ok(JSON.parse(res.stdout).spec.initContainers.some((c: any) => c.name === 'meshward-proxy'));
    const got = await cp.kubectl(['get', 'pod', 'dry', '-n', 'e2e-strict'], { check: false });
    assert.notEqual(got.code, 0);
  });

  it("STRICT: admits meshward's own injection, also of a Deployment's generateName pods, and refuses a tampered copy (MW-SIDECAR-004)", async () => {
    const rendered = JSON.parse(
      (await cp.kubectl(['apply', '--dry-run=server', '-n', 'e2e-strict', '-o', 'json', '-f', '-'], { input: pod('again') })).stdout,
    );
    const resubmit = (tamper: (p: any) => void): Promise<{ code: number | null; stderr: string }> => {
      const copy = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'again', labels: rendered.metadata.labels, annotations: rendered.metadata.annotations },
        spec: structuredClone(rendered.spec),
      };
      tamper(copy);
      return cp.kubectl(['create', '-n', 'e2e-strict', '-f', '-'], { input: JSON.stringify(copy), check: false });
    };
    const tampered = await resubmit((p) => p.spec.initContainers[1].args.push('--config-yaml', '{}'));
    assert.notEqual(tampered.code, 0);
    assert.match(tampered.stderr, /MW-SIDECAR-004.*spec\.initContainers\[1\]\.args/);
    const own = await resubmit(() => undefined);
    assert.equal(own.code, 0, own.stderr);

    const pods = await deployAndListPods('e2e-strict', 'strict-web', { name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] });
    assert.equal(pods.length, 1, 'the ReplicaSet controller created the pod: the gate admitted it');
    assert.ok(pods[0].metadata.generateName);
    await cp.kubectl(['delete', '-n', 'e2e-strict', 'deployment/strict-web', 'pod/again', '--wait=false']);
  });

  it('with meshward stopped: opted-out namespaces keep working, STRICT namespaces refuse uninjected pods (CEL backstop)', async () => {
    const code = await meshward.stop();
    assert.equal(code, 0, 'meshward exits 0 on SIGTERM');
    await cp.kubectl(['apply', '-n', 'e2e-plain', '-f', '-'], { input: pod('while-down') });
    const res = await cp.kubectl(['apply', '-n', 'e2e-strict', '-f', '-'], { input: pod('uninjected'), check: false });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /meshward-strict-backstop|failed calling webhook/);
    assert.match(res.stderr, /denied|failed calling webhook/);
  });
});
