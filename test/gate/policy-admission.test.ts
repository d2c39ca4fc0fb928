import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { config, failingCluster, namespace, policy, request, strictNs } from './fixtures.js';

// MeshTLSPolicy admission: MW-POLICY-001/002 (STRICT namespaces stay STRICT), MW-AMBIG-* (ambiguity),
// validity (MW-POLICY-003),
// advisories, UPDATE and DELETE, fail closed.

const T0 = '2026-01-01T00:00:00Z';
const baseObjects: KubeObject[] = [
  strictNs('shop'),
  namespace('dev', { 'meshward.io/mtls': 'PERMISSIVE' }),
  namespace('meshward-system'),
  policy('web', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }, 'shop', T0),
  policy('legacy', { selector: { matchLabels: { app: 'legacy' } }, mode: 'PERMISSIVE' }, 'dev', T0),
  policy('default', { mode: 'PERMISSIVE' }, 'dev', T0),
];

type Row = [name: string, object: KubeObject, expected: Array<[string, string]>, extra?: KubeObject[]];

const WEB = { matchLabels: { app: 'web' } };
const rows: Row[] = [
  // MW-POLICY-001, in STRICT namespace shop.
  ['namespace-wide PERMISSIVE', policy('ns', { mode: 'PERMISSIVE' }), [['MW-POLICY-001', 'spec.mode']]],
  ['namespace-wide DISABLE', policy('ns', { mode: 'DISABLE' }), [['MW-POLICY-001', 'spec.mode']]],
  ['namespace-wide STRICT', policy('ns', { mode: 'STRICT' }), []],
  ['namespace-wide UNSET under a STRICT mesh default', policy('ns', {}), []],
  [
    'namespace-wide UNSET under a PERMISSIVE mesh-wide policy',
    policy('ns', { mode: 'UNSET' }),
    [['MW-POLICY-001', 'spec.mode']],
    [policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system', T0)],
  ],
  ['workload DISABLE', policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'DISABLE' }), [['MW-POLICY-001', 'spec.mode']]],
  [
    'workload STRICT with a PERMISSIVE port (the Kyverno gap)',
    policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'STRICT', portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }),
    [['MW-POLICY-001', 'spec.portLevelMtls["8080"].mode']],
  ],
  [
    'workload with a DISABLE port among STRICT ones',
    policy('api', { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { '80': { mode: 'STRICT' }, '9090': { mode: 'DISABLE' } } }),
    [['MW-POLICY-001', 'spec.portLevelMtls["9090"].mode']],
  ],
  [
    'workload UNSET inheriting a PERMISSIVE mesh-wide mode',
    policy('api', { selector: { matchLabels: { app: 'api' } } }),
    [['MW-POLICY-001', 'spec.mode']],
    [policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system', T0)],
  ],
  [
    'workload UNSET under a STRICT namespace-wide policy that shields a PERMISSIVE mesh',
    policy('api', { selector: { matchLabels: { app: 'api' } } }),
    [],
    [policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system', T0), policy('default', { mode: 'STRICT' }, 'shop', T0)],
  ],
  // MW-AMBIG-*, any namespace.
  [
    'a second namespace-wide policy (STRICT namespace)',
    policy('another', { mode: 'STRICT' }),
    [['MW-AMBIG-001', 'spec.selector']],
    [policy('default', { mode: 'STRICT' }, 'shop', T0)],
  ],
  [
    'a second namespace-wide policy (PERMISSIVE namespace)',
    policy('another', { mode: 'PERMISSIVE' }, 'dev'),
    [['MW-AMBIG-001', 'spec.selector']],
  ],
  [
    'an overlapping selector with the same settings',
    policy('web-v2', { selector: { matchLabels: { app: 'web', version: 'v2' } }, mode: 'PERMISSIVE' }, 'dev'),
    [],
    [policy('web', { selector: WEB, mode: 'PERMISSIVE' }, 'dev', T0)],
  ],
  [
    'an overlapping selector with another mode in dev',
    policy('legacy-strict', { selector: { matchLabels: { tier: 'back' } }, mode: 'STRICT' }, 'dev'),
    [['MW-AMBIG-002', 'spec.selector.matchLabels']],
  ],
  [
    'an overlapping selector with another mode in shop (both rules)',
    policy('web-canary', { selector: { matchLabels: { app: 'web', track: 'canary' } }, mode: 'PERMISSIVE' }),
    [
      ['MW-AMBIG-002', 'spec.selector.matchLabels'],
      ['MW-POLICY-001', 'spec.mode'],
    ],
  ],
  ['a disjoint selector', policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'STRICT' }), []],
  [
    'UPDATE of the policy itself is no conflict',
    policy('web', { selector: WEB, mode: 'STRICT', portLevelMtls: { '8443': { mode: 'STRICT' } } }, 'shop', T0),
    [],
  ],
  // Validity, any namespace.
  ['an invalid mode', policy('bad', { mode: 'Strict' }, 'dev'), [['MW-POLICY-003', 'spec.mode']]],
  [
    'portLevelMtls without a selector',
    policy('bad', { portLevelMtls: { '8080': { mode: 'STRICT' } } }, 'dev'),
    [['MW-POLICY-003', 'spec.portLevelMtls']],
  ],
];

function pairs(message: string | undefined): Array<[string, string]> {
  if (!message) return [];
  return message.split('; [').map((part) => {
    const m = /^\[?([A-Z0-9-]+)\] ([^:]+(?:\["[^"]*"\][^:]*)?): /.exec(part);
    assert.ok(m, `unparseable finding ${part}`);
    return [m[1]!, m[2]!] as [string, string];
  });
}

describe('gate: MeshTLSPolicy admission', () => {
  for (const [name, object, expected, extra] of rows) {
    it(`${name}: ${expected.length === 0 ? 'allowed' : expected.map((e) => e[0]).join(', ')}`, async () => {
      const gate = createGateHandler({ config, cluster: new StaticClusterState([...baseObjects, ...(extra ?? [])]) });
      const decision = await gate(request(object, name.startsWith('UPDATE') ? { operation: 'UPDATE', oldObject: baseObjects[3]! } : {}));
      assert.deepEqual(pairs(decision.message).sort(), [...expected].sort(), decision.message);
      assert.equal(decision.allowed, expected.length === 0);
      if (!decision.allowed) {
        assert.equal(
          decision.reason,
          expected.map((e) => e[0]).find((r) => decision.message!.startsWith(`[${r}]`)),
        );
        for (const part of decision.message!.split('; [')) assert.match(part, /\. Fix: \S/);
      }
    });
  }

  it('names both policies in an ambiguity denial', async () => {
    const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });
    const decision = await gate(request(policy('legacy-strict', { selector: { matchLabels: { tier: 'back' } }, mode: 'STRICT' }, 'dev')));
    assert.match(decision.message!, /selector tier=back overlaps dev\/legacy \(app=legacy\) and modes differ \(STRICT vs PERMISSIVE\)/);
  });

  it('an invalid policy is a 400 naming the field and the accepted form', async () => {
    const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });
    const decision = await gate(request(policy('bad', { mode: 'Strict' }, 'dev')));
    assert.equal(decision.code, 400);
    assert.match(
      decision.message!,
      /^\[MW-POLICY-003\] spec\.mode: "Strict" is not a mode\. Fix: use one of UNSET, DISABLE, PERMISSIVE, STRICT/,
    );
  });

  describe('mesh-wide policies', () => {
    const objects = [
      ...baseObjects,
      strictNs('pay'),
      strictNs('ledger'),
      policy('default', { mode: 'STRICT' }, 'ledger', T0),
      policy('default', { mode: 'UNSET' }, 'pay', T0),
    ];
    const gate = createGateHandler({ config, cluster: new StaticClusterState(objects) });

    it('refuses a mesh-wide mode that would lower STRICT namespaces, listing them', async () => {
      const decision = await gate(request(policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system')));
      assert.equal(decision.reason, 'MW-POLICY-002');
      assert.match(decision.message!, /^\[MW-POLICY-002\] spec\.mode: would make STRICT namespaces PERMISSIVE: pay, shop\. Fix: /);
      assert.doesNotMatch(decision.message!, /ledger/, 'ledger has its own STRICT policy');
    });

    it('caps the list of namespaces', async () => {
      const many = Array.from({ length: 8 }, (_, i) => strictNs(`team-${i}`));
      const decision = await createGateHandler({ config, cluster: new StaticClusterState([...many, namespace('meshward-system')]) })(
        request(policy('mesh', { mode: 'DISABLE' }, 'meshward-system')),
      );
      assert.match(decision.message!, /team-0, team-1, team-2, team-3, team-4 and 3 more/);
    });

    it('allows a mesh-wide PERMISSIVE when every STRICT namespace has its own STRICT policy, with an advisory', async () => {
      const shielded = createGateHandler({
        config,
        cluster: new StaticClusterState([
          strictNs('ledger'),
          namespace('meshward-system'),
          policy('default', { mode: 'STRICT' }, 'ledger', T0),
        ]),
      });
      const decision = await shielded(request(policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system')));
      assert.equal(decision.allowed, true);
      assert.deepEqual(decision.warnings, ['[MW-ADVISE-001] meshward-system/mesh spec.mode: PERMISSIVE accepts plaintext']);
    });

    it('an UNSET mesh-wide policy under a PERMISSIVE mesh default lowers STRICT namespaces too', async () => {
      const permissive = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });
      const decision = await createGateHandler({
        config: permissive,
        cluster: new StaticClusterState([
          strictNs('shop'),
          namespace('meshward-system'),
          policy('mesh', { mode: 'STRICT' }, 'meshward-system', T0),
        ]),
      })(
        request(policy('mesh', { mode: 'UNSET' }, 'meshward-system', T0), {
          operation: 'UPDATE',
          oldObject: policy('mesh', { mode: 'STRICT' }, 'meshward-system', T0),
        }),
      );
      assert.equal(decision.reason, 'MW-POLICY-002');
    });

    it('warns on a selector policy in the mesh namespace (it is not mesh-wide)', async () => {
      const decision = await gate(request(policy('ops', { selector: { matchLabels: { app: 'ops' } }, mode: 'STRICT' }, 'meshward-system')));
      assert.equal(decision.allowed, true);
      assert.match(
        decision.warnings![0]!,
        /^\[MW-ADVISE-002\] meshward-system\/ops: selector app=ops applies only to pods in meshward-system/,
      );
    });
  });

  it('advises, but allows, PERMISSIVE and DISABLE outside STRICT namespaces', async () => {
    const gate = createGateHandler({ config, cluster: new StaticClusterState(baseObjects) });
    const decision = await gate(
      request(
        policy(
          'api',
          { selector: { matchLabels: { app: 'api' } }, mode: 'DISABLE', portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } },
          'dev',
        ),
      ),
    );
    assert.deepEqual([decision.allowed, decision.reason], [true, 'not-strict']);
    assert.deepEqual(decision.warnings, [
      '[MW-ADVISE-001] dev/api spec.mode: DISABLE accepts plaintext',
      '[MW-ADVISE-001] dev/api spec.portLevelMtls["8080"].mode: PERMISSIVE accepts plaintext',
    ]);
  });

  it('lets a metadata-only UPDATE of an already-violating policy through, with warnings', async () => {
    const old = policy('legacy', { mode: 'PERMISSIVE', selector: { matchLabels: { app: 'legacy' } } }, 'shop', T0);
    const gate = createGateHandler({ config, cluster: new StaticClusterState([...baseObjects, old]) });
    const updated = { ...old, metadata: { ...old.metadata, finalizers: [] } };
    const decision = await gate(request(updated, { operation: 'UPDATE', oldObject: old }));
    assert.deepEqual([decision.allowed, decision.reason], [true, 'preexisting-violations']);
    assert.match(decision.warnings![0]!, /^pre-existing: \[MW-POLICY-001\]/);
    const tightened = await gate(
      request(policy('legacy', { mode: 'DISABLE', selector: { matchLabels: { app: 'legacy' } } }, 'shop', T0), {
        operation: 'UPDATE',
        oldObject: old,
      }),
    );
    assert.equal(tightened.allowed, false, 'a spec change is judged in full');
  });

  it('DELETE is allowed; deleting the policy that kept a namespace STRICT warns', async () => {
    const permissive = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });
    const ns = policy('default', { mode: 'STRICT' }, 'shop', T0);
    const gate = createGateHandler({ config: permissive, cluster: new StaticClusterState([...baseObjects, ns]) });
    const decision = await gate({ ...request(ns, { operation: 'DELETE', oldObject: ns }) });
    assert.equal(decision.allowed, true);
    assert.deepEqual(decision.warnings, ['[MW-ADVISE-004] deleting shop/default leaves STRICT namespaces less than STRICT: shop']);
  });

  it('deleting a PERMISSIVE mesh-wide policy, or a policy of a non-STRICT namespace, says nothing', async () => {
    const mesh = policy('mesh', { mode: 'PERMISSIVE' }, 'meshward-system', T0);
    const gate = createGateHandler({ config, cluster: new StaticClusterState([...baseObjects, mesh]) });
    assert.deepEqual(await gate(request(mesh, { operation: 'DELETE', oldObject: mesh })), { allowed: true, reason: 'not-gated' });
    assert.deepEqual(await gate(request(baseObjects[5]!, { operation: 'DELETE', oldObject: baseObjects[5]! })), {
      allowed: true,
      reason: 'not-gated',
    });
  });

  it('deleting the STRICT mesh-wide policy under a PERMISSIVE mesh default lists the namespaces it leaves', async () => {
    const permissive = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });
    const mesh = policy('mesh', { mode: 'STRICT' }, 'meshward-system', T0);
    const gate = createGateHandler({ config: permissive, cluster: new StaticClusterState([...baseObjects, mesh, strictNs('pay')]) });
    const decision = await gate(request(mesh, { operation: 'DELETE', oldObject: mesh }));
    assert.deepEqual(decision.warnings, [
      '[MW-ADVISE-004] deleting meshward-system/mesh leaves STRICT namespaces less than STRICT: pay, shop',
    ]);
  });

  describe('fail closed', () => {
    it('denies when the namespace cannot be read', async () => {
      const gate = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(baseObjects), ['getNamespace']) });
      const decision = await gate(request(policy('ns', { mode: 'STRICT' }, 'dev')));
      assert.deepEqual([decision.allowed, decision.reason], [false, 'MW-GATE-001']);
      assert.match(decision.message!, /API server could not be read/);
    });

    it('denies in a STRICT namespace when policies cannot be listed', async () => {
      const gate = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(baseObjects), ['listPolicies']) });
      assert.equal(
        (await gate(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'STRICT' })))).reason,
        'MW-GATE-001',
      );
    });

    it('denies a mesh-wide policy when namespaces cannot be listed', async () => {
      const gate = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(baseObjects), ['listNamespaces']) });
      assert.equal((await gate(request(policy('mesh', { mode: 'STRICT' }, 'meshward-system')))).reason, 'MW-GATE-001');
    });

    it('stays open outside STRICT namespaces, warning that conflicts were not checked', async () => {
      const gate = createGateHandler({ config, cluster: failingCluster(new StaticClusterState(baseObjects), ['listPolicies']) });
      const decision = await gate(request(policy('api', { selector: { matchLabels: { app: 'api' } }, mode: 'PERMISSIVE' }, 'dev')));
      assert.equal(decision.allowed, true);
      assert.match(decision.warnings![0]!, /could not check dev\/api for conflicts/);
    });
  });
});
