import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { authzObject } from '../policy/authorization-fixtures.js';
import { failingCluster, namespace, policy, request, strictNs } from './fixtures.js';

// MW-AUTHZ-004: a MeshTLSPolicy may not make a port an allow list selects accept plaintext (the
// other order of MW-AUTHZ-002). Under meshward's real default, mesh.defaultMode PERMISSIVE.

const config = buildConfig({ flags: { 'self-signed': true } });
const T0 = '2026-01-01T00:00:00Z';
const FROM_FRONTEND = [{ serviceAccounts: ['frontend/web'] }];
const nsStrict = policy('default', { mode: 'STRICT' }, 'secure', T0);
// secure: STRICT by its namespace-wide MeshTLSPolicy; app=web's 8080 has an allow list. dev: no allow list.
const baseObjects: KubeObject[] = [
  namespace('secure'),
  namespace('dev'),
  strictNs('shop'),
  namespace('meshward-system'),
  nsStrict,
  authzObject('web', { selector: { matchLabels: { app: 'web' } }, ports: [8080], allow: FROM_FRONTEND }, 'secure', T0),
  authzObject('web', { selector: { matchLabels: { app: 'web' } }, allow: FROM_FRONTEND }, 'shop', T0),
];
const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });

function rules(message: string | undefined): string[] {
  return [...(message ?? '').matchAll(/\[(MW-[A-Z]+-[0-9]{3})\] ([^:]+?): /g)].map((m) => `${m[1]} ${m[2]}`);
}

describe('gate: MeshTLSPolicy against allow lists (MW-AUTHZ-004)', () => {
  it('refuses a PERMISSIVE port entry on a port an allow list selects, naming it', async () => {
    const decision = await gate(
      request(policy('web', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }, 'secure')),
    );
    assert.deepEqual(rules(decision.message), ['MW-AUTHZ-004 spec.portLevelMtls["8080"].mode']);
    assert.equal(decision.warnings, undefined, 'no MW-ADVISE-001 on the refused field');
    assert.match(
      decision.message!,
      /would make port 8080 of secure PERMISSIVE, which MeshAuthorizationPolicy secure\/web \(selector app=web, port 8080\) restricts to listed identities.*Fix: keep them STRICT, or delete or narrow secure\/web first/,
    );
  });

  it('admits it on another port, or for pods the allow list does not select (with the usual advisory)', async () => {
    const otherPort = await gate(
      request(policy('web', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } }, 'secure')),
    );
    assert.equal(otherPort.allowed, true, otherPort.message);
    const otherPods = await gate(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'DISABLE' }, 'secure')));
    assert.equal(otherPods.allowed, true, otherPods.message);
    assert.match(otherPods.warnings![0]!, /MW-ADVISE-001/);
  });

  it('refuses lowering the namespace-wide policy under it, also to UNSET that inherits the PERMISSIVE default', async () => {
    for (const spec of [{ mode: 'PERMISSIVE' }, { mode: 'UNSET' }, {}]) {
      const decision = await gate(request(policy('default', spec, 'secure', T0), { operation: 'UPDATE', oldObject: nsStrict }));
      assert.deepEqual(rules(decision.message), ['MW-AUTHZ-004 spec.mode'], JSON.stringify(spec));
    }
  });

  it('refuses a mesh-wide mode that would lower an allow-listed port of a namespace without its own policy', async () => {
    const strictMesh = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'STRICT' } } });
    const objects = [namespace('open'), namespace('meshward-system'), authzObject('all', { allow: FROM_FRONTEND }, 'open', T0)];
    const meshGate = createGateHandler({ config: strictMesh, cluster: new StaticClusterState(objects) });
    const decision = await meshGate(request(policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system')));
    assert.deepEqual(rules(decision.message), ['MW-AUTHZ-004 spec.mode']);
    assert.match(decision.message!, /port(s)? of open PERMISSIVE, which MeshAuthorizationPolicy open\/all/);
    assert.equal((await meshGate(request(policy('mesh', { mode: 'STRICT' }, 'meshward-system')))).allowed, true);
  });

  it('says nothing new in a STRICT-labelled namespace: the label is a floor (MW-POLICY-001 still applies)', async () => {
    const decision = await gate(request(policy('relax', { selector: { matchLabels: { app: 'web' } }, mode: 'PERMISSIVE' }, 'shop')));
    assert.deepEqual(rules(decision.message), ['MW-POLICY-001 spec.mode']);
  });

  it('fails closed when the policies cannot be read and an allow list may be at stake; stays open where none is', async () => {
    const broken = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(baseObjects), ['listPolicies']) });
    const atStake = await broken(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'PERMISSIVE' }, 'secure')));
    assert.equal(atStake.reason, 'MW-GATE-001');
    const elsewhere = await broken(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'PERMISSIVE' }, 'dev')));
    assert.equal(elsewhere.allowed, true);
    assert.match(elsewhere.warnings![0]!, /could not check dev\/api for conflicts/);
    const unreadable = createGateHandler({
      config,
      cluster: failingCluster(new StaticClusterState(baseObjects), ['listAuthorizationPolicies']),
    });
    assert.equal(
      (await unreadable(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'PERMISSIVE' }, 'dev')))).reason,
      'MW-GATE-001',
    );
    assert.equal(
      (await unreadable(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'STRICT' }, 'dev')))).allowed,
      true,
    );
  });
});
