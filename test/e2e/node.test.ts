// meshward on a real kubelet node (scripts/node/): deployed by `kubectl apply -k` from its own images
// and manifests, two replicas under their real securityContext, RBAC and probes; injected pods that
// really start — the capture rules, the native sidecar's order, the podCertificate volume from the
// in-cluster signer and its refresh, the xDS configuration the proxy receives. The proxy is the test
// stand-in (test/go/cmd/proxy-standin): there is no Envoy binary here. It is a judge, not a proxy.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MESHWARD_ENTRYPOINT } from '../../scripts/meshward-process.js';
import type { StatusReport } from '../../webhook/status/model.js';
import { startNodeCluster, type NodeCluster } from '../../scripts/node/node-cluster.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { ensureNodeImages, NODE_IMAGES } from '../../scripts/node/local-images.js';
import { appPod, describeFailure, jobWithSidecar, podIn, readLogLines, waitFor } from './node-fixtures.js';

const SHOP = 'node-shop';
const VAULT = 'node-vault';

describe('e2e on a kubelet node: meshward in-cluster, injected pods that run', function () {
  this.timeout(240_000);
  let node: NodeCluster;
  let work: string;

  before(async function () {
    this.timeout(900_000); // a cold machine builds the node and the images first
    node = await startNodeCluster({
      images: await ensureNodeImages(),
      sandboxImage: NODE_IMAGES.pause,
      log: (m) => process.stdout.write(`      [node] ${m}\n`),
    });
    work = mkdtempSync(join(tmpdir(), 'meshward-node-test-'));
    try {
      await deploy();
    } catch (err) {
      process.stdout.write(await describeFailure(node.kubectl, ['meshward-system', SHOP]));
      throw err;
    }
  });

  async function deploy(): Promise<void> {
    await node.kubectl(['apply', '--server-side', '-k', join(repoRoot(), 'scripts/node/overlay')], { timeoutMs: 120_000 });
    await node.kubectl(['-n', 'meshward-system', 'rollout', 'status', 'deployment/meshward', '--timeout=180s'], { timeoutMs: 190_000 });
    // The replicas patch their webhooks' caBundle and publish the trust bundle before admission works.
    await waitFor('the injector webhook to carry a caBundle', 60_000, async () => {
      const res = await node.kubectl(['get', 'mutatingwebhookconfiguration', 'meshward-injector', '-o', 'json']);
      return Boolean(res.json().webhooks?.[0]?.clientConfig?.caBundle);
    });
    await node.ensureNamespace(SHOP, { 'meshward.io/inject': 'enabled' });
    await node.ensureNamespace(VAULT, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    // Created first: its certificate's refresh point is the longest wait of this file.
    await node.kubectl(['apply', '-f', '-'], { input: appPod(SHOP) });
    await node.kubectl(['-n', SHOP, 'wait', '--for=condition=Ready', 'pod/web', '--timeout=90s'], { timeoutMs: 100_000 });
  }

  after(async function () {
    this.timeout(60_000);
    if (work) rmSync(work, { recursive: true, force: true });
    await node?.stop();
  });

  it('runs meshward as its manifests say: two Ready replicas on Node 24, non-root, read-only root, one leader', async () => {
    const pods = (
      await node.kubectl(['-n', 'meshward-system', 'get', 'pods', '-l', 'app.kubernetes.io/name=meshward', '-o', 'json'])
    ).json();
    assert.equal(pods.items.length, 2);
    for (const pod of pods.items) {
      assert.ok(pod.status.conditions.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True'));
      assert.equal(pod.spec.securityContext.runAsUser, 65532);
      assert.equal(pod.spec.containers[0].securityContext.readOnlyRootFilesystem, true);
      const logs = readLogLines((await node.kubectl(['-n', 'meshward-system', 'logs', pod.metadata.name])).stdout);
      const listening = logs.find((l) => l.msg === 'meshward listening');
      assert.match(String(listening?.runtime), /^v24\./, 'the release image runs Node 24');
    }
    const leader = await signerLeader(node);
    assert.ok(
      pods.items.some((p: { metadata: { name: string } }) => p.metadata.name === leader),
      `a replica leads (${leader})`,
    );
  });

  it('starts an injected pod: meshward-init installs the capture rules, the proxy is ready before the app starts', async () => {
    const pod = (await node.kubectl(['-n', SHOP, 'get', 'pod', 'web', '-o', 'json'])).json();
    const [init, proxy] = pod.status.initContainerStatuses;
    assert.equal(init.name, 'meshward-init');
    assert.equal(init.state.terminated.exitCode, 0);
    assert.equal(proxy.name, 'meshward-proxy');
    assert.equal(proxy.ready, true);
    const app = pod.status.containerStatuses.find((c: { name: string }) => c.name === 'app');
    assert.ok(Date.parse(proxy.state.running.startedAt) <= Date.parse(app.state.running.startedAt), 'proxy started first');
    // The app itself asked the proxy's readiness port the moment it started.
    const appLog = (await node.kubectl(['-n', SHOP, 'logs', 'web', '-c', 'app'])).stdout;
    assert.match(appLog, /proxy at app start: HTTP\/1\.[01] 200/);
    const proxyLog = readLogLines((await node.kubectl(['-n', SHOP, 'logs', 'web', '-c', 'meshward-proxy'])).stdout);
    assert.ok(proxyLog.some((l) => l.msg === 'ready'));
    assert.match((await node.kubectl(['-n', SHOP, 'logs', 'web', '-c', 'meshward-init'])).stdout + 'x', /./);
    // Every rule the injector rendered into meshward-init's env, read back from inside the pod.
    const env: Array<{ name: string; value?: string }> = pod.spec.initContainers[0].env;
    const rendered = env.find((e) => e.name === 'MESHWARD_IPTABLES' || e.name === 'MESHWARD_IPTABLES_V4')?.value ?? '';
    const wanted = rendered.split('\n').filter((l) => l.startsWith('-A '));
    assert.ok(wanted.length >= 8, `rendered rules: ${rendered}`);
    const live = (await node.kubectl(['-n', SHOP, 'exec', 'web', '-c', 'app', '--', 'iptables-save', '-t', 'nat'])).stdout.split('\n');
    for (const rule of wanted) assert.ok(live.includes(rule), `${rule} is live in the pod (iptables-save:\n${live.join('\n')})`);
  });

  it("mounts a key and chain issued by meshward's in-cluster signer, verified against the ClusterTrustBundle beside it", async () => {
    const files = await credentialFiles(node, SHOP, 'web');
    const dir = join(work, 'creds-now');
    writeCredentials(dir, files);
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'ca.crt'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')],
      { encoding: 'utf8' },
    );
    assert.match(verified, /leaf\.pem: OK/);
    const text = execFileSync('openssl', ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    assert.match(text, new RegExp(`URI:spiffe://cluster\\.local/ns/${SHOP}/sa/web`));
    assert.match(files.bundle, /-----BEGIN (EC )?PRIVATE KEY-----/);
  });

  it('completes a Job whose pod has the native sidecar', async () => {
    await node.kubectl(['apply', '-f', '-'], { input: jobWithSidecar(SHOP) });
    await node.kubectl(['-n', SHOP, 'wait', '--for=condition=Complete', 'job/once', '--timeout=120s'], { timeoutMs: 130_000 });
    const pod = (await node.kubectl(['-n', SHOP, 'get', 'pods', '-l', 'job-name=once', '-o', 'json'])).json().items[0];
    assert.ok(
      pod.spec.initContainers.some(
        (c: { name: string; restartPolicy?: string }) => c.name === 'meshward-proxy' && c.restartPolicy === 'Always',
      ),
    );
    assert.equal(pod.status.phase, 'Succeeded');
  });

  it('refuses an uninjected pod in a STRICT namespace, and the in-cluster gate refuses a policy that would weaken it', async () => {
    const pod = await node.kubectl(['apply', '-f', '-'], { input: podIn(VAULT, 'plain', { 'meshward.io/inject': 'false' }), check: false });
    assert.notEqual(pod.code, 0);
    assert.match(pod.stderr, /MW-SIDECAR-002/); // the CEL backstop answers first; the gate's webhook agrees
    const relax = {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'relax', namespace: VAULT },
      spec: { mode: 'PERMISSIVE' },
    };
    const policy = await node.kubectl(['apply', '-f', '-'], { input: relax, check: false });
    assert.notEqual(policy.code, 0);
    assert.match(policy.stderr, /admission webhook "policies\.gate\.meshward\.io" denied the request: .*MW-/);
  });

  it('configures the proxy from the in-cluster control plane: secure naming for a meshed Service, plaintext for `kubernetes`', async () => {
    const upstreams = await waitFor('the stand-in to log its upstreams', 60_000, async () => {
      const lines = readLogLines((await node.kubectl(['-n', SHOP, 'logs', 'web', '-c', 'meshward-proxy'])).stdout);
      const web = lines.filter((l) => l.msg === 'upstream' && String(l.cluster).includes(`web.${SHOP}`));
      return web.length > 0 ? lines.filter((l) => l.msg === 'upstream') : undefined;
    });
    const meshed = upstreams.find((u) => String(u.cluster).includes(`web.${SHOP}`))!;
    assert.ok(
      JSON.stringify(meshed).includes(`spiffe://cluster.local/ns/${SHOP}/sa/web`),
      `mTLS requiring web's identity: ${JSON.stringify(meshed)}`,
    );
    // The API server is not meshed: no cluster and no outbound chain of its own, so its traffic takes
    // the passthrough, which is plaintext.
    const lines = readLogLines((await node.kubectl(['-n', SHOP, 'logs', 'web', '-c', 'meshward-proxy'])).stdout);
    const ip = async (ns: string, name: string): Promise<string> =>
      (await node.kubectl(['-n', ns, 'get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
    const [kubernetesIp, webIp] = [await ip('default', 'kubernetes'), await ip(SHOP, 'web')];
    const chains = lines.filter((l) => l.msg === 'listener').flatMap((l) => (l.chains as Array<{ match: string; tls: string }>) ?? []);
    // A chain's match reads "<prefix>,<prefix>…:<port>" (or "*").
    const matches = (ip: string) => (c: { match: string }) => c.match.split(':')[0]!.split(',').includes(`${ip}/32`);
    assert.ok(chains.some(matches(webIp)), `a chain for web's ClusterIP ${webIp}: ${JSON.stringify(chains)}`);
    assert.ok(!chains.some(matches(kubernetesIp)), `no chain for the kubernetes Service ${kubernetesIp}: ${JSON.stringify(chains)}`);
    assert.ok(!upstreams.some((u) => String(u.cluster).includes('kubernetes')));
    const passthrough = upstreams.find((u) => u.cluster === 'outbound|passthrough');
    assert.equal(passthrough?.tls, 'plaintext');
  });

  it('meshward status, with no configuration of its own, judges the pods by what the replicas inject', async () => {
    // The caller has none of the deployment's MESHWARD_* settings (its local proxy image, its
    // certificate lifetime): status asks a replica. Asynchronously: this process bridges the
    // API server's port.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MESHWARD_')));
    const args = [join(repoRoot(), MESHWARD_ENTRYPOINT), 'status', '--kubeconfig', node.kubeconfigPath, '-n', SHOP, '-o', 'json'];
    const res = await promisify(execFile)(process.execPath, args, { timeout: 60_000, env });
    const report = JSON.parse(res.stdout) as StatusReport;
    assert.match(String(report.current.origin), /^replica meshward-/, res.stderr);
    assert.equal(res.stderr, '', 'no note: a replica answered');
    assert.match(String(report.current.trustRoot), /^[0-9a-f]{64}$/, "the replica's trust root");
    const web = report.namespaces[0]!.workloads.flatMap((w) => w.pods).find((p) => p.name === 'web')!;
    assert.equal(web.injected, true);
    assert.deepEqual(web.drift, [], 'injected by this configuration: nothing to restart');
    assert.equal(web.trustRoot.state, 'current');
    assert.equal(web.proxyConfig?.state, 'current', JSON.stringify(web.proxyConfig));
  });

  it('loses no admission and no certificate while a meshward replica is deleted', async () => {
    const leader = await signerLeader(node);
    const deletion = node.kubectl(['-n', 'meshward-system', 'delete', 'pod', leader, '--wait=true'], { timeoutMs: 90_000 });
    deletion.catch(() => undefined); // awaited below
    // Admission answers all along (a server-side dry run is admitted and injected, or fails the test);
    // every third round (four at most) also creates a pod, whose certificate whichever replica leads must issue.
    const created: string[] = [];
    let admitted = 0;
    const deadline = Date.now() + 15_000;
    for (let i = 0; Date.now() < deadline; i++) {
      const name = `during-${i}`;
      const dryRun = i % 3 !== 0 || created.length >= 4; // a few real pods: the node has two cores
      const res = await node.kubectl(['create', ...(dryRun ? ['--dry-run=server'] : []), '-o', 'json', '-f', '-'], {
        input: podIn(SHOP, name, { app: 'during' }),
      });
      assert.ok(
        res.json().spec.initContainers?.some((c: { name: string }) => c.name === 'meshward-proxy'),
        `${name} was injected`,
      );
      admitted++;
      if (!dryRun) created.push(name);
    }
    await deletion;
    assert.ok(admitted >= 5, `${admitted} admissions while the leader went away`);
    await node.kubectl(['-n', SHOP, 'wait', '--for=condition=Ready', ...created.map((n) => `pod/${n}`), '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    assert.notEqual(await signerLeader(node), leader, 'the other replica leads now');
  });

  it('has the kubelet refresh the workload certificate at its beginRefreshAt, long before it expires', async function () {
    const before = await credentialFiles(node, SHOP, 'web');
    // The signer put beginRefreshAt as early as the API allows (10 minutes after a notBefore 60 s back);
    // the kubelet adds up to 5 minutes of jitter and looks every 1–2 minutes.
    const pcrs = (await node.kubectl(['-n', SHOP, 'get', 'podcertificaterequests', '-o', 'json'])).json().items;
    const issued = pcrs.find((r: { spec: { podName: string } }) => r.spec.podName === 'web');
    const beginRefreshAt = Date.parse(issued.status.beginRefreshAt);
    const notAfter = Date.parse(issued.status.notAfter);
    const latest = beginRefreshAt + 8 * 60_000;
    this.timeout(Math.max(60_000, latest - Date.now() + 60_000));
    const after = await waitFor(
      'a new certificate in the pod',
      Math.max(10_000, latest - Date.now()),
      async () => {
        const now = await credentialFiles(node, SHOP, 'web');
        return now.bundle !== before.bundle ? now : undefined;
      },
      5000,
    );
    const refreshedAt = Date.now();
    assert.ok(refreshedAt >= beginRefreshAt, 'not before beginRefreshAt');
    assert.ok(refreshedAt < notAfter - 30 * 60_000, 'long before the old certificate expires');
    const dir = join(work, 'creds-refreshed');
    writeCredentials(dir, after);
    execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), '-untrusted', join(dir, 'chain.pem'), join(dir, 'leaf.pem')]);
    const pod = (await node.kubectl(['-n', SHOP, 'get', 'pod', 'web', '-o', 'json'])).json();
    assert.equal(pod.status.phase, 'Running', 'no restart needed');
  });
});

/** The pod that holds the signer's lease (holderIdentity is <pod>_<random>). */
async function signerLeader(node: NodeCluster): Promise<string> {
  const lease = (await node.kubectl(['-n', 'meshward-system', 'get', 'lease', 'meshward-signer', '-o', 'json'])).json();
  return String(lease.spec.holderIdentity).replace(/_[^_]*$/, '');
}

interface Credentials {
  readonly bundle: string;
  readonly trustBundle: string;
}

/** The files of the pod's meshward-credentials volume, read where the kubelet mounted them. */
async function credentialFiles(node: NodeCluster, namespace: string, name: string): Promise<Credentials> {
  const uid = (await node.kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
  const volume = join(node.dir, 'kubelet', 'pods', uid, 'volumes', 'kubernetes.io~projected', 'meshward-credentials');
  const read = async (file: string): Promise<string> => (await node.inNode('cat', [join(volume, file)])).stdout;
  return { bundle: await read('credential-bundle.pem'), trustBundle: await read('ca.crt') };
}

function writeCredentials(dir: string, files: Credentials): void {
  rmSync(dir, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', dir]);
  const certs = files.bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  assert.ok(certs.length >= 1, 'the bundle holds a certificate chain');
  writeFileSync(join(dir, 'leaf.pem'), certs[0]!);
  writeFileSync(join(dir, 'chain.pem'), certs.slice(1).join('') || certs[0]!);
  writeFileSync(join(dir, 'ca.crt'), files.trustBundle);
}
