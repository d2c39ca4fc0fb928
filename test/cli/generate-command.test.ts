import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../webhook/admission/types.js';
import { runGenerateCommand } from '../../webhook/cli/generate-command.js';
import { cluster } from '../generate/fixtures.js';
import { config } from '../status/fixtures.js';

// `meshward generate`: offline manifests, exit codes and messages (the planner: test/generate/).

describe('meshward generate (command)', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meshward-generate-'));
    file = join(dir, 'cluster.yaml');
    writeFileSync(file, (await cluster()).map((o) => stringify(o)).join('---\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runGenerateCommand(
      argv,
      { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } },
      { config },
    );
    return { code, stdout, stderr };
  }

  it('prints the policy from offline manifests (-f) and exits 0', async () => {
    const res = await run(['-f', file, '-n', 'shop', '-l', 'app=web', '-p', '9090', '--mode', 'DISABLE']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual((parse(res.stdout) as KubeObject).spec, {
      selector: { matchLabels: { app: 'web' } },
      mode: 'STRICT',
      portLevelMtls: { '9090': { mode: 'DISABLE' } },
    });
  });

  it('exits 1 with the rule ID when the gate would refuse, 2 for bad input', async () => {
    const refused = await run(['-f', file, '-n', 'payments', '--mode', 'DISABLE']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /refused — the gate would reject payments\/default \(MW-POLICY-001\)/);
    const noSelector = await run(['-f', file, '-n', 'shop', '--port', '8080', '--mode', 'STRICT']);
    assert.equal(noSelector.code, 2);
    assert.match(noSelector.stderr, /--port needs --selector/);
    const noMode = await run(['-f', file, '-n', 'shop']);
    assert.equal(noMode.code, 2);
    assert.match(noMode.stderr, /--mode is required/);
    const both = await run(['-f', file, '--kubeconfig', 'k', '-n', 'shop', '--mode', 'STRICT']);
    assert.equal(both.code, 2);
  });

  it('--allow-* prints a MeshAuthorizationPolicy; a refusal by the gate is exit 1 with its rule ID; --mode with --allow-* is exit 2', async () => {
    const res = await run(['-f', file, '-n', 'shop', '-l', 'app=web', '-p', '8080', '--allow-sa', 'frontend/web', '--allow-ns', 'batch']);
    assert.equal(res.code, 0, res.stderr);
    const object = parse(res.stdout) as KubeObject;
    assert.equal(object.kind, 'MeshAuthorizationPolicy');
    assert.deepEqual((object.spec as { allow: unknown }).allow, [{ namespaces: ['batch'], serviceAccounts: ['frontend/web'] }]);
    const refused = await run(['-f', file, '-n', 'shop', '--allow-ns', 'batch', '--audit']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused — the gate would reject shop\/default \(MW-AUTHZ-002\)/);
    const both = await run(['-f', file, '-n', 'shop', '--allow-ns', 'batch', '--mode', 'STRICT']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --mode \(a MeshTLSPolicy\) or --allow-\* \(a MeshAuthorizationPolicy\), not both/);
    const bad = await run(['-f', file, '-n', 'shop', '--allow-sa', 'web']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--allow-sa: "web" is not "<namespace>\/<serviceaccount>"/);
  });
});
