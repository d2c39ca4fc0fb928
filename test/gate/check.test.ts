import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { checkObjects } from '../../webhook/gate/check-objects.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { config, hostNetDeployment, namespace, policy, strictNs, uninjectedPod } from './fixtures.js';

type Spec = Record<string, any>;

// checkObjects: the gate's rules offline (the command itself: test/cli/check-command.test.ts).

describe('checkObjects', () => {
  it('applies the pod rules to pods and workload templates in namespaces the manifests mark STRICT', async () => {
    const violations = await checkObjects([strictNs('shop'), hostNetDeployment('shop'), hostNetDeployment('dev')], { config });
    assert.deepEqual(
      violations.map((v) => [v.rule, v.kind, v.namespace, v.name, v.field]),
      [['MW-HOSTNET-001', 'Deployment', 'shop', 'web', 'spec.template.spec.hostNetwork']],
    );
    assert.match(violations[0]!.message, /\. Fix: remove hostNetwork/);
  });

  it('does not require pre-injection Pods to be injected (MW-SIDECAR-001..003) unless requireInjected', async () => {
    assert.deepEqual(await checkObjects([strictNs(), uninjectedPod()], { config }), []);
    const strict = await checkObjects([strictNs(), uninjectedPod()], { config, requireInjected: true });
    assert.deepEqual(
      strict.map((v) => v.rule),
      ['MW-SIDECAR-001', 'MW-SIDECAR-002', 'MW-SIDECAR-003'],
    );
  });

  it('reports a conflicting pair once, on the later manifest, and MW-POLICY-001 in STRICT namespaces', async () => {
    const violations = await checkObjects(
      [
        strictNs(),
        policy('a', { mode: 'STRICT' }),
        policy('b', { mode: 'PERMISSIVE' }),
        policy('api', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { '80': { mode: 'DISABLE' } } }),
      ],
      { config },
    );
    assert.deepEqual(
      violations.map((v) => [v.rule, v.name, v.field]),
      [
        ['MW-AMBIG-001', 'b', 'spec.selector'],
        ['MW-POLICY-001', 'b', 'spec.mode'],
        ['MW-POLICY-001', 'api', 'spec.portLevelMtls["80"].mode'],
      ],
    );
  });

  it('reports invalid policies and invalid namespace labels', async () => {
    const violations = await checkObjects(
      [namespace('x', { 'meshward.io/mtls': 'on' }), policy('bad', { mtls: { mode: 'STRICT' } }, 'x')],
      { config },
    );
    assert.deepEqual(
      violations.map((v) => [v.rule, v.kind, v.namespace, v.name, v.field]),
      [
        ['MW-NS-001', 'Namespace', '', 'x', 'metadata.labels["meshward.io/mtls"]'],
        ['MW-POLICY-003', 'MeshTLSPolicy', 'x', 'bad', 'spec.mtls'],
      ],
    );
  });

  it('takes namespaces and policies from a ClusterState, manifests replacing stored objects', async () => {
    const cluster = new StaticClusterState([strictNs('shop'), policy('default', { mode: 'STRICT' }, 'shop', '2026-01-01T00:00:00Z')]);
    assert.deepEqual(
      (await checkObjects([hostNetDeployment()], { config, cluster })).map((v) => v.rule),
      ['MW-HOSTNET-001'],
    );
    assert.deepEqual(
      (await checkObjects([policy('default', { mode: 'PERMISSIVE' })], { config, cluster })).map((v) => v.rule),
      ['MW-POLICY-001'],
      'a new version, not a second policy',
    );
    assert.deepEqual(
      (await checkObjects([policy('other', { mode: 'STRICT' })], { config, cluster })).map((v) => v.rule),
      ['MW-AMBIG-001'],
    );
  });

  it('uses the default namespace and --assume-strict for manifests without Namespace objects', async () => {
    const d = hostNetDeployment() as Spec;
    delete d.metadata.namespace;
    assert.deepEqual(await checkObjects([d as KubeObject], { config }), []);
    const violations = await checkObjects([d as KubeObject], { config, assumeStrict: true, defaultNamespace: 'team-a' });
    assert.deepEqual(
      violations.map((v) => [v.rule, v.namespace]),
      [['MW-HOSTNET-001', 'team-a']],
    );
  });
});
