import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { config, failingCluster, injectedPod, namespace, policy, request } from './fixtures.js';

// Namespace admission: the requirement label's values, and turning a namespace STRICT.

type Spec = Record<string, any>;

function pod(name: string, mutate: (p: Spec) => void = () => {}): KubeObject {
  const p = injectedPod(name) as Spec;
  mutate(p);
  return p as KubeObject;
}

const existing: KubeObject[] = [
  pod('web-1'),
  pod('legacy-1', (p) => (p.spec.initContainers = [])),
  pod('legacy-2', (p) => ((p.spec.initContainers = []), (p.spec.volumes = []))),
  pod('hostnet-1', (p) => (p.spec.hostNetwork = true)),
  pod('done-1', (p) => ((p.spec.initContainers = []), (p.status = { phase: 'Succeeded' }))),
  policy('legacy', { selector: { matchLabels: { app: 'legacy' } }, mode: 'PERMISSIVE' }),
];

const before = namespace('shop', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'PERMISSIVE' });
const after = namespace('shop', { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' });

describe('gate: Namespace admission', () => {
  const gate = createGateHandler({ config, cluster: new StaticClusterState([before, ...existing]) });

  const invalid = ['strict', 'Strict', 'true', 'enabled', '', 'STRICT '];
  for (const value of invalid) {
    it(`refuses meshward.io/mtls=${JSON.stringify(value)} with the accepted form (400)`, async () => {
      const decision = await gate(request(namespace('shop', { 'meshward.io/mtls': value })));
      assert.deepEqual([decision.allowed, decision.reason, decision.code], [false, 'MW-NS-001', 400]);
      assert.match(
        decision.message!,
        /^\[MW-NS-001\] metadata\.labels\["meshward\.io\/mtls"\]: .* Fix: set meshward\.io\/mtls to STRICT, PERMISSIVE or DISABLE/,
      );
    });
  }

  for (const value of ['STRICT', 'PERMISSIVE', 'DISABLE']) {
    it(`accepts meshward.io/mtls=${value} on CREATE`, async () =>
      assert.equal((await gate(request(namespace('new', { 'meshward.io/mtls': value, 'meshward.io/inject': 'enabled' })))).allowed, true));
  }

  it('does not block an UPDATE that leaves an old invalid value alone', async () => {
    const old = namespace('shop', { 'meshward.io/mtls': 'yes' });
    const decision = await gate(
      request({ ...old, metadata: { ...old.metadata, finalizers: [] } }, { operation: 'UPDATE', oldObject: old }),
    );
    assert.deepEqual([decision.allowed, decision.reason], [true, 'preexisting-violations']);
  });

  it('allows turning a namespace STRICT, warning about existing pods and policies', async () => {
    const decision = await gate(request(after, { operation: 'UPDATE', oldObject: before }));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'compliant']);
    const warnings = decision.warnings!;
    assert.match(warnings[0]!, /^\[MW-ADVISE-003\] shop is now STRICT; 3 existing pod\(s\), 1 policy setting\(s\) violate it:$/);
    assert.deepEqual(warnings.slice(1), [
      'policy shop/legacy spec.mode is PERMISSIVE',
      'pod legacy-1: MW-SIDECAR-001 MW-SIDECAR-002 (not injected: recreate it)',
      'pod legacy-2: MW-SIDECAR-001 MW-SIDECAR-002 MW-SIDECAR-003 (not injected: recreate it)',
      'pod hostnet-1: MW-HOSTNET-001',
    ]);
    for (const w of warnings) assert.ok(w.length <= 120, w);
  });

  it('caps the list at five lines and "…and N more"', async () => {
    const many = Array.from({ length: 9 }, (_, i) => pod(`old-${i}`, (p) => (p.spec.initContainers = [])));
    const decision = await createGateHandler({ config, cluster: new StaticClusterState(many) })(request(after));
    assert.equal(decision.warnings!.length, 1 + 5 + 1);
    assert.equal(decision.warnings!.at(-1), '…and 4 more');
  });

  it('warns when the namespace is not opted in to injection, and when the mesh default is not STRICT', async () => {
    const permissive = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });
    const decision = await createGateHandler({ config: permissive, cluster: new StaticClusterState([]) })(
      request(namespace('fresh', { 'meshward.io/mtls': 'STRICT' })),
    );
    assert.equal(decision.allowed, true);
    assert.ok(decision.warnings!.some((w) => /fresh lacks meshward\.io\/inject=enabled/.test(w)));
    assert.ok(
      decision.warnings!.some((w) =>
        /namespace resolves to PERMISSIVE from the mesh default \(mesh\.defaultMode\); add a STRICT namespace-wide policy/.test(w),
      ),
    );
  });

  it('does not repeat the warnings when the namespace already was STRICT', async () => {
    const decision = await gate(request(after, { operation: 'UPDATE', oldObject: after }));
    assert.deepEqual(decision, { allowed: true, reason: 'compliant' });
  });

  it('warns when a namespace stops being STRICT (allowed)', async () => {
    const decision = await gate(request(before, { operation: 'UPDATE', oldObject: after }));
    assert.equal(decision.allowed, true);
    assert.match(decision.warnings![0]!, /shop is no longer STRICT/);
  });

  it('turning STRICT while the API server is down is allowed (it only tightens), with a warning', async () => {
    const down = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(existing)) });
    const decision = await down(request(after, { operation: 'UPDATE', oldObject: before }));
    assert.equal(decision.allowed, true);
    assert.match(decision.warnings!.at(-1)!, /existing pods\/policies of shop were not checked: cannot read pods/);
  });

  it('DELETE is allowed', async () => {
    const decision = await gate({ ...request(after, { operation: 'DELETE', oldObject: after }) });
    assert.deepEqual([decision.allowed, decision.reason], [true, 'not-gated']);
  });
});
