import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane, KubectlResult } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import {
  installMeshwardCrds,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { MESHWARD_ENTRYPOINT, startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import { sharedControlPlane } from './shared-cluster.js';

// The ways around STRICT that a real cluster offers (kubectl debug, annotations, look-alike
// injections, host namespaces, the proxy's identity and volumes), each refused with the gate's
// rule ID, the field and a fix: first by meshward's webhooks, then, with meshward stopped, by the
// CEL backstop (manifests/base/strict-backstop.yaml) alone. And what must stay admitted.
const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const backstop = join(root, 'manifests/base/strict-backstop.yaml');
const STRICT = 'e2e-holes-strict'; // opted in and STRICT
const PLAIN = 'e2e-holes-plain'; // opted in, not STRICT (until it turns STRICT over an old pod)
const NOINJECT = 'e2e-holes-noinject'; // STRICT, not opted in
const POLICY = 'e2e-holes-policy'; // a PERMISSIVE policy first, STRICT afterwards
const LOWER = 'e2e-holes-lower'; // labelled `strict` (lower case)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Obj = Record<string, any>;
const app = (extra: Obj = {}): Obj => ({ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }], ...extra });
const pod = (name: string, spec: Obj = {}, metadata: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...metadata },
  spec: { containers: [app()], ...spec },
});
const template = (name: string, spec: Obj): Obj => ({ metadata: { labels: { app: name } }, spec });
const workload = (kind: string, name: string, spec: Obj): Obj => ({
  apiVersion: kind.endsWith('Job') ? 'batch/v1' : 'apps/v1',
  kind,
  metadata: { name },
  spec,
});

/** Who answered a refusal. */
const BY_MESHWARD = /admission webhook "[a-z.-]+\.meshward\.io" denied the request/;
const BY_BACKSTOP = /ValidatingAdmissionPolicy 'meshward-strict-backstop' with binding 'meshward-strict-backstop' denied request/;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A refusal from the expected answerer with a finding `[rule] <field…>: <problem>. Fix: …`. */
function expectRefused(res: KubectlResult, rule: string, field: string, by: RegExp): void {
  assert.notEqual(res.code, 0, `expected ${rule}, but it was admitted: ${res.stdout}`);
  const why = `expected [${rule}] ${field}…: … Fix, by ${by}; got: ${res.stderr}`;
  assert.match(res.stderr, by, why);
  assert.match(res.stderr, new RegExp(`\\[${rule}\\] [^:;]*${escape(field)}[^:;]*: (?:(?!\\[MW-)[^])*?Fix: `), why);
  assert.doesNotMatch(res.stderr, /failed calling webhook/);
}

function expectAdmitted(res: KubectlResult): void {
  assert.equal(res.code, 0, res.stderr);
}

describe('e2e: holes in STRICT (kubectl debug, look-alikes, host namespaces, proxy identity) in a real control plane', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess;
  let rendered: Obj; // meshward's own injection of pod('lookalike') in STRICT
  const dir = mkdtempSync(join(tmpdir(), 'meshward-holes-'));

  const create = (namespace: string, object: Obj, ...flags: string[]): Promise<KubectlResult> =>
    cp.kubectl(['create', '-n', namespace, ...flags, '-f', '-'], { input: JSON.stringify(object), check: false });
  const debug = (target: string, name: string, ...flags: string[]): Promise<KubectlResult> =>
    cp.kubectl(['debug', '-n', STRICT, `pod/${target}`, '--image=busybox:1.36', '-c', name, ...flags], { check: false });
  const getPod = async (namespace: string, name: string): Promise<Obj> =>
    (await cp.kubectl(['get', 'pod', '-n', namespace, name, '-o', 'json'])).json();
  /** Re-creates meshward's own injection, tampered (MW-SIDECAR-004 look-alikes). */
  const lookalike = (name: string, tamper: (p: Obj) => void = () => undefined): Obj => {
    const copy = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: rendered.metadata.labels, annotations: { ...rendered.metadata.annotations } },
      spec: structuredClone(rendered.spec),
    };
    tamper(copy);
    return copy;
  };
  const customProfile = (name: string, container: Obj): string => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(container));
    return `--custom=${file}`;
  };
  async function podsOf(label: string, namespace = STRICT): Promise<Obj[]> {
    for (let i = 0; i < 100; i++) {
      const items = (await cp.kubectl(['get', 'pods', '-n', namespace, '-l', label, '-o', 'json'])).json().items as Obj[];
      if (items.length > 0) return items;
      await sleep(300);
    }
    return [];
  }

  /**
   * Applies the backstop; resolves once the API server type-checked it against the Pod schema
   * without warnings (that covers the validations' own expressions: variables are typed dyn, so
   * their mistakes only show at runtime, which the refusals below exercise) and enforces it.
   */
  async function installBackstop(): Promise<void> {
    await cp.kubectl(['apply', '-f', backstop]);
    for (let i = 0; ; i++) {
      const vap = (await cp.kubectl(['get', 'validatingadmissionpolicy', 'meshward-strict-backstop', '-o', 'json'])).json();
      if (vap.status?.observedGeneration === vap.metadata.generation && vap.status.typeChecking) {
        assert.deepEqual(vap.status.typeChecking.expressionWarnings ?? [], [], 'type-checking warnings');
        break;
      }
      assert.ok(i < 100, 'the backstop was never type-checked');
      await sleep(100);
    }
    // A policy takes effect a moment after it is written: wait until it refuses a hostPID look-alike.
    for (let i = 0; i < 100; i++) {
      if (
        (
          await create(
            STRICT,
            lookalike('probe-backstop', (p) => (p.spec.hostPID = true)),
            '--dry-run=server',
          )
        ).stderr.includes('meshward-strict-backstop')
      )
        return;
      await sleep(200);
    }
    throw new Error('the backstop never answered');
  }

  before(async () => {
    cp = await sharedControlPlane();
    await installMeshwardCrds(cp);
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath });
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    await cp.ensureNamespace(STRICT, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    await cp.ensureNamespace(PLAIN, { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace(NOINJECT, { 'meshward.io/mtls': 'STRICT' });
    await cp.ensureNamespace(POLICY, { 'meshward.io/inject': 'enabled' });
    await cp.ensureNamespace(LOWER, { 'meshward.io/inject': 'enabled' });
    expectAdmitted(
      await create(STRICT, pod('target', { containers: [app({ readinessProbe: { httpGet: { path: '/ready', port: 8080 } } })] })),
    );
    // Created before its namespace turns STRICT: uninjected, privileged, hostPID, with a finalizer.
    const legacy = pod(
      'legacy',
      { hostPID: true, containers: [app({ securityContext: { privileged: true } })] },
      { labels: { 'meshward.io/inject': 'false' }, finalizers: ['e2e.meshward.io/hold'] },
    );
    expectAdmitted(await create(PLAIN, legacy));
    rendered = (
      await create(
        STRICT,
        pod('lookalike', { containers: [app({ readinessProbe: { httpGet: { path: '/ready', port: 8080 } } })] }),
        '--dry-run=server',
        '-o',
        'json',
      )
    ).json();
    assert.deepEqual(
      rendered.spec.initContainers.map((c: Obj) => c.name),
      ['meshward-init', 'meshward-proxy'],
    );
  });

  after(async () => {
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    await cp.kubectl(['delete', '--ignore-not-found', '-f', backstop], { check: false });
    await meshward?.stop();
    await cp.kubectl(['patch', '-n', PLAIN, 'pod/legacy', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { check: false });
    await cp.kubectl(['delete', 'namespace', '--ignore-not-found', '--wait=false', STRICT, PLAIN, NOINJECT, POLICY, LOWER], {
      check: false,
    });
    rmSync(dir, { recursive: true, force: true });
  });

  describe('with meshward running: its webhooks refuse', () => {
    it('kubectl debug: --profile=netadmin, --profile=sysadmin, --target=meshward-proxy, runAsUser 1337 and meshward-credentials (ephemeral containers)', async () => {
      const eph = 'spec.ephemeralContainers[0]';
      expectRefused(
        await debug('target', 'dbg1', '--profile=netadmin'),
        'MW-CAPS-001',
        `${eph}.securityContext.capabilities.add`,
        BY_MESHWARD,
      );
      expectRefused(await debug('target', 'dbg2', '--profile=sysadmin'), 'MW-PRIV-001', `${eph}.securityContext.privileged`, BY_MESHWARD);
      expectRefused(
        await debug('target', 'dbg3', '--profile=general', '--target=meshward-proxy'),
        'MW-EPHEMERAL-001',
        `${eph}.targetContainerName`,
        BY_MESHWARD,
      );
      const asProxy = customProfile('uid', { securityContext: { runAsUser: 1337 } });
      expectRefused(
        await debug('target', 'dbg4', '--profile=restricted', asProxy),
        'MW-UID-001',
        `${eph}.securityContext.runAsUser`,
        BY_MESHWARD,
      );
      const mountsKey = customProfile('mount', { volumeMounts: [{ name: 'meshward-credentials', mountPath: '/x' }] });
      expectRefused(await debug('target', 'dbg5', '--profile=restricted', mountsKey), 'MW-VOLUME-001', `${eph}.volumeMounts`, BY_MESHWARD);
      assert.equal((await getPod(STRICT, 'target')).spec.ephemeralContainers, undefined, 'nothing was added');
    });

    it('a proxy image off the allow-list (meshward.io/proxy-image), and an update changing the proxy image with it (MW-SIDECAR-005)', async () => {
      const evil = { annotations: { 'meshward.io/proxy-image': 'evil.example/envoy:1' } };
      expectRefused(
        await create(STRICT, pod('evil-image', {}, evil)),
        'MW-IMAGE-001',
        'metadata.annotations["meshward.io/proxy-image"]',
        BY_MESHWARD,
      );
      const patch = [
        { op: 'replace', path: '/spec/initContainers/1/image', value: 'evil.example/envoy:1' },
        { op: 'add', path: '/metadata/annotations/meshward.io~1proxy-image', value: 'evil.example/envoy:1' },
      ];
      const res = await cp.kubectl(['patch', '-n', STRICT, 'pod/target', '--type=json', '-p', JSON.stringify(patch)], { check: false });
      expectRefused(res, 'MW-SIDECAR-005', 'spec.initContainers[1]', BY_MESHWARD);
    });

    it("a hand-made look-alike of meshward's injection (MW-SIDECAR-004); the untampered copy is admitted", async () => {
      const tampered: Array<[string, (p: Obj) => void, string]> = [
        [
          'init-envfrom',
          (p) => (p.spec.initContainers[0].envFrom = [{ configMapRef: { name: 'rules' } }]),
          'spec.initContainers[0].envFrom',
        ],
        ['proxy-root', (p) => (p.spec.initContainers[1].securityContext.runAsUser = 0), 'spec.initContainers[1].securityContext'],
        [
          'extra-route',
          (p) => {
            const status = JSON.parse(p.metadata.annotations['meshward.io/status']);
            status.probes.push({ ...status.probes[0], path: '/app-health/app/debug', originalPath: '/debug' });
            p.metadata.annotations['meshward.io/status'] = JSON.stringify(status);
          },
          'meshward.io/status',
        ],
      ];
      for (const [name, tamper, field] of tampered)
        expectRefused(await create(STRICT, lookalike(name, tamper)), 'MW-SIDECAR-004', field, BY_MESHWARD);
      expectAdmitted(await create(STRICT, lookalike('untampered')));
    });

    it('an app container mounting meshward-credentials (MW-VOLUME-001)', async () => {
      const res = await create(
        STRICT,
        pod('steal-key', { containers: [app({ volumeMounts: [{ name: 'meshward-credentials', mountPath: '/x' }] })] }),
      );
      expectRefused(res, 'MW-VOLUME-001', 'spec.containers[0].volumeMounts', BY_MESHWARD);
    });

    it("the proxy's group: supplementalGroups and fsGroup (MW-GID-002), a container's runAsGroup (MW-GID-001)", async () => {
      expectRefused(
        await create(STRICT, pod('suppl', { securityContext: { supplementalGroups: [1337] } })),
        'MW-GID-002',
        'spec.securityContext.supplementalGroups',
        BY_MESHWARD,
      );
      expectRefused(
        await create(STRICT, pod('fsgroup', { securityContext: { fsGroup: 1337 } })),
        'MW-GID-002',
        'spec.securityContext.fsGroup',
        BY_MESHWARD,
      );
      const res = await create(STRICT, pod('rungroup', { containers: [app({ securityContext: { runAsGroup: 1337 } })] }));
      expectRefused(res, 'MW-GID-001', 'spec.containers[0].securityContext.runAsGroup', BY_MESHWARD);
    });

    it("probes and ports on the proxy's ports, and a UDP port (MW-PROBE-001, MW-PORT-002, MW-PORT-001)", async () => {
      const probe = await create(
        STRICT,
        pod('probe-admin', { containers: [app({ readinessProbe: { httpGet: { path: '/', port: 15000 } } })] }),
      );
      expectRefused(probe, 'MW-PROBE-001', 'spec.containers[0].readinessProbe', BY_MESHWARD);
      const metrics = await create(STRICT, pod('port-metrics', { containers: [app({ ports: [{ containerPort: 15090 }] })] }));
      expectRefused(metrics, 'MW-PORT-002', 'spec.containers[0].ports[0]', BY_MESHWARD);
      const udp = await create(STRICT, pod('udp', { containers: [app({ ports: [{ containerPort: 5353, protocol: 'UDP' }] })] }));
      expectRefused(udp, 'MW-PORT-001', 'spec.containers[0].ports[0]', BY_MESHWARD);
    });

    it('hostPID (MW-HOSTPID-001) and hostIPC (MW-HOSTIPC-001)', async () => {
      expectRefused(await create(STRICT, pod('hostpid', { hostPID: true })), 'MW-HOSTPID-001', 'spec.hostPID', BY_MESHWARD);
      expectRefused(await create(STRICT, pod('hostipc', { hostIPC: true })), 'MW-HOSTIPC-001', 'spec.hostIPC', BY_MESHWARD);
    });

    it('a namespace turned STRICT over a PERMISSIVE policy serves STRICT; `meshward.io/mtls=strict` is refused (MW-NS-001)', async () => {
      const relax = {
        apiVersion: 'meshward.io/v1alpha1',
        kind: 'MeshTLSPolicy',
        metadata: { name: 'relax' },
        spec: { mode: 'PERMISSIVE' },
      };
      expectAdmitted(await create(POLICY, relax));
      await cp.ensureNamespace(POLICY, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
      expectAdmitted(
        await create(POLICY, pod('after-strict', { containers: [app({ ports: [{ containerPort: 8080 }, { containerPort: 9090 }] })] })),
      );
      // The injection carries no mode: the xDS server sends the resolver's, which `meshward status` reports.
      const status = JSON.parse((await getPod(POLICY, 'after-strict')).metadata.annotations['meshward.io/status']);
      assert.deepEqual([status.version, status.mode, status.ports], [2, undefined, undefined]);
      const report = spawnSync(
        process.execPath,
        [join(root, MESHWARD_ENTRYPOINT), 'status', '--kubeconfig', cp.kubeconfigPath, '-n', POLICY, '-o', 'json'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      const pods = JSON.parse(report.stdout).namespaces[0].workloads.flatMap((w: Obj) => w.pods);
      assert.deepEqual(
        pods.find((p: Obj) => p.name === 'after-strict').ports.map((p: Obj) => [p.port, p.resolved, p.proxy]),
        [
          [8080, 'STRICT', 'STRICT'],
          [9090, 'STRICT', 'STRICT'],
        ],
        report.stderr,
      );

      const lower = await cp.kubectl(['label', 'namespace', LOWER, 'meshward.io/mtls=strict'], { check: false });
      expectRefused(lower, 'MW-NS-001', 'metadata.labels["meshward.io/mtls"]', BY_MESHWARD);
      assert.equal((await cp.kubectl(['get', 'namespace', LOWER, '-o', 'json'])).json().metadata.labels['meshward.io/mtls'], undefined);
    });

    it('a Deployment in a STRICT namespace that did not opt in (MW-INJECT-002), at admission and in `meshward check`', async () => {
      const deployment = workload('Deployment', 'never-injected', {
        selector: { matchLabels: { app: 'ni' } },
        template: template('ni', { containers: [app()] }),
      });
      expectRefused(await create(NOINJECT, deployment), 'MW-INJECT-002', 'metadata.labels["meshward.io/inject"]', BY_MESHWARD);
      const file = join(dir, 'never-injected.json');
      writeFileSync(file, JSON.stringify({ ...deployment, metadata: { name: 'never-injected', namespace: NOINJECT } }));
      const run = spawnSync(
        process.execPath,
        [join(root, MESHWARD_ENTRYPOINT), 'check', '--kubeconfig', cp.kubeconfigPath, '-f', file, '-o', 'json'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.equal(run.status, 1, run.stderr);
      assert.ok(
        JSON.parse(run.stdout).some((v: Obj) => v.rule === 'MW-INJECT-002'),
        run.stdout,
      );
    });
  });

  describe('with meshward running and the CEL backstop installed: no false positives', () => {
    before(() => installBackstop());

    it('kubectl debug with --profile=general and --profile=restricted', async () => {
      expectAdmitted(await debug('target', 'general', '--profile=general'));
      expectAdmitted(await debug('target', 'restricted', '--profile=restricted'));
      const added = (await getPod(STRICT, 'target')).spec.ephemeralContainers as Obj[];
      assert.deepEqual(
        added.map((c) => [c.name, c.securityContext?.capabilities]),
        [
          ['general', { add: ['SYS_PTRACE'] }],
          ['restricted', { drop: ['ALL'] }],
        ],
      );
    });

    it('lets a pod from before its namespace turned STRICT be debugged, relabelled, lose its finalizer and be deleted', async () => {
      await cp.ensureNamespace(PLAIN, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
      const kubectl = (...args: string[]): Promise<KubectlResult> => cp.kubectl([...args, '-n', PLAIN], { check: false });
      expectAdmitted(await kubectl('debug', 'pod/legacy', '--image=busybox:1.36', '-c', 'look', '--profile=restricted'));
      expectAdmitted(await kubectl('label', 'pod/legacy', 'tier=old'));
      expectAdmitted(await kubectl('patch', 'pod/legacy', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'));
      expectAdmitted(await kubectl('delete', 'pod/legacy', '--wait=false'));
    });

    const admitted: Array<[string, Obj]> = [
      ['a root app without extra capabilities', pod('root-app', { containers: [app({ securityContext: { runAsUser: 0 } })] })],
      [
        'a root init container without extra capabilities',
        pod('root-init', { initContainers: [{ name: 'setup', image: 'setup:1', securityContext: { runAsUser: 0 } }] }),
      ],
      [
        'httpGet, tcpSocket, grpc and exec probes',
        pod('probes', {
          containers: [
            app({
              ports: [{ containerPort: 8080 }, { containerPort: 9000 }],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
              livenessProbe: { tcpSocket: { port: 8080 } },
              startupProbe: { grpc: { port: 9000 } },
            }),
            { name: 'helper', image: 'helper:1', livenessProbe: { exec: { command: ['true'] } } },
          ],
        }),
      ],
      [
        'an app terminating its own TLS (8443, HTTPS probe)',
        pod('own-tls', {
          containers: [
            app({ ports: [{ containerPort: 8443 }], readinessProbe: { httpGet: { path: '/healthz', port: 8443, scheme: 'HTTPS' } } }),
          ],
        }),
      ],
      [
        'a classic sidecar with hold-application',
        pod('classic', {}, { annotations: { 'meshward.io/native-sidecar': 'false', 'meshward.io/hold-application': 'true' } }),
      ],
      [
        'a CronJob with a native sidecar',
        workload('CronJob', 'nightly', {
          schedule: '0 3 * * *',
          jobTemplate: {
            spec: {
              template: template('nightly', {
                restartPolicy: 'Never',
                initContainers: [{ name: 'log-shipper', image: 'shipper:1', restartPolicy: 'Always' }],
                containers: [app()],
              }),
            },
          },
        }),
      ],
    ];
    for (const [what, object] of admitted) {
      it(`admits ${what}`, async () => {
        expectAdmitted(await create(STRICT, object));
        if (object.kind !== 'Pod') return;
        const { spec } = await getPod(STRICT, object.metadata.name);
        assert.ok(
          [...spec.initContainers, ...spec.containers].some((c: Obj) => c.name === 'meshward-proxy'),
          'stored injected',
        );
      });
    }

    it("admits a Job with a native sidecar and a StatefulSet with fsGroup 2000, and their controllers' pods", async () => {
      const job = workload('Job', 'batch', {
        template: template('batch', {
          restartPolicy: 'Never',
          initContainers: [{ name: 'log-shipper', image: 'shipper:1', restartPolicy: 'Always' }],
          containers: [app()],
        }),
      });
      const sts = workload('StatefulSet', 'db', {
        selector: { matchLabels: { app: 'db' } },
        template: template('db', { securityContext: { fsGroup: 2000 }, containers: [app()] }),
      });
      for (const object of [job, sts]) expectAdmitted(await create(STRICT, object));
      for (const label of ['app=batch', 'app=db']) {
        const pods = await podsOf(label);
        assert.equal(pods.length, 1, `the controller's pod (${label}) was admitted`);
        assert.equal(pods[0]!.metadata.labels['meshward.io/injected'], 'true');
      }
    });
  });

  describe('with meshward stopped: the CEL backstop alone refuses', () => {
    before(async () => {
      await installBackstop(); // already there, unless the block above failed
      assert.equal(await meshward.stop(), 0);
    });

    it('kubectl debug --profile=netadmin (MW-CAPS-001) and --target=meshward-proxy (MW-EPHEMERAL-001)', async () => {
      const eph = 'spec.ephemeralContainers[2]'; // after general and restricted
      expectRefused(
        await debug('target', 'down1', '--profile=netadmin'),
        'MW-CAPS-001',
        `${eph}.securityContext.capabilities.add`,
        BY_BACKSTOP,
      );
      expectRefused(
        await debug('target', 'down2', '--profile=general', '--target=meshward-proxy'),
        'MW-EPHEMERAL-001',
        `${eph}.targetContainerName`,
        BY_BACKSTOP,
      );
    });

    it('a look-alike with hostPID (MW-HOSTPID-001) or with the app mounting meshward-credentials (MW-VOLUME-001)', async () => {
      expectRefused(
        await create(
          STRICT,
          lookalike('down-hostpid', (p) => (p.spec.hostPID = true)),
        ),
        'MW-HOSTPID-001',
        'spec.hostPID',
        BY_BACKSTOP,
      );
      const steal = lookalike('down-steal', (p) =>
        p.spec.containers[0].volumeMounts.push({ name: 'meshward-credentials', mountPath: '/x' }),
      );
      expectRefused(await create(STRICT, steal), 'MW-VOLUME-001', 'spec.containers[0].volumeMounts', BY_BACKSTOP);
    });

    it("an update changing meshward-proxy's image (MW-SIDECAR-005)", async () => {
      const patch = [{ op: 'replace', path: '/spec/initContainers/1/image', value: 'evil.example/envoy:1' }];
      const res = await cp.kubectl(['patch', '-n', STRICT, 'pod/target', '--type=json', '-p', JSON.stringify(patch)], { check: false });
      expectRefused(res, 'MW-SIDECAR-005', 'spec.initContainers[1].image', BY_BACKSTOP);
    });
  });
});
