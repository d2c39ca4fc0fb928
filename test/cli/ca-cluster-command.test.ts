import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runClusterCaCommand } from '../../webhook/cli/ca-cluster-command.js';
import { certificateFingerprints, decodeCaSecret, type CaSecretState } from '../../webhook/identity/ca/ca-secret.js';
import { KubeApiError } from '../../webhook/kube/errors.js';
import { CLUSTER_TRUST_BUNDLES, SECRETS } from '../../webhook/kube/resources.js';
import { runCaCommand } from '../../webhook/cli/ca-command.js';
import { createIntermediateCa, fingerprint, loadCa, writeCaDir } from '../../webhook/pki/index.js';
import { scratch, type Scratch } from '../pki/openssl-helpers.js';
import { fakeKubeApi, type FakeKubeApi } from '../kube/fake-api.js';
import { rootFiles } from '../identity/helpers.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('identity: meshward ca init --kubeconfig / ca rotate (fake API)', function () {
  this.timeout(30_000);
  let api: FakeKubeApi;
  let clock: Date;
  let s: Scratch;
  before(() => (s = scratch('meshward-ca-cluster-')));
  after(() => s.cleanup());
  beforeEach(() => {
    api = fakeKubeApi();
    clock = new Date('2026-05-01T12:00:00Z');
  });

  async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
    let out = '';
    let err = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } };
    const [sub, ...rest] = argv;
    const code = await runClusterCaCommand(sub as 'init' | 'rotate', rest, io, { api, now: () => clock, env });
    return { code, out, err };
  }
  const state = (ns = 'meshward-system', name = 'meshward-ca'): CaSecretState => decodeCaSecret(api.object(SECRETS, ns, name)!);
  const bundleNames = (): string[] =>
    api
      .objects(CLUSTER_TRUST_BUNDLES)
      .map((b) => b.metadata.name)
      .sort();

  it('`meshward ca init --kubeconfig` (through runCaCommand) creates the Secret and the ClusterTrustBundle', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) } };
    const code = await runCaCommand(['init', '--kubeconfig', '/nonexistent', '--trust-domain', 'prod.example'], io, {
      api,
      now: () => clock,
    } as never);
    assert.equal(code, 0, out);
    const st = state();
    const fp = fingerprint(st.current.certPem);
    assert.match(out, new RegExp(`created Secret meshward-system/meshward-ca from a new self-signed root`));
    assert.match(out, new RegExp(`trust root sha256 fingerprint: ${fp}`));
    assert.match(out, new RegExp(`created ClusterTrustBundle meshward\\.io:workload-identity:root-${fp.slice(0, 16)}`));
    assert.equal(loadCa(st.current).trustDomain, 'prod.example');
    assert.equal(st.rotation.phase, 'idle');
    assert.deepEqual(bundleNames(), [`meshward.io:workload-identity:root-${fp.slice(0, 16)}`]);
  });

  it('refuses to overwrite an existing CA without --force (exit 2, Secret unchanged); --force replaces it', async () => {
    assert.equal((await run(['init', '--kubeconfig', 'k'])).code, 0);
    const before = api.object(SECRETS, 'meshward-system', 'meshward-ca');
    const again = await run(['init', '--kubeconfig', 'k']);
    assert.equal(again.code, 2);
    assert.match(again.err, /--force: Secret meshward-system\/meshward-ca already holds a CA; use "meshward ca rotate"/);
    assert.deepEqual(api.object(SECRETS, 'meshward-system', 'meshward-ca'), before);
    const forced = await run(['init', '--kubeconfig', 'k', '--force']);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, /replaced Secret/);
    assert.notEqual(state().current.certPem, decodeCaSecret(before!).current.certPem);
  });

  it("--from DIR stores the user's intermediate as it is (chain.crt), trusting the user's root", async () => {
    const userRoot = loadCa(rootFiles(clock));
    const dir = join(s.dir, 'inter');
    await writeCaDir(dir, createIntermediateCa(userRoot, { now: clock }));
    const r = await run(['init', '--kubeconfig', 'k', '--from', dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /from the CA in .*inter \(ca\.crt, ca\.key, chain\.crt, trust-bundle\.crt\)/);
    assert.deepEqual(certificateFingerprints(state().trustBundlePem), [fingerprint(userRoot.certPem)]);
  });

  it('honours --namespace/--secret and MESHWARD_MESH_NAMESPACE, and says when the namespace is missing', async () => {
    assert.equal((await run(['init', '--kubeconfig', 'k'], { MESHWARD_MESH_NAMESPACE: 'mesh' })).code, 0);
    assert.ok(api.object(SECRETS, 'mesh', 'meshward-ca'));
    assert.equal((await run(['init', '--kubeconfig', 'k', '--namespace', 'other', '--secret', 'ca2'])).code, 0);
    assert.ok(api.object(SECRETS, 'other', 'ca2'));
    api.failNext('create', SECRETS, new KubeApiError(404, 'NotFound', 'namespaces "nope" not found'));
    const r = await run(['init', '--kubeconfig', 'k', '--namespace', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.err, /namespace nope does not exist; apply meshward's manifests first/);
  });

  it('rotate advances one phase per run, says what waits and what is next, and resumes from the Secret', async () => {
    await run(['init', '--kubeconfig', 'k']);
    const oldFp = fingerprint(state().current.certPem);
    const p1 = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(p1.code, 0, p1.err);
    assert.match(p1.out, /publish: idle → published: published 1 new root\(s\); the current CA still signs/);
    assert.match(p1.out, /next: sign/);
    assert.equal(bundleNames().length, 2, 'both roots are published as ClusterTrustBundles');
    const waiting = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(waiting.code, 3);
    assert.match(
      waiting.out,
      /pending: sign waits until 2026-05-01T12:05:00\.000Z \(in 5m0s\): kubelets are still refreshing.*\n.*or pass --wait 0s/,
    );
    assert.equal(state().rotation.phase, 'published');
    clock = new Date(clock.getTime() + 300_000);
    const p2 = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(p2.code, 0, p2.err);
    assert.match(p2.out, /sign: published → signing/);
    assert.notEqual(fingerprint(state().current.certPem), oldFp);
    const early = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(early.code, 3);
    assert.match(early.out, /pending: retire waits until .* \(in 24h5m\)/);
    clock = new Date(clock.getTime() + (86_400 + 300) * 1000);
    const p3 = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(p3.code, 0, p3.err);
    assert.match(p3.out, /retire: signing → idle: retired 1 old root\(s\); rotation complete/);
    assert.match(p3.out, /deleted ClusterTrustBundle meshward\.io:workload-identity:root-/);
    assert.deepEqual(certificateFingerprints(state().trustBundlePem), [fingerprint(state().current.certPem)]);
    assert.equal(bundleNames().length, 1);
  });

  it('--to retired with --wait 0s --retire-wait 0s runs the whole rotation at once (with a warning)', async () => {
    await run(['init', '--kubeconfig', 'k']);
    const r = await run(['rotate', '--kubeconfig', 'k', '--to', 'retired', '--wait', '0s', '--retire-wait', '0s']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /publish: idle → published[\s\S]*sign: published → signing[\s\S]*retire: signing → idle/);
    assert.match(r.err, /warning: --retire-wait 0s is shorter than the longest certificate lifetime/);
    assert.equal(state().rotation.phase, 'idle');
  });

  it('does not sign with the new root while its ClusterTrustBundle is missing (e.g. no attest permission, no signer running)', async () => {
    await run(['init', '--kubeconfig', 'k']);
    api.failNext('create', CLUSTER_TRUST_BUNDLES, new KubeApiError(403, 'Forbidden', 'cannot attest'), 10);
    const p1 = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(p1.code, 0);
    assert.match(p1.err, /note: could not update ClusterTrustBundles \(HTTP 403/);
    const p2 = await run(['rotate', '--kubeconfig', 'k', '--wait', '0s']);
    assert.equal(p2.code, 3);
    assert.match(p2.out, /pending: sign waits: ClusterTrustBundle\(s\) meshward\.io:workload-identity:root-\w+ are not published yet/);
    assert.equal(state().rotation.phase, 'published');
  });

  it('bad input exits 2 naming the flag; a missing CA Secret exits 1 pointing at ca init', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['rotate', '--to', 'halfway'], /--to: "halfway" is not one of published, signing, retired/],
      [['rotate', '--wait', '5x'], /--wait: "5x" is not a duration/],
      [['init', '--kubeconfig', 'k', '--key-type', 'DSA'], /--key-type: "DSA" is not one of/],
      [['init', '--kubeconfig', 'k', '--from', join(s.dir, 'missing')], /--from: .*missing: .*must contain ca\.crt and ca\.key/],
      [['rotate', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, want] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
      assert.match(r.err, want);
      assert.match(r.err, /meshward ca rotate --kubeconfig K/);
    }
    const none = await run(['rotate', '--kubeconfig', 'k']);
    assert.equal(none.code, 1);
    assert.match(none.err, /does not exist; create the CA first with "meshward ca init --kubeconfig/);
    assert.equal(api.objects(SECRETS).length, 0);
  });

  it('--status prints the phase and changes nothing', async () => {
    await run(['init', '--kubeconfig', 'k']);
    const before = api.object(SECRETS, 'meshward-system', 'meshward-ca');
    const r = await run(['rotate', '--status']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^phase idle; signing under root [0-9a-f]{16}; trusted roots: [0-9a-f]{16}; next step: publish/);
    assert.deepEqual(api.object(SECRETS, 'meshward-system', 'meshward-ca'), before);
  });
});
