import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { installMeshwardCrds, rewriteWebhookConfigurations } from '../../scripts/control-plane/register-webhooks.js';
import { startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import { buildStubPkcs10 } from '../../webhook/pki/pkcs10-build.js';
import { kustomize } from '../helpers/kustomize.js';
import { AUDIT_LOG, AUDITED_USER, sharedControlPlane } from './shared-cluster.js';

// The RBAC in the manifests covers exactly what meshward calls. meshward runs as a
// ServiceAccount bound to the manifests' own roles (the secret-fallback overlay: every grant of
// every overlay), with every controller on, and the API server's audit log records each call.
// Missing verb: a 403 in the log. Unused grant: a rule no call used.

type Obj = Record<string, any>;
const root = repoRoot();
const SA = AUDITED_USER.split(':').pop()!;
const SUFFIX = '-rbac-check';
const SIGNER = 'meshward.io/workload-identity';
const RBAC_KINDS = ['ClusterRole', 'Role', 'ClusterRoleBinding', 'RoleBinding'];

// Grants only rare paths use, each exercised elsewhere; a run here does not reach them. The test
// fails if one is used here after all (then it belongs with the rest) or if any other grant goes
// unused, so this list can only name real, deliberate exceptions.
const RARE_PATHS: Readonly<Record<string, string>> = {
  'certificates.k8s.io/clustertrustbundles:update': 'root rotation (test/e2e/identity.test.ts)',
  'certificates.k8s.io/clustertrustbundles:delete': 'root rotation retires the old bundle (test/e2e/identity.test.ts)',
  'certificates.k8s.io/podcertificaterequests:get':
    'the signer re-reads a request after a 409 conflict (test/identity/signer/signer-controller.test.ts)',
  '/secrets:update [meshward-ca]': 'meshward ca rotate phases (test/e2e/identity.test.ts)',
  '/configmaps:update': 'fallback trust-bundle change on root rotation (test/identity/fallback/fallback-controller.test.ts)',
  '/serviceaccounts:get': "fallback: an injected pod's ServiceAccount outside a meshed namespace (test/e2e/fallback.test.ts)",
  '/namespaces:get': 'a namespace newer than the informer cache is read through (webhook/kube/informer-state.ts)',
  '/configmaps:update [meshward-proxy]':
    'the proxy bootstrap is rewritten when the configuration changes or it was edited (test/proxy-bootstrap/bootstrap-controller.test.ts)',
};

interface Grant {
  readonly key: string;
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
  readonly names?: readonly string[];
  readonly namespace?: string;
}

function grantsOf(objects: Obj[]): Grant[] {
  const out: Grant[] = [];
  for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
    for (const rule of role.rules) {
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs) {
            const names = rule.resourceNames as string[] | undefined;
            out.push({
              key: `${group}/${resource}:${verb}${names ? ` [${names.join(',')}]` : ''}`,
              group,
              resource,
              verb,
              ...(names ? { names } : {}),
              ...(role.kind === 'Role' ? { namespace: role.metadata.namespace } : {}),
            });
          }
    }
  }
  return out;
}

interface AuditEvent {
  verb: string;
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  user: { username: string };
  stage: string;
  /** authorization.k8s.io/decision: "forbid" when RBAC refused the call (not an admission denial). */
  annotations?: Record<string, string>;
}

function readAudit(since: number): AuditEvent[] {
  if (!existsSync(AUDIT_LOG)) return [];
  return readFileSync(AUDIT_LOG, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.user?.username === AUDITED_USER && Date.parse(e.requestReceivedTimestamp) >= since && e.stage !== 'RequestReceived');
}

/** Whether an audited request used a grant. sign/attest are authorization checks, not requests. */
function uses(grant: Grant, e: AuditEvent): boolean {
  const ref = e.objectRef ?? {};
  const ok = (e.responseStatus?.code ?? 200) < 400;
  if (grant.resource === 'signers') {
    if (grant.verb === 'sign')
      return ok && ref.resource === 'podcertificaterequests' && ref.subresource === 'status' && e.verb === 'update';
    if (grant.verb === 'attest') return ok && ref.resource === 'clustertrustbundles' && ['create', 'update'].includes(e.verb);
  }
  const resource = ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource;
  if ((ref.apiGroup ?? '') !== grant.group || resource !== grant.resource || e.verb !== grant.verb) return false;
  if (grant.namespace && ref.namespace !== grant.namespace) return false;
  return !grant.names || (ref.name !== undefined && grant.names.includes(ref.name));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('e2e: the manifests grant meshward exactly what it calls (audit log)', function () {
  this.timeout(240_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess | undefined;
  let rbac: Obj[];
  let webhooks: Obj[];
  let started: number;

  const adminJson = async (method: string, path: string, body?: object): Promise<Obj> => {
    const res = await cp.request(method, path, body);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.body}`);
    return res.json();
  };

  async function cleanup(): Promise<void> {
    await cp.kubectl(
      [
        'delete',
        '--ignore-not-found',
        '-n',
        'meshward-system',
        'secret/meshward-ca',
        'secret/meshward-webhook-tls',
        'lease/meshward-signer',
      ],
      { check: false },
    );
    await cp.kubectl(['delete', '--ignore-not-found', '--field-selector', `spec.signerName=${SIGNER}`, 'clustertrustbundles'], {
      check: false,
    });
    await cp.kubectl(['delete', '--ignore-not-found', '--wait=false', 'namespace', 'rbac-mesh', 'rbac-certs'], { check: false });
    await cp.kubectl(['delete', '--ignore-not-found', 'node', 'rbac-node'], { check: false });
    for (const o of [...(webhooks ?? []), ...(rbac ?? [])]) {
      const ns = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      await cp.kubectl(
        ['delete', '--ignore-not-found', ...ns, `${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0]}/${o.metadata.name}`],
        { check: false },
      );
    }
  }

  before(async () => {
    cp = await sharedControlPlane();
    const all = await kustomize(join(root, 'manifests/overlays/secret-fallback'));
    // The manifests' roles, bound to a ServiceAccount of this test's own (audited) and renamed so
    // other e2e files' roles never mix in.
    rbac = all
      .filter((o) => RBAC_KINDS.includes(o.kind))
      .map((o) => {
        const copy = structuredClone(o);
        copy.metadata.name += SUFFIX;
        if (copy.roleRef) copy.roleRef.name += SUFFIX;
        if (copy.subjects) copy.subjects = copy.subjects.map((s: Obj) => ({ ...s, name: SA }));
        return copy;
      });
    await cleanup();
    await cp.ensureNamespace('meshward-system');
    await installMeshwardCrds(cp);
    // The control plane watches MeshAuthorizationPolicies and answers no proxy before that list.
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }) });
    const port = await freePort();
    webhooks = rewriteWebhookConfigurations(
      readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object),
      `https://127.0.0.1:${port}`,
      cp.caPem,
    ) as Obj[];
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: webhooks }) });
    started = Date.now() - 1000;
    const t0 = Date.now();
    meshward = await startMeshwardProcess({
      kubeconfig: cp.kubeconfigFor(AUDITED_USER, ['system:serviceaccounts', 'system:serviceaccounts:meshward-system']),
      env: {
        MESHWARD_CREDENTIALS_SOURCE: 'secret',
        MESHWARD_SERVING_EXTRA_IP_ADDRESSES: '127.0.0.1',
        MESHWARD_SERVING_PROPAGATION_SECONDS: '1',
      },
      managedCertificate: {
        port,
        caPem: async () => {
          const res = await cp.request('GET', '/api/v1/namespaces/meshward-system/secrets/meshward-webhook-tls');
          return res.status === 200 ? Buffer.from(res.json().data['ca.crt'], 'base64').toString('utf8') : undefined;
        },
      },
      timeoutMs: 90_000,
    });
    process.stdout.write(`      meshward (as ${SA}) ready in ${Date.now() - t0} ms, log ${meshward.logFile}\n`);
  });

  after(async () => {
    await meshward?.stop();
    await cleanup();
  });

  it('drives every feature as the ServiceAccount: injection, gate, fallback credentials, signer, trust bundles', async () => {
    await cp.ensureNamespace('rbac-mesh', { 'meshward.io/inject': 'enabled' });
    // Turning the namespace STRICT: the gate lists its pods for the warnings.
    await cp.kubectl(['label', '--overwrite', 'namespace', 'rbac-mesh', 'meshward.io/mtls=STRICT']);
    // The webhooks answer once the manager has patched its CA into the caBundles.
    const pod = await until('an injected pod', async () => {
      const res = await cp.request('POST', '/api/v1/namespaces/rbac-mesh/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web' },
        spec: { containers: [{ name: 'web', image: 'web:1' }] },
      });
      return res.status === 201 ? res.json<Obj>() : undefined;
    });
    assert.ok(
      pod.spec.volumes.some((v: Obj) => v.name === 'meshward-credentials' && v.projected.sources[0].secret),
      'the injector projects the fallback Secret',
    );
    await adminJson('POST', '/apis/meshward.io/v1alpha1/namespaces/rbac-mesh/meshtlspolicies', {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'strict' },
      spec: { mode: 'STRICT' },
    });
    // The gate judges an allow list from its informer's cache (list+watch of meshauthorizationpolicies).
    await adminJson('POST', '/apis/meshward.io/v1alpha1/namespaces/rbac-mesh/meshauthorizationpolicies', {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshAuthorizationPolicy',
      metadata: { name: 'from-frontend' },
      spec: { allow: [{ serviceAccounts: ['frontend/web'] }] },
    });
    await until('the fallback Secret and trust ConfigMap, and the proxy bootstrap', async () => {
      const secret = await cp.request('GET', '/api/v1/namespaces/rbac-mesh/secrets/meshward-identity-default');
      const cm = await cp.request('GET', '/api/v1/namespaces/rbac-mesh/configmaps/meshward-trust-bundle');
      const bootstrap = await cp.request('GET', '/api/v1/namespaces/rbac-mesh/configmaps/meshward-proxy');
      return secret.status === 200 && cm.status === 200 && bootstrap.status === 200 ? true : undefined;
    });

    // The signer: a node-created PodCertificateRequest for a pod bound to it (as the kubelet would).
    await cp.ensureNamespace('rbac-certs');
    const node = await adminJson('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'rbac-node' } });
    const certPod = await adminJson('POST', '/api/v1/namespaces/rbac-certs/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app' },
      spec: {
        nodeName: 'rbac-node',
        containers: [{ name: 'app', image: 'app:1' }],
        volumes: [
          {
            name: 'creds',
            projected: { sources: [{ podCertificate: { signerName: SIGNER, keyType: 'ECDSAP256', credentialBundlePath: 'c.pem' } }] },
          },
        ],
      },
    });
    const sa = await adminJson('GET', '/api/v1/namespaces/rbac-certs/serviceaccounts/default');
    const stub = buildStubPkcs10(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
    const res = await cp.request(
      'POST',
      '/apis/certificates.k8s.io/v1/namespaces/rbac-certs/podcertificaterequests',
      {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'PodCertificateRequest',
        metadata: { name: 'app-1' },
        spec: {
          signerName: SIGNER,
          podName: 'app',
          podUID: certPod.metadata.uid,
          serviceAccountName: 'default',
          serviceAccountUID: sa.metadata.uid,
          nodeName: 'rbac-node',
          nodeUID: node.metadata.uid,
          maxExpirationSeconds: 86_400,
          stubPKCS10Request: stub.toString('base64'),
        },
      },
      { credentials: cp.mintClientCert('system:node:rbac-node', ['system:nodes']) },
    );
    assert.equal(res.status, 201, res.body);
    const issued = await until('Issued', async () => {
      const pcr = await adminJson('GET', '/apis/certificates.k8s.io/v1/namespaces/rbac-certs/podcertificaterequests/app-1');
      return pcr.status?.conditions?.some((c: Obj) => c.type === 'Issued') ? pcr : undefined;
    });
    assert.match(issued.status.certificateChain, /BEGIN CERTIFICATE/);
    await until('a ClusterTrustBundle', async () => {
      const list = await adminJson('GET', `/apis/certificates.k8s.io/v1/clustertrustbundles?fieldSelector=spec.signerName=${SIGNER}`);
      return list.items.length > 0 ? true : undefined;
    });
    // A namespace that stops opting in loses its proxy bootstrap.
    await cp.kubectl(['label', 'namespace', 'rbac-mesh', 'meshward.io/inject-']);
    await until('the proxy bootstrap deleted', async () => {
      const res = await cp.request('GET', '/api/v1/namespaces/rbac-mesh/configmaps/meshward-proxy');
      return res.status === 404 ? true : undefined;
    });
    // Graceful stop: the lease is released (update), the watches end.
    assert.equal(await meshward!.stop(), 0);
    meshward = undefined;
  });

  it('finds no refused call (no missing grant) and no grant left unused', () => {
    const events = readAudit(started);
    assert.ok(events.length > 20, `${events.length} audited calls`);
    // Refused by authorization: a missing grant. (An admission refusal, e.g. the bootstrap policy of a
    // STRICT namespace left by another test refusing this identity, is no RBAC matter.)
    const refused = events
      .filter((e) => e.responseStatus?.code === 403 && e.annotations?.['authorization.k8s.io/decision'] === 'forbid')
      .map(
        (e) =>
          `${e.verb} ${e.objectRef?.apiGroup ?? ''}/${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.namespace ?? ''}/${e.objectRef?.name ?? ''}`,
      );
    assert.deepEqual([...new Set(refused)], [], 'calls the manifests do not grant');
    const grants = grantsOf(rbac);
    const unused = grants.filter((g) => !events.some((e) => uses(g, e))).map((g) => g.key);
    assert.deepEqual([...new Set(unused)].filter((k) => !(k in RARE_PATHS)).sort(), [], 'grants nothing used');
    const usedAfterAll = Object.keys(RARE_PATHS).filter((k) => grants.some((g) => g.key === k) && !unused.includes(k));
    assert.deepEqual(usedAfterAll, [], 'RARE_PATHS lists a grant this run used: move it out of the list');
    const missingFromManifests = Object.keys(RARE_PATHS).filter((k) => !grants.some((g) => g.key === k));
    assert.deepEqual(missingFromManifests, [], 'RARE_PATHS names a grant the manifests no longer have');
  });
});
