import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ControlPlane } from '../../scripts/control-plane/control-plane.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { sharedControlPlane } from './shared-cluster.js';

// The proxy bootstrap ConfigMap in a STRICT namespace: a namespace editor may not rewrite it (a
// plaintext listener there would reach every proxy that starts), the CEL policy refuses it with its
// rule ID; other ConfigMaps stay theirs.
const backstop = join(repoRoot(), 'manifests/base/strict-backstop.yaml');
const NS = 'e2e-bootstrap-strict';
const USER = 'e2e-bootstrap-editor';

describe('e2e: only meshward writes the proxy bootstrap in a STRICT namespace', function () {
  this.timeout(120_000);
  let cp: ControlPlane;
  let editor: string;

  before(async () => {
    cp = await sharedControlPlane();
    await cp.kubectl(['apply', '-f', backstop]);
    await cp.ensureNamespace(NS, { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });
    await cp.kubectl(['create', 'rolebinding', 'editor', '-n', NS, '--clusterrole=edit', `--user=${USER}`], { check: false });
    editor = cp.kubeconfigFor(USER);
    // As meshward would have published it (a cluster administrator may; meshward's SA may).
    await cp.kubectl(['create', 'configmap', 'meshward-proxy', '-n', NS, '--from-literal=envoy.json={}']);
    // A new ValidatingAdmissionPolicy and its binding take effect a moment after they are stored:
    // wait (server-side dry runs) until the editor is refused, so the test judges the policy, not the race.
    for (let i = 0; i < 100; i++) {
      const probe = await asEditor(['label', 'configmap', 'meshward-proxy', '-n', NS, 'probe=1', '--dry-run=server']);
      if (probe.stderr.includes('MW-BOOTSTRAP-001')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    await cp.kubectl(['delete', 'namespace', NS, '--wait=false'], { check: false });
    await cp.kubectl(['delete', '--ignore-not-found', '-f', backstop], { check: false });
  });

  const asEditor = (args: string[]) => cp.kubectl(['--kubeconfig', editor, ...args], { check: false });

  it('refuses an editor changing or deleting it, naming MW-BOOTSTRAP-001', async () => {
    for (const args of [
      ['patch', 'configmap', 'meshward-proxy', '-n', NS, '--type=merge', '-p', '{"data":{"envoy.json":"{\\"static_resources\\":{}}"}}'],
      ['delete', 'configmap', 'meshward-proxy', '-n', NS],
    ]) {
      const res = await asEditor(args);
      assert.notEqual(res.code, 0, args.join(' '));
      assert.match(res.stderr, /MW-BOOTSTRAP-001/);
    }
    const data = (await cp.kubectl(['get', 'configmap', 'meshward-proxy', '-n', NS, '-o', 'json'])).json() as {
      data: Record<string, string>;
    };
    assert.deepEqual(data.data, { 'envoy.json': '{}' });
  });

  it('leaves the editor every other ConfigMap', async () => {
    const res = await asEditor(['create', 'configmap', 'app-settings', '-n', NS, '--from-literal=a=b']);
    assert.equal(res.code, 0, res.stderr);
  });
});
