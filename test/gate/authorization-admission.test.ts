import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { authzObject } from '../policy/authorization-fixtures.js';
import { failingCluster, namespace, policy, request, strictNs } from './fixtures.js';

// MeshAuthorizationPolicy admission: MW-AUTHZ-001 (invalid), MW-AUTHZ-002 (a selected port takes
// plaintext), MW-AUTHZ-003 (ambiguous); and MW-AUTHZ-004, the same unenforceability reached by a
// MeshTLSPolicy. Under meshward's real default, mesh.defaultMode PERMISSIVE.

const config = buildConfig({ flags: { 'self-signed': true } });
const T0 = '2026-01-01T00:00:00Z';
const WEB = { matchLabels: { app: 'web' } };
const FROM_FRONTEND = [{ serviceAccounts: ['frontend/web'] }];
// shop: labelled STRICT. secure: a STRICT namespace-wide MeshTLSPolicy and an allow list. mixed: the
// same MeshTLSPolicy, and app=legacy PERMISSIVE on 9090. dev: nothing (the mesh default, PERMISSIVE).
const baseObjects: KubeObject[] = [
  strictNs('shop'),
  namespace('secure'),
  namespace('mixed'),
  namespace('dev'),
  namespace('meshward-system'),
  authzObject('web', { selector: WEB, allow: FROM_FRONTEND }, 'shop', T0),
  policy('default', { mode: 'STRICT' }, 'secure', T0),
  authzObject('all', { allow: [{ namespaces: ['secure'] }] }, 'secure', T0),
  policy('default', { mode: 'STRICT' }, 'mixed', T0),
  policy('legacy', { selector: { matchLabels: { app: 'legacy' } }, portLevelMtls: { '9090': { mode: 'PERMISSIVE' } } }, 'mixed', T0),
];

type Row = [name: string, object: KubeObject, expected: Array<[string, string]>, extra?: KubeObject[]];
const rows: Row[] = [
  [
    'a namespace-wide allow list where one workload MeshTLSPolicy takes plaintext',
    authzObject('all', { allow: FROM_FRONTEND }, 'mixed'),
    [['MW-AUTHZ-002', 'spec.selector']],
  ],
  [
    'an allow list in a STRICT-labelled namespace',
    authzObject('api', { selector: { matchLabels: { app: 'api' } }, allow: FROM_FRONTEND }),
    [],
  ],
  [
    'a namespace-wide allow list where the mesh default is PERMISSIVE',
    authzObject('all', { allow: FROM_FRONTEND }, 'dev'),
    [['MW-AUTHZ-002', 'spec.selector']],
  ],
  [
    'a workload allow list on a port a STRICT namespace-wide MeshTLSPolicy covers',
    authzObject('api', { selector: { matchLabels: { app: 'api' } }, ports: [8080], allow: FROM_FRONTEND }, 'secure'),
    [],
  ],
  [
    'an allow list on the port a MeshTLSPolicy makes PERMISSIVE',
    authzObject('legacy', { selector: { matchLabels: { app: 'legacy' } }, ports: [8080, 9090], allow: FROM_FRONTEND }, 'mixed'),
    [['MW-AUTHZ-002', 'spec.ports[1]']],
  ],
  [
    'an allow list on the other ports of that workload',
    authzObject('legacy', { selector: { matchLabels: { app: 'legacy' } }, ports: [8080], allow: FROM_FRONTEND }, 'mixed'),
    [],
  ],
  [
    'an allow list on every port of that workload',
    authzObject('legacy', { selector: { matchLabels: { app: 'legacy' } }, allow: FROM_FRONTEND }, 'mixed'),
    [['MW-AUTHZ-002', 'spec.selector']],
  ],
  [
    'an invalid policy',
    authzObject('bad', { allow: [{ serviceAccounts: ['web'] }] }, 'dev'),
    [['MW-AUTHZ-001', 'spec.allow[0].serviceAccounts[0]']],
  ],
  ['a second namespace-wide policy', authzObject('more', { allow: FROM_FRONTEND }, 'secure'), [['MW-AUTHZ-003', 'spec.selector']]],
  [
    'the same selector again',
    authzObject('web2', { selector: WEB, allow: [{ namespaces: ['batch'] }] }),
    [['MW-AUTHZ-003', 'spec.selector.matchLabels']],
  ],
  [
    'the same selector on other ports',
    authzObject('web2', { selector: WEB, ports: [9090], allow: FROM_FRONTEND }),
    [['MW-AUTHZ-003', 'spec.selector.matchLabels']],
  ],
  [
    'Audit where an overlapping policy enforces',
    authzObject('canary', { selector: { matchLabels: { app: 'web', track: 'canary' } }, allow: FROM_FRONTEND, enforcement: 'Audit' }),
    [['MW-AUTHZ-003', 'spec.enforcement']],
  ],
  [
    'Audit on a disjoint workload',
    authzObject('api', { selector: { matchLabels: { app: 'api' } }, allow: FROM_FRONTEND, enforcement: 'Audit' }),
    [],
  ],
  ['UPDATE of the policy itself', authzObject('web', { selector: WEB, allow: [{ namespaces: ['frontend'] }] }, 'shop', T0), []],
  [
    'a mesh-wide allow list while dev takes plaintext',
    authzObject('mesh', { allow: [{ namespaces: ['monitoring'] }] }, 'meshward-system'),
    [['MW-AUTHZ-002', 'spec.selector']],
  ],
];

function pairs(message: string | undefined): Array<[string, string]> {
  if (!message) return [];
  return message.split('; [').map((part) => {
    const m = /^\[?([A-Z0-9-]+)\] ([^:]+?): /.exec(part);
    assert.ok(m, `unparseable finding ${part}`);
    return [m[1]!, m[2]!] as [string, string];
  });
}

describe('gate: MeshAuthorizationPolicy admission', () => {
  for (const [name, object, expected, extra] of rows) {
    it(`${name}: ${expected.length === 0 ? 'allowed' : expected.map((e) => e[0]).join(', ')}`, async () => {
      const gate = createGateHandler({ config, cluster: new StaticClusterState([...baseObjects, ...(extra ?? [])]) });
      const update = name.startsWith('UPDATE') ? { operation: 'UPDATE' as const, oldObject: baseObjects[5]! } : {};
      const decision = await gate(request(object, update));
      assert.deepEqual(pairs(decision.message), expected, decision.message);
      assert.equal(decision.allowed, expected.length === 0);
      if (!decision.allowed) {
        assert.equal(decision.reason, expected[0]![0]);
        for (const part of decision.message!.split('; [')) assert.match(part, /\. Fix: \S/);
      }
    });
  }

  it('says which level decides, and the command that makes the port STRICT', async () => {
    const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });
    const decision = await gate(
      request(authzObject('legacy', { selector: { matchLabels: { app: 'legacy' } }, ports: [9090], allow: FROM_FRONTEND }, 'mixed')),
    );
    assert.equal(
      decision.message,
      '[MW-AUTHZ-002] spec.ports[0]: port 9090 of app=legacy in mixed resolves to PERMISSIVE (port policy mixed/legacy); an allow list cannot be enforced on plaintext. ' +
        'Fix: make it STRICT first: label namespace mixed meshward.io/mtls=STRICT or `meshward generate -n mixed -l app=legacy -p 9090 -m STRICT`, then apply the allow list',
    );
  });

  it('an invalid policy is a 400 naming the field and the accepted form', async () => {
    const decision = await createGateHandler({ config, cluster: new StaticClusterState(baseObjects) })(
      request(authzObject('bad', { allow: [{ serviceAccounts: ['web'] }] }, 'dev')),
    );
    assert.equal(decision.code, 400);
    assert.match(decision.message!, /"web" is not "<namespace>\/<serviceaccount>", e\.g\. frontend\/web/);
  });

  it('names the other policy in an ambiguity denial', async () => {
    const decision = await createGateHandler({ config, cluster: new StaticClusterState(baseObjects) })(
      request(authzObject('more', { allow: FROM_FRONTEND }, 'secure')),
    );
    assert.match(
      decision.message!,
      /secure\/all is already the namespace-wide authorization policy.*Fix: add the callers to secure\/all instead/,
    );
  });

  it('admits a mesh-wide allow list when every meshed namespace is STRICT; lists the ones that are not', async () => {
    const strictOnly = [strictNs('shop'), strictNs('pay'), namespace('meshward-system'), namespace('kube-system')];
    const mesh = authzObject('mesh', { allow: [{ namespaces: ['monitoring'] }] }, 'meshward-system');
    assert.equal((await createGateHandler({ config, cluster: new StaticClusterState(strictOnly) })(request(mesh))).allowed, true);
    const decision = await createGateHandler({ config, cluster: new StaticClusterState([...strictOnly, namespace('dev')]) })(request(mesh));
    assert.match(decision.message!, /these accept plaintext: dev \(PERMISSIVE: the mesh default \(mesh\.defaultMode\)\)/);
  });

  it('lets a metadata-only UPDATE of an already-unenforceable policy through with warnings; DELETE and status are not gated', async () => {
    const old = authzObject('all', { allow: FROM_FRONTEND }, 'dev', T0);
    const gate = createGateHandler({ config, cluster: new StaticClusterState([...baseObjects, old]) });
    const relabelled = { ...old, metadata: { ...old.metadata, labels: { team: 'a' } } };
    const decision = await gate(request(relabelled, { operation: 'UPDATE', oldObject: old }));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'preexisting-violations']);
    assert.match(decision.warnings![0]!, /^pre-existing: \[MW-AUTHZ-002\]/);
    assert.deepEqual(await gate(request(old, { operation: 'DELETE', oldObject: old })), { allowed: true, reason: 'not-gated' });
    assert.deepEqual(await gate({ ...request(old, { operation: 'UPDATE', oldObject: old }), subResource: 'status' }), {
      allowed: true,
      reason: 'not-gated',
    });
  });

  it('fails closed when authorization policies cannot be read, and on a namespace it does not know', async () => {
    const broken = createGateHandler({
      config,
      cluster: failingCluster(new StaticClusterState(baseObjects), ['listAuthorizationPolicies']),
    });
    assert.equal((await broken(request(authzObject('api', { selector: WEB, allow: FROM_FRONTEND }, 'secure')))).reason, 'MW-GATE-001');
    const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });
    assert.equal((await gate(request(authzObject('api', { allow: FROM_FRONTEND }, 'nowhere')))).reason, 'MW-GATE-002');
  });
});
