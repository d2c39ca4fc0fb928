import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'yaml';
import { runCheckCommand } from '../../webhook/cli/check-command.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { deployment, hostNetDeployment, policy, strictNs, uninjectedPod } from '../gate/fixtures.js';

// `meshward check`: files, directories and stdin, output formats, exit codes.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], stdin?: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCheckCommand(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
  });
  return { code, stdout, stderr };
}

describe('meshward check (runCheckCommand)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshward-check-'));
    mkdirSync(join(dir, 'clean', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'clean', 'ns.yaml'), stringify(strictNs()));
    writeFileSync(
      join(dir, 'clean', 'nested', 'app.yml'),
      [deployment(), policy('default', { mode: 'STRICT' })].map((o) => stringify(o)).join('---\n'),
    );
    writeFileSync(join(dir, 'clean', 'README.md'), 'not: [a manifest');
    writeFileSync(join(dir, 'bad.yaml'), [stringify(strictNs()), stringify(hostNetDeployment())].join('---\n'));
    writeFileSync(join(dir, 'list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [strictNs(), hostNetDeployment()] }));
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: [unclosed\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on a clean directory (recursing, ignoring non-manifests)', async () => {
    const r = await run(['-f', join(dir, 'clean')]);
    assert.deepEqual([r.code, r.stdout], [0, '']);
    assert.match(r.stderr, /3 object\(s\), no violations/);
  });

  it('exits 1 and prints one line per violation: RULE kind namespace/name: field: message', async () => {
    const r = await run(['check', '-f', join(dir, 'bad.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stdout,
      'MW-HOSTNET-001 Deployment shop/web: spec.template.spec.hostNetwork: the pod shares the node network, where meshward cannot capture its traffic. Fix: remove hostNetwork: true (host-network pods cannot be captured)\n',
    );
  });

  it('prints JSON with -o json, and reads List objects from JSON files', async () => {
    const r = await run(['-f', join(dir, 'list.json'), '-o', 'json']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(parsed[0]).sort(), ['field', 'kind', 'message', 'name', 'namespace', 'rule']);
    assert.deepEqual(
      [parsed[0].rule, parsed[0].kind, parsed[0].namespace, parsed[0].name],
      ['MW-HOSTNET-001', 'Deployment', 'shop', 'web'],
    );
  });

  it('prints [] and exits 0 for clean input with -o json', async () => {
    const r = await run(['-f', join(dir, 'clean'), '--output=json']);
    assert.deepEqual([r.code, JSON.parse(r.stdout)], [0, []]);
  });

  it('reads - from stdin', async () => {
    const r = await run(['-f', '-'], [stringify(strictNs()), stringify(hostNetDeployment())].join('---\n'));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MW-HOSTNET-001 /);
  });

  it('requires pods to be injected (MW-SIDECAR-001..003) only with --require-injected', async () => {
    writeFileSync(join(dir, 'pod.yaml'), [stringify(strictNs()), stringify(uninjectedPod())].join('---\n'));
    assert.equal((await run(['-f', join(dir, 'pod.yaml')])).code, 0);
    const r = await run(['-f', join(dir, 'pod.yaml'), '--require-injected']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^MW-SIDECAR-001 Pod shop\/bare: spec\.containers: /);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['a missing file', ['-f', '/nonexistent/x.yaml'], /\/nonexistent\/x\.yaml: cannot read \(ENOENT\)/],
    ['bad YAML, naming the file', ['-f', 'BROKEN'], /broken\.yaml: not valid YAML\/JSON/],
    ['no -f', [], /no input/],
    ['an unknown flag', ['-f', 'x', '--frobnicate'], /unknown argument "--frobnicate"/],
    ['a bad output format', ['-f', 'x', '-o', 'yaml'], /-o yaml: use text or json/],
    ['--kubeconfig without live mode wired in', ['-f', 'CLEAN', '--kubeconfig', '/tmp/kc'], /live mode is not available/],
  ];
  for (const [name, argv, message] of bad) {
    it(`exits 2 on ${name}`, async () => {
      const r = await run(argv.map((a) => (a === 'BROKEN' ? join(dir, 'broken.yaml') : a === 'CLEAN' ? join(dir, 'clean') : a)));
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    });
  }

  it('uses the live cluster through loadCluster with --kubeconfig', async () => {
    let seen = '';
    let stdout = '';
    const code = await runCheckCommand(
      ['-f', join(dir, 'clean', 'nested', 'app.yml'), '--kubeconfig', '/k/config', '-n', 'shop'],
      { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } },
      {
        loadCluster: async (kubeconfig) => {
          seen = kubeconfig;
          return new StaticClusterState([strictNs(), policy('older', { mode: 'STRICT' }, 'shop', '2026-01-01T00:00:00Z')]);
        },
      },
    );
    assert.equal(seen, '/k/config');
    assert.equal(code, 1);
    assert.match(
      stdout,
      /^MW-AMBIG-001 MeshTLSPolicy shop\/default: spec\.selector: no selector, but shop\/older is already the namespace-wide policy/,
    );
  });

  it('prints usage with --help and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: meshward check -f/);
  });
});
