import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import {
  installMeshwardCrds,
  registerMeshwardWebhooks,
  unregisterMeshwardWebhooks,
} from '../../scripts/control-plane/register-webhooks.js';
import { MESHWARD_ENTRYPOINT, startMeshwardProcess, type MeshwardProcess } from '../../scripts/meshward-process.js';
import { readManifestPaths } from '../../webhook/kube/manifests.js';
import { sharedControlPlane } from './shared-cluster.js';

// MeshAuthorizationPolicy against the real API server and the real `meshward serve`: the CRD's
// schema refuses what it can on its own, the gate refuses what needs other objects (with its rule
// IDs), and `meshward check` and `meshward generate` answer the same for the same objects.
// Namespaces: az-strict (labelled STRICT), az-plain (the PERMISSIVE mesh default), az-tls (STRICT
// by a namespace-wide MeshTLSPolicy, which MW-AUTHZ-004 must then keep).

const root = repoRoot();
const manifests = readManifestPaths([join(root, 'manifests/base/webhooks.yaml')]).map((s) => s.object);
const NAMESPACES = ['az-strict', 'az-plain', 'az-tls'];

type Obj = Record<string, any>;

function authz(name: string, spec: Obj): Obj {
  return { apiVersion: 'meshward.io/v1alpha1', kind: 'MeshAuthorizationPolicy', metadata: { name }, spec };
}

function tls(name: string, spec: Obj): Obj {
  return { apiVersion: 'meshward.io/v1alpha1', kind: 'MeshTLSPolicy', metadata: { name }, spec };
}

const FROM_FRONTEND = [{ serviceAccounts: ['frontend/web'] }];

describe('e2e: MeshAuthorizationPolicy in a real control plane', function () {
  this.timeout(180_000);
  let cp: ControlPlane;
  let meshward: MeshwardProcess;
  let dir: string;

  const apply = (namespace: string, object: Obj): ReturnType<ControlPlane['kubectl']> =>
    cp.kubectl(['apply', '-n', namespace, '-f', '-'], { input: JSON.stringify(object), check: false });

  /** `meshward <args>` as the release runs it, against the admin kubeconfig. */
  function meshwardCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, [join(root, MESHWARD_ENTRYPOINT), ...args], { encoding: 'utf8', timeout: 60_000 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** The rule IDs `meshward check --kubeconfig` gives for one manifest in a namespace. */
  function checkRules(namespace: string, object: Obj): string[] {
    const file = join(dir, `${namespace}-${object.metadata.name}.json`);
    writeFileSync(file, JSON.stringify({ ...object, metadata: { ...object.metadata, namespace } }));
    const run = meshwardCli(['check', '--kubeconfig', cp.kubeconfigPath, '-f', file, '-o', 'json']);
    assert.ok(run.status === 0 || run.status === 1, run.stderr);
    return JSON.parse(run.stdout).map((v: Obj) => v.rule);
  }

  const rulesIn = (text: string): string[] => [...new Set([...text.matchAll(/\[(MW-[A-Z]+-[0-9]{3})\]/g)].map((m) => m[1]!))];

  before(async () => {
    cp = await sharedControlPlane();
    dir = mkdtempSync(join(tmpdir(), 'meshward-authz-'));
    await installMeshwardCrds(cp);
    meshward = await startMeshwardProcess({ kubeconfig: cp.kubeconfigPath });
    await registerMeshwardWebhooks({ controlPlane: cp, meshwardUrl: meshward.url, caBundlePem: meshward.caPem, manifests });
    await cp.ensureNamespace('az-strict', { 'meshward.io/mtls': 'STRICT' });
    await cp.ensureNamespace('az-plain');
    await cp.ensureNamespace('az-tls');
    const strictTls = await apply('az-tls', tls('default', { mode: 'STRICT' }));
    assert.equal(strictTls.code, 0, strictTls.stderr);
  });

  after(async () => {
    await unregisterMeshwardWebhooks({ controlPlane: cp, manifests }).catch(() => undefined);
    await meshward?.stop();
    await cp.kubectl(['delete', '--ignore-not-found', '--wait=false', 'namespace', ...NAMESPACES], { check: false });
    rmSync(dir, { recursive: true, force: true });
  });

  const schemaRefusals: Array<[string, Obj, RegExp]> = [
    ['an unknown field', { allow: FROM_FRONTEND, rules: [{ from: [] }] }, /unknown field "spec\.rules"/],
    [
      'a port of the wrong type',
      { allow: FROM_FRONTEND, ports: ['http'] },
      /spec\.ports\[0\]: Invalid value: "string": spec\.ports\[0\] in body must be of type integer/,
    ],
    [
      'a port out of range',
      { allow: FROM_FRONTEND, ports: [70000] },
      /spec\.ports\[0\]: Invalid value: 70000: spec\.ports\[0\] in body should be less than or equal to 65535/,
    ],
    [
      'a ServiceAccount without its namespace',
      { allow: [{ serviceAccounts: ['web'] }] },
      /spec\.allow\[0\]\.serviceAccounts\[0\].*should match/,
    ],
    [
      'an identity that is not a SPIFFE ID',
      { allow: [{ identities: ['https://example.com/web'] }] },
      /spec\.allow\[0\]\.identities\[0\].*should match/,
    ],
    ['an entry naming no caller', { allow: [{}] }, /each allow entry needs at least one of namespaces, serviceAccounts or identities/],
    ['an empty allow', { allow: [] }, /spec\.allow.*should have at least 1 items/],
    ['a missing allow', { enforcement: 'Audit' }, /spec\.allow: Required value/],
    ['an unknown enforcement', { allow: FROM_FRONTEND, enforcement: 'Deny' }, /spec\.enforcement: Unsupported value: "Deny"/],
  ];
  for (const [what, spec, message] of schemaRefusals) {
    it(`the CRD refuses ${what} with the API server's message`, async () => {
      const res = await apply('az-strict', authz('bad', spec));
      assert.notEqual(res.code, 0, res.stdout);
      assert.match(res.stderr, message);
      assert.doesNotMatch(res.stderr, /MW-AUTHZ/, 'refused before the gate');
    });
  }

  it('admits an allow list on STRICT ports and prints Enforcement, Selector, Ports and Age', async () => {
    const res = await apply('az-strict', authz('web', { selector: { matchLabels: { app: 'web' } }, ports: [8080], allow: FROM_FRONTEND }));
    assert.equal(res.code, 0, res.stderr);
    const table = (await cp.kubectl(['get', 'meshauthorizationpolicies', '-n', 'az-strict'])).stdout;
    assert.match(table, /^NAME\s+ENFORCEMENT\s+SELECTOR\s+PORTS\s+AGE\n/);
    assert.match(table, /\nweb\s+Enforce\s+\{"app":"web"\}\s+\[8080\]\s+\d+s/);
    const stored = JSON.parse((await cp.kubectl(['get', 'meshauthorizationpolicy', 'web', '-n', 'az-strict', '-o', 'json'])).stdout);
    assert.equal(stored.spec.enforcement, 'Enforce', 'defaulted by the schema');
    const byTls = await apply('az-tls', authz('all', { allow: [{ namespaces: ['az-strict'] }] }));
    assert.equal(byTls.code, 0, byTls.stderr);
  });

  const gateRefusals: Array<[string, string, Obj, string]> = [
    ['an allow list where the mesh default is PERMISSIVE', 'az-plain', authz('open', { allow: FROM_FRONTEND }), 'MW-AUTHZ-002'],
    ['a second namespace-wide allow list', 'az-tls', authz('more', { allow: FROM_FRONTEND }), 'MW-AUTHZ-003'],
    [
      'Audit where an overlapping policy enforces',
      'az-strict',
      authz('canary', { selector: { matchLabels: { app: 'web', track: 'canary' } }, allow: FROM_FRONTEND, enforcement: 'Audit' }),
      'MW-AUTHZ-003',
    ],
    [
      'a MeshTLSPolicy that would make an allow-listed port PERMISSIVE',
      'az-tls',
      tls('legacy', { selector: { matchLabels: { app: 'legacy' } }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } }),
      'MW-AUTHZ-004',
    ],
  ];
  for (const [what, namespace, object, rule] of gateRefusals) {
    it(`the gate refuses ${what} (${rule}); meshward check says the same`, async () => {
      const res = await apply(namespace, object);
      assert.notEqual(res.code, 0, res.stdout);
      assert.match(res.stderr, /denied the request/);
      assert.deepEqual(rulesIn(res.stderr), [rule], res.stderr);
      assert.deepEqual(checkRules(namespace, object), [rule]);
    });
  }

  it('meshward check passes what the gate admits', () => {
    assert.deepEqual(checkRules('az-strict', authz('api', { selector: { matchLabels: { app: 'api' } }, allow: FROM_FRONTEND })), []);
  });

  it('meshward generate refuses with the gate’s rule IDs, and what it prints the API server admits', async () => {
    const kube = ['--kubeconfig', cp.kubeconfigPath];
    const permissive = meshwardCli(['generate', ...kube, '-n', 'az-plain', '--allow-sa', 'frontend/web']);
    assert.equal(permissive.status, 1, permissive.stderr);
    assert.match(permissive.stderr, /refused — the gate would reject az-plain\/default \(MW-AUTHZ-002\)/);
    const ambiguous = meshwardCli([
      'generate',
      ...kube,
      '-n',
      'az-strict',
      '-l',
      'app=web',
      '-p',
      '8080',
      '-p',
      '9090',
      '--allow-ns',
      'batch',
    ]);
    assert.equal(ambiguous.status, 1, ambiguous.stderr);
    assert.match(ambiguous.stderr, /\(MW-AUTHZ-003\)/);
    const added = meshwardCli(['generate', ...kube, '-n', 'az-strict', '-l', 'app=web', '-p', '8080', '--allow-ns', 'batch']);
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stdout, /Update: adds the callers to az-strict\/web/);
    const res = await cp.kubectl(['apply', '-f', '-'], { input: added.stdout, check: false });
    assert.equal(res.code, 0, res.stderr);
    const stored = JSON.parse((await cp.kubectl(['get', 'meshauthorizationpolicy', 'web', '-n', 'az-strict', '-o', 'json'])).stdout);
    assert.deepEqual(stored.spec.allow, [{ serviceAccounts: ['frontend/web'] }, { namespaces: ['batch'] }]);
  });
});
