import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { buildConfig } from '../../webhook/config/load.js';
import { startIdentityControllers, type IdentityControllers } from '../../webhook/identity/index.js';
import { runCaCommand } from '../../webhook/cli/ca-command.js';
import { buildStubPkcs10 } from '../../webhook/pki/pkcs10-build.js';
import { captureLogger } from '../identity/helpers.js';
import { sharedControlPlane } from './shared-cluster.js';

// The identity controllers in-process against the real 1.37 API server, as the ServiceAccount
// user meshward runs as, with exactly the RBAC below (webhook/identity/README.md has the same).
const SYSTEM_NS = 'meshward-system';
const NS = 'e2e-identity'; // not opted in to injection: the pod is created as it is
const NODE = 'e2e-identity-node';
const SIGNER = 'meshward.io/workload-identity';
const SA_USER = 'system:serviceaccount:meshward-system:meshward';
const OTHER_SIGNER = 'e2e.example.com/not-meshward'; // a signer nobody runs: its requests stay pending

export const IDENTITY_RBAC = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: meshward-identity
rules:
- apiGroups: ["certificates.k8s.io"]
  resources: ["podcertificaterequests"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["certificates.k8s.io"]
  resources: ["podcertificaterequests/status"]
  verbs: ["update"]
- apiGroups: ["certificates.k8s.io"]
  resources: ["signers"]
  resourceNames: ["meshward.io/workload-identity"]
  verbs: ["sign", "attest"]
- apiGroups: ["certificates.k8s.io"]
  resources: ["clustertrustbundles"]
  verbs: ["list", "create", "update", "delete"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: meshward-identity
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: meshward-identity
subjects:
- kind: ServiceAccount
  name: meshward
  namespace: meshward-system
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: meshward-identity
  namespace: meshward-system
rules:
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["meshward-ca"]
  verbs: ["get", "list", "watch", "update"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["create"]
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  resourceNames: ["meshward-signer"]
  verbs: ["get", "update"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: meshward-identity
  namespace: meshward-system
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: meshward-identity
subjects:
- kind: ServiceAccount
  name: meshward
  namespace: meshward-system
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

describe('e2e: identity controllers in a real control plane', function () {
  this.timeout(240_000);
  let cp: ControlPlane;
  let tmp: string;
  let saKubeconfig: string;
  let nodeUid: string;
  let saUid: string;
  const pods = new Map<string, string>(); // pod name → uid
  const running: IdentityControllers[] = [];
  const logs = new Map<string, ReturnType<typeof captureLogger>>();
  const nodeCreds = (): ReturnType<ControlPlane['mintClientCert']> => cp.mintClientCert(`system:node:${NODE}`, ['system:nodes']);
  let asNode: ReturnType<ControlPlane['mintClientCert']>;

  const config = buildConfig({
    flags: { 'self-signed': true },
    file: { identity: { leaseDurationSeconds: 12, renewDeadlineSeconds: 8, retryPeriodSeconds: 1 } },
  });
  async function startReplica(identity: string): Promise<{ c: IdentityControllers; log: ReturnType<typeof captureLogger> }> {
    const log = captureLogger();
    const kc = new KubeConfig();
    kc.loadFromFile(saKubeconfig);
    const c = await startIdentityControllers({ config, logger: log.logger, kubeConfig: kc, identity });
    running.push(c);
    logs.set(identity, log);
    return { c, log };
  }
  const signedBy = (log: ReturnType<typeof captureLogger>, pcr: string): boolean =>
    log.lines.some((l) => l.msg === 'PodCertificateRequest decided' && l.pcr === pcr);
  // The signer logs its decision after the status write returns, so a test can see Issued first.
  const logsSigned = (log: ReturnType<typeof captureLogger>, pcr: string): Promise<boolean> =>
    until(`${pcr} signed in the log`, async () => signedBy(log, pcr) || undefined, 5_000);

  async function createPod(name: string, keyType: string, signerName = SIGNER): Promise<void> {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        nodeName: NODE,
        serviceAccountName: 'web',
        containers: [{ name: 'app', image: 'app:1' }],
        volumes: [
          {
            name: 'meshward-credentials',
            projected: { sources: [{ podCertificate: { signerName, keyType, credentialBundlePath: 'credentials.pem' } }] },
          },
        ],
      },
    };
    const res = await cp.request('POST', `/api/v1/namespaces/${NS}/pods`, pod);
    assert.equal(res.status, 201, res.body);
    pods.set(name, res.json().metadata.uid);
  }

  /** POSTs a PodCertificateRequest with the node's credentials, exactly the fields the kubelet sets. */
  async function createPcr(name: string, pod: string, stub: Buffer, signerName = SIGNER): Promise<void> {
    const body = {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'PodCertificateRequest',
      metadata: { name, namespace: NS },
      spec: {
        signerName,
        podName: pod,
        podUID: pods.get(pod),
        serviceAccountName: 'web',
        serviceAccountUID: saUid,
        nodeName: NODE,
        nodeUID: nodeUid,
        maxExpirationSeconds: 86_400,
        stubPKCS10Request: stub.toString('base64'),
      },
    };
    const res = await cp.request('POST', `/apis/certificates.k8s.io/v1/namespaces/${NS}/podcertificaterequests`, body, {
      credentials: asNode,
    });
    assert.equal(res.status, 201, `node creates the PCR: ${res.body}`);
  }
  const getPcr = async (name: string): Promise<any> =>
    (await cp.request('GET', `/apis/certificates.k8s.io/v1/namespaces/${NS}/podcertificaterequests/${name}`)).json();
  const decided = (name: string) => async (): Promise<any> => {
    const pcr = await getPcr(name);
    return pcr.status?.conditions?.length ? pcr : undefined;
  };
  const ecStub = (): { key: KeyObject; stub: Buffer } => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    return { key, stub: buildStubPkcs10(key) };
  };
  const openssl = (args: string[], input?: string): string =>
    execFileSync('openssl', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

  async function cleanupClusterObjects(): Promise<void> {
    await cp.kubectl(['delete', 'secret', 'meshward-ca', '-n', SYSTEM_NS, '--ignore-not-found'], { check: false });
    await cp.kubectl(['delete', 'lease', 'meshward-signer', '-n', SYSTEM_NS, '--ignore-not-found'], { check: false });
    await cp.kubectl(['delete', 'clustertrustbundles', '-l', 'app.kubernetes.io/managed-by=meshward', '--ignore-not-found'], {
      check: false,
    });
    await cp.kubectl(['delete', 'node', NODE, '--ignore-not-found'], { check: false });
  }

  before(async () => {
    cp = await sharedControlPlane();
    tmp = mkdtempSync(join(tmpdir(), 'meshward-e2e-identity-'));
    await cp.ensureNamespace(SYSTEM_NS);
    await cp.ensureNamespace(NS);
    await cleanupClusterObjects();
    await cp.kubectl(['apply', '-f', '-'], { input: IDENTITY_RBAC });
    saKubeconfig = cp.kubeconfigFor(SA_USER, ['system:serviceaccounts', 'system:serviceaccounts:meshward-system']);
    asNode = nodeCreds();
    const node = await cp.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
    assert.equal(node.status, 201, node.body);
    nodeUid = node.json().metadata.uid;
    const sa = await cp.request('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'web' },
    });
    assert.ok(sa.status === 201 || sa.status === 409, sa.body);
    saUid = (await cp.request('GET', `/api/v1/namespaces/${NS}/serviceaccounts/web`)).json().metadata.uid;
    await createPod('web-0', 'ECDSAP256');
    await createPod('web-ed', 'ED25519');
    await createPod('other-signer', 'ECDSAP256', OTHER_SIGNER);
  });

  after(async () => {
    await Promise.allSettled(running.map((c) => c.stop()));
    await cp.kubectl(['delete', 'namespace', NS, '--ignore-not-found', '--wait=false'], { check: false });
    await cleanupClusterObjects();
    await cp.kubectl(['delete', '-f', '-', '--ignore-not-found'], { input: IDENTITY_RBAC, check: false });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the v1 PodCertificateRequest spec has the fields the kubelet sets (kubectl explain against the server)', async () => {
    const explain = (await cp.kubectl(['explain', 'podcertificaterequest.spec', '--api-version=certificates.k8s.io/v1'])).stdout;
    for (const f of [
      'signerName',
      'podName',
      'podUID',
      'serviceAccountName',
      'serviceAccountUID',
      'nodeName',
      'nodeUID',
      'maxExpirationSeconds',
      'stubPKCS10Request',
      'unverifiedUserAnnotations',
    ]) {
      assert.match(explain, new RegExp(`^  ${f}\\s`, 'm'), f);
    }
    assert.doesNotMatch(explain, /pkixPublicKey|proofOfPossession/);
  });

  it('`meshward ca init --kubeconfig` creates the CA Secret and its ClusterTrustBundle; a second init is refused', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
    assert.equal(await runCaCommand(['init', '--kubeconfig', cp.kubeconfigPath], io), 0, out);
    assert.match(out, /created Secret meshward-system\/meshward-ca from a new self-signed root/);
    assert.match(out, /created ClusterTrustBundle meshward\.io:workload-identity:root-[0-9a-f]{16}/);
    const again = await runCaCommand(['init', '--kubeconfig', cp.kubeconfigPath], {
      stdout: { write: () => 0 },
      stderr: { write: (t: string) => (out += t) },
    });
    assert.equal(again, 2);
    assert.match(out, /already holds a CA; use "meshward ca rotate"/);
  });

  it('as the ServiceAccount with only the documented RBAC: a node-created PCR is Issued and the API accepts the status; openssl verifies the SVID', async () => {
    const { c, log } = await startReplica('replica-a');
    await c.ready;
    await until('replica-a to lead', async () => (c.isLeader() ? true : undefined));
    // The kubelet's stub request, made here with the openssl CLI (a fresh P-256 key, empty subject).
    const keyPem = openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    writeFileSync(join(tmp, 'k.pem'), keyPem);
    const stub = execFileSync('openssl', ['req', '-new', '-key', join(tmp, 'k.pem'), '-subj', '/', '-outform', 'DER']);
    await createPcr('web-0-cert', 'web-0', stub);
    const pcr = await until('web-0-cert decided', decided('web-0-cert'));
    assert.deepEqual(
      pcr.status.conditions.map((x: any) => [x.type, x.status, x.reason]),
      [['Issued', 'True', 'Issued']],
    );
    const leaf = new X509Certificate(pcr.status.certificateChain);
    assert.ok(leaf.publicKey.equals(createPublicKey(keyPem)), 'issued to the stub request key');
    assert.equal(new Date(pcr.status.notBefore).getTime(), new Date(leaf.validFrom).getTime());
    assert.equal(new Date(pcr.status.notAfter).getTime(), new Date(leaf.validTo).getTime());
    // openssl: the chain verifies against the root as published in the ClusterTrustBundle.
    const bundles = (await cp.kubectl(['get', 'clustertrustbundles', '-o', 'json']))
      .json()
      .items.filter((b: any) => b.spec.signerName === SIGNER);
    assert.equal(bundles.length, 1);
    assert.equal(bundles[0].metadata.name, `meshward.io:workload-identity:root-${c.trustRootFingerprint()!.slice(0, 16)}`);
    writeFileSync(join(tmp, 'root.pem'), bundles[0].spec.trustBundle);
    writeFileSync(join(tmp, 'chain.pem'), pcr.status.certificateChain);
    assert.match(
      openssl(['verify', '-x509_strict', '-purpose', 'sslclient', '-CAfile', join(tmp, 'root.pem'), join(tmp, 'chain.pem')]),
      /chain\.pem: OK/,
    );
    assert.match(
      openssl(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(tmp, 'root.pem'), join(tmp, 'chain.pem')]),
      /chain\.pem: OK/,
    );
    const text = openssl(['x509', '-noout', '-text'], pcr.status.certificateChain);
    assert.match(text, /X509v3 Subject Alternative Name: critical\s+URI:spiffe:\/\/cluster\.local\/ns\/e2e-identity\/sa\/web\s*\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\s*\n/);
    assert.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication, TLS Web Client Authentication/);
    const line = log.lines.find((l) => l.msg === 'PodCertificateRequest decided' && l.pcr === 'web-0-cert')!;
    assert.deepEqual([line.namespace, line.pod, line.decision, line.reason], [NS, 'web-0', 'Issued', 'Issued']);
    assert.doesNotMatch(log.text(), /PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it('an Ed25519 stub (accepted by the API, not by meshward by default) is Denied UnsupportedKeyType', async () => {
    await createPcr('web-ed-cert', 'web-ed', buildStubPkcs10(generateKeyPairSync('ed25519').privateKey));
    const pcr = await until('web-ed-cert decided', decided('web-ed-cert'));
    assert.equal(pcr.status.conditions[0].type, 'Denied');
    assert.equal(pcr.status.conditions[0].reason, 'UnsupportedKeyType');
    assert.match(pcr.status.conditions[0].message, /set the podCertificate keyType to one of ECDSAP256, RSA3072, RSA4096/);
    assert.equal(pcr.status.certificateChain, undefined);
  });

  it('an RSA-2048 stub never reaches the signer: the API server refuses it at create', async () => {
    const res = await cp.request(
      'POST',
      `/apis/certificates.k8s.io/v1/namespaces/${NS}/podcertificaterequests`,
      {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'PodCertificateRequest',
        metadata: { name: 'web-rsa2048' },
        spec: {
          signerName: SIGNER,
          podName: 'web-0',
          podUID: pods.get('web-0'),
          serviceAccountName: 'web',
          serviceAccountUID: saUid,
          nodeName: NODE,
          nodeUID: nodeUid,
          maxExpirationSeconds: 86_400,
          stubPKCS10Request: buildStubPkcs10(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey).toString('base64'),
        },
      },
      { credentials: asNode },
    );
    assert.equal(res.status, 422);
    assert.match(res.body, /RSA keys must have modulus size 3072 or 4096/);
  });

  it('`kubectl get clustertrustbundles` lists the signer-linked bundle holding the root', async () => {
    const out = (await cp.kubectl(['get', 'clustertrustbundles'])).stdout;
    assert.match(out, /meshward\.io:workload-identity:root-[0-9a-f]{16}\s+meshward\.io\/workload-identity/);
  });

  it('failover: only the leader signs; when it stops, the standby signs new requests and those created while no one led', async () => {
    const a = running[0]!;
    const aLog = logs.get('replica-a')!;
    const b = await startReplica('replica-b');
    await b.c.ready;
    assert.equal(b.c.trustRootFingerprint(), a.trustRootFingerprint());
    assert.equal(b.c.isLeader(), false);
    await createPcr('before-failover', 'web-0', ecStub().stub);
    assert.equal((await until('before-failover', decided('before-failover'))).status.conditions[0].type, 'Issued');
    assert.ok(await logsSigned(aLog, 'before-failover'), 'the leader signed');
    assert.equal(signedBy(b.log, 'before-failover'), false, 'the standby did not');

    await a.stop(); // releases the lease
    await createPcr('during-failover', 'web-0', ecStub().stub);
    await until('replica-b to lead', async () => (b.c.isLeader() ? true : undefined), 20_000);
    assert.equal((await until('during-failover', decided('during-failover'))).status.conditions[0].type, 'Issued');
    await createPcr('after-failover', 'web-0', ecStub().stub);
    assert.equal((await until('after-failover', decided('after-failover'))).status.conditions[0].type, 'Issued');
    assert.ok((await logsSigned(b.log, 'during-failover')) && (await logsSigned(b.log, 'after-failover')));
    assert.equal(signedBy(aLog, 'during-failover') || signedBy(aLog, 'after-failover'), false);

    await b.c.stop();
    const lease = (await cp.kubectl(['get', 'lease', 'meshward-signer', '-n', SYSTEM_NS, '-o', 'json'])).json();
    assert.equal(lease.spec.holderIdentity, undefined, 'released on stop');
    await createPcr('leaderless', 'web-0', ecStub().stub);
    await sleep(1500);
    assert.equal((await getPcr('leaderless')).status?.conditions, undefined, 'nobody signs without a leader');
    const c = await startReplica('replica-c');
    const pcr = await until('leaderless decided by the new leader', decided('leaderless'));
    assert.equal(pcr.status.conditions[0].type, 'Issued');
    assert.ok(await logsSigned(c.log, 'leaderless'));
  });

  it('`meshward ca rotate` by an operator without `attest`: the leader publishes and retires the roots, and signs under the new root from the sign phase', async () => {
    const leader = running[running.length - 1]!;
    await until('a leader', async () => (leader.isLeader() ? true : undefined));
    const operator = 'e2e-ca-operator';
    const rbac = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: operator, namespace: SYSTEM_NS },
        rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['meshward-ca'], verbs: ['get', 'update'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: operator, namespace: SYSTEM_NS },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: operator },
        subjects: [{ kind: 'User', name: operator }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: operator },
        rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['clustertrustbundles'], verbs: ['list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: operator },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: operator },
        subjects: [{ kind: 'User', name: operator }],
      },
    ];
    await cp.kubectl(['apply', '-f', '-'], { input: { apiVersion: 'v1', kind: 'List', items: rbac } });
    const kubeconfig = cp.kubeconfigFor(operator);
    const rotate = async (...flags: string[]): Promise<{ code: number; out: string }> => {
      let out = '';
      const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
      return { code: await runCaCommand(['rotate', '--kubeconfig', kubeconfig, ...flags], io), out };
    };
    const ourBundles = async (): Promise<any[]> =>
      (await cp.kubectl(['get', 'clustertrustbundles', '-o', 'json'])).json().items.filter((b: any) => b.spec.signerName === SIGNER);
    const oldFp = leader.trustRootFingerprint()!;
    try {
      const published = await until('RBAC to settle', async () => {
        const r = await rotate();
        return /HTTP 403: .*secrets/.test(r.out) ? undefined : r;
      });
      assert.equal(published.code, 0, published.out);
      assert.match(published.out, /publish: idle → published/);
      assert.match(published.out, /note: could not update ClusterTrustBundles \(HTTP 403/);
      await until('the leader to publish the new root', async () => ((await ourBundles()).length === 2 ? true : undefined));
      assert.equal(leader.trustRootFingerprint(), oldFp, 'still signing under the old root');

      const signing = await rotate('--wait', '0s');
      assert.equal(signing.code, 0, signing.out);
      assert.match(signing.out, /sign: published → signing/);
      const newFp = await until('the leader to load the new CA', async () =>
        leader.trustRootFingerprint() !== oldFp ? leader.trustRootFingerprint() : undefined,
      );
      await createPcr('after-rotation', 'web-0', ecStub().stub);
      const pcr = await until('after-rotation', decided('after-rotation'));
      assert.equal(pcr.status.conditions[0].type, 'Issued');
      const roots = (await ourBundles()).map((b) => b.spec.trustBundle as string);
      const newRoot = roots.find((r) => new X509Certificate(r).fingerprint256.replaceAll(':', '').toLowerCase() === newFp)!;
      writeFileSync(join(tmp, 'new-root.pem'), newRoot);
      writeFileSync(join(tmp, 'rotated-chain.pem'), pcr.status.certificateChain);
      assert.match(openssl(['verify', '-x509_strict', '-CAfile', join(tmp, 'new-root.pem'), join(tmp, 'rotated-chain.pem')]), /OK/);
      writeFileSync(join(tmp, 'all-roots.pem'), roots.join(''));
      assert.match(
        openssl(['verify', '-x509_strict', '-CAfile', join(tmp, 'all-roots.pem'), join(tmp, 'chain.pem')]),
        /OK/,
        'leaves from the old root still verify while both are published',
      );

      const retired = await rotate('--retire-wait', '0s');
      assert.equal(retired.code, 0, retired.out);
      assert.match(retired.out, /retire: signing → idle: retired 1 old root/);
      const left = await until('the leader to delete the old root bundle', async () => {
        const b = await ourBundles();
        return b.length === 1 ? b : undefined;
      });
      assert.equal(left[0].metadata.name, `meshward.io:workload-identity:root-${newFp.slice(0, 16)}`);
    } finally {
      await cp.kubectl(['delete', '-f', '-', '--ignore-not-found'], {
        input: { apiVersion: 'v1', kind: 'List', items: rbac },
        check: false,
      });
    }
  });

  it('the RBAC is needed as written: without `sign` the API refuses the status, without `attest` the ClusterTrustBundle', async () => {
    const user = 'system:serviceaccount:meshward-system:no-signer';
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'meshward-e2e-no-signer' },
      rules: [
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['podcertificaterequests', 'podcertificaterequests/status'],
          verbs: ['get', 'update'],
        },
        { apiGroups: ['certificates.k8s.io'], resources: ['clustertrustbundles'], verbs: ['create'] },
      ],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'meshward-e2e-no-signer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
      subjects: [{ kind: 'User', name: user }],
    };
    await cp.kubectl(['apply', '-f', '-'], { input: { apiVersion: 'v1', kind: 'List', items: [role, binding] } });
    try {
      const creds = cp.mintClientCert(user, ['system:serviceaccounts']);
      await createPcr('no-sign', 'other-signer', ecStub().stub, OTHER_SIGNER);
      const pcr = await getPcr('no-sign');
      const failed = {
        ...pcr,
        status: {
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'Test',
              message: 'x',
              lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z',
            },
          ],
        },
      };
      const put = await until('RBAC to settle', async () => {
        const r = await cp.request('PUT', `/apis/certificates.k8s.io/v1/namespaces/${NS}/podcertificaterequests/no-sign/status`, failed, {
          credentials: creds,
        });
        return r.status === 404 ? undefined : r;
      });
      assert.equal(put.status, 422, put.body); // the API answers Invalid (FieldValueForbidden on spec.signerName), not 403
      assert.match(put.body, /is not permitted to \\"sign\\" for signer/);
      const ctb = await cp.request(
        'POST',
        '/apis/certificates.k8s.io/v1/clustertrustbundles',
        {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'ClusterTrustBundle',
          metadata: { name: 'e2e.example.com:not-meshward:no-attest' },
          spec: { signerName: OTHER_SIGNER, trustBundle: readFileSync(join(tmp, 'root.pem'), 'utf8') },
        },
        { credentials: creds },
      );
      assert.equal(ctb.status, 403, ctb.body);
      assert.match(ctb.body, /user not permitted to attest for signerName/);
    } finally {
      await cp.kubectl(['delete', '-f', '-', '--ignore-not-found'], {
        input: { apiVersion: 'v1', kind: 'List', items: [role, binding] },
        check: false,
      });
    }
  });

  it('time to Issued (PCR created by the node → Issued observed by a watch), 20 sequential and 20 at once', async () => {
    const leader = running[running.length - 1]!;
    await until('the last replica to lead', async () => (leader.isLeader() ? true : undefined));
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const issuedAt = new Map<string, number>();
    const w = await new Watch(kc).watch(
      `/apis/certificates.k8s.io/v1/namespaces/${NS}/podcertificaterequests`,
      {},
      (_phase, obj: any) => {
        if (obj?.status?.conditions?.[0]?.type === 'Issued' && !issuedAt.has(obj.metadata.name))
          issuedAt.set(obj.metadata.name, performance.now());
      },
      () => undefined,
    );
    try {
      const measure = async (names: string[], together: boolean): Promise<number[]> => {
        const started = new Map<string, number>();
        const one = async (n: string): Promise<void> => {
          const { stub } = ecStub();
          started.set(n, performance.now());
          await createPcr(n, 'web-0', stub);
          if (!together) await until(n, async () => (issuedAt.has(n) ? true : undefined));
        };
        if (together) await Promise.all(names.map(one));
        else for (const n of names) await one(n);
        await until('all Issued', async () => (names.every((n) => issuedAt.has(n)) ? true : undefined));
        return names.map((n) => issuedAt.get(n)! - started.get(n)!).sort((x, y) => x - y);
      };
      const seq = await measure(
        Array.from({ length: 20 }, (_, i) => `seq-${i}`),
        false,
      );
      const burst = await measure(
        Array.from({ length: 20 }, (_, i) => `burst-${i}`),
        true,
      );
      const fmt = (xs: number[]): string =>
        `p50 ${percentile(xs, 50).toFixed(1)} ms, p90 ${percentile(xs, 90).toFixed(1)} ms, max ${xs[xs.length - 1]!.toFixed(1)} ms`;
      process.stdout.write(`      [identity] time to Issued, 20 sequential: ${fmt(seq)}; 20 at once: ${fmt(burst)}\n`);
      assert.equal(seq.length + burst.length, 40);
    } finally {
      w.abort();
    }
  });
});
