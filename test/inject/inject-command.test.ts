import assert from 'node:assert/strict';
import { runInject } from '../../webhook/cli/inject-command.js';

// `meshward inject`: -n names the namespace of objects that name none. Policies and Namespaces in
// the input no longer shape the injection: the proxy's modes come live from the xDS server.

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
const podOf = (out: string): { metadata: { namespace?: string; annotations: Record<string, string> } } => {
  const parsed = JSON.parse(out);
  return parsed.kind === 'List' ? parsed.items.find((o: { kind: string }) => o.kind === 'Pod') : parsed;
};

describe('meshward inject -n', () => {
  it("injects objects without a namespace for -n, the same whatever policies and labels come along (the proxy's modes come live from the xDS server)", async () => {
    const vault = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault', labels: { 'meshward.io/mtls': 'STRICT' } } };
    const strict = await inject(['-f', '-', '-n', 'vault', '-o', 'json'], docs(vault, relaxed('vault'), pod));
    assert.equal(strict.code, 0, strict.err);
    const shop = await inject(['-f', '-', '-n', 'shop', '-o', 'json'], docs(relaxed('shop'), pod));
    assert.equal(shop.code, 0, shop.err);
    const plain = await inject(['-f', '-', '-n', 'shop', '-o', 'json'], docs(pod));
    assert.deepEqual(podOf(strict.out), podOf(plain.out));
    assert.deepEqual(podOf(shop.out), podOf(plain.out));
    assert.equal(podOf(shop.out).metadata.namespace, undefined, 'the manifest keeps naming no namespace');
    assert.equal(JSON.parse(podOf(shop.out).metadata.annotations['meshward.io/status']).version, 2);
  });
});
