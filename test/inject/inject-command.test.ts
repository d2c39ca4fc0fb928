import assert from 'node:assert/strict';
import { runInject } from '../../webhook/cli/inject-command.js';

// `meshward inject`: -n names the namespace of objects that name none, and a STRICT Namespace
// given beside them makes their proxies STRICT, as in the cluster.

async function inject(argv: string[], stdin: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runInject(argv, {
    stdout: { write: (s: string) => ((out += s), true) },
    stderr: { write: (s: string) => ((err += s), true) },
    readStdin: async () => stdin,
  });
  return { code, out, err };
}

const docs = (...objects: object[]): string => objects.map((o) => JSON.stringify(o)).join('\n---\n');
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web' },
  spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
};
const relaxed = (ns: string): object => ({
  apiVersion: 'meshward.io/v1alpha1',
  kind: 'MeshTLSPolicy',
  metadata: { name: 'relaxed', namespace: ns },
  spec: { mode: 'PERMISSIVE' },
});
const statusOf = (out: string): { mode: string; ports: Record<string, string> } =>
  JSON.parse(JSON.parse(out).items.find((o: { kind: string }) => o.kind === 'Pod').metadata.annotations['meshward.io/status']);

describe('meshward inject -n', () => {
  it('puts objects without a namespace in -n: its policies and STRICT label apply', async () => {
    const vault = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault', labels: { 'meshward.io/mtls': 'STRICT' } } };
    const strict = await inject(['-f', '-', '-n', 'vault', '-o', 'json'], docs(vault, relaxed('vault'), pod));
    assert.equal(strict.code, 0, strict.err);
    const status = statusOf(strict.out);
    assert.deepEqual([status.mode, status.ports], ['STRICT', { '8080': 'STRICT' }], 'the label overrides the PERMISSIVE policy');
    const shop = await inject(['-f', '-', '-n', 'shop', '-o', 'json'], docs(relaxed('shop'), pod));
    assert.deepEqual(statusOf(shop.out).ports, { '8080': 'PERMISSIVE' }, 'the policy of -n applies to the pod');
    assert.equal(
      JSON.parse(shop.out).items.find((o: { kind: string }) => o.kind === 'Pod').metadata.namespace,
      undefined,
      'the manifest keeps naming no namespace',
    );
  });
});
