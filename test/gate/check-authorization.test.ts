import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import { checkObjects } from '../../webhook/gate/check-objects.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { authzObject } from '../policy/authorization-fixtures.js';
import { namespace, policy, request, strictNs } from './fixtures.js';

// `meshward check` runs MW-AUTHZ-001..004 offline with the gate's answers.

const config = buildConfig({ flags: { 'self-signed': true } });
const T0 = '2026-01-01T00:00:00Z';
const FROM_FRONTEND = [{ serviceAccounts: ['frontend/web'] }];
const rows = (violations: Awaited<ReturnType<typeof checkObjects>>): string[][] => violations.map((v) => [v.rule, v.kind, v.name, v.field]);

describe('checkObjects: authorization', () => {
  it('reports invalid, unenforceable and ambiguous MeshAuthorizationPolicies, a conflicting pair once on the later one', async () => {
    const violations = await checkObjects(
      [
        strictNs('shop'),
        namespace('dev'),
        authzObject('bad', { allow: [] }, 'dev'),
        authzObject('open', { allow: FROM_FRONTEND }, 'dev'),
        authzObject('first', { allow: FROM_FRONTEND }),
        authzObject('second', { allow: [{ namespaces: ['batch'] }] }),
        authzObject('audit', { selector: { matchLabels: { app: 'web' } }, allow: FROM_FRONTEND, enforcement: 'Audit' }),
      ],
      { config },
    );
    assert.deepEqual(rows(violations), [
      ['MW-AUTHZ-001', 'MeshAuthorizationPolicy', 'bad', 'spec.allow'],
      ['MW-AUTHZ-002', 'MeshAuthorizationPolicy', 'open', 'spec.selector'],
      ['MW-AUTHZ-003', 'MeshAuthorizationPolicy', 'second', 'spec.selector'],
      ['MW-AUTHZ-003', 'MeshAuthorizationPolicy', 'audit', 'spec.enforcement'],
      ['MW-AUTHZ-003', 'MeshAuthorizationPolicy', 'audit', 'spec.enforcement'],
    ]);
    assert.match(violations[0]!.message, /\. Fix: list who may call/);
  });

  it('treats every namespace as STRICT with --assume-strict', async () => {
    assert.deepEqual(await checkObjects([authzObject('open', { allow: FROM_FRONTEND }, 'dev')], { config, assumeStrict: true }), []);
  });

  it('refuses a MeshTLSPolicy manifest that lowers an allow-listed port (MW-AUTHZ-004), judged against the stored version', async () => {
    const stored = [
      namespace('secure'),
      policy('default', { mode: 'STRICT' }, 'secure', T0),
      authzObject('all', { allow: FROM_FRONTEND }, 'secure', T0),
    ];
    const cluster = new StaticClusterState(stored);
    assert.deepEqual(rows(await checkObjects([policy('default', {}, 'secure')], { config, cluster })), [
      ['MW-AUTHZ-004', 'MeshTLSPolicy', 'default', 'spec.mode'],
    ]);
    assert.deepEqual(
      rows(
        await checkObjects(
          [policy('web', { selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '80': { mode: 'DISABLE' } } }, 'secure')],
          { config, cluster },
        ),
      ),
      [['MW-AUTHZ-004', 'MeshTLSPolicy', 'web', 'spec.portLevelMtls["80"].mode']],
    );
    assert.deepEqual(await checkObjects([policy('default', { mode: 'STRICT' }, 'secure')], { config, cluster }), []);
  });

  it('gives the gate’s answer for the same objects', async () => {
    const stored: KubeObject[] = [
      namespace('secure'),
      namespace('meshward-system'),
      policy('default', { mode: 'STRICT' }, 'secure', T0),
      authzObject('all', { allow: FROM_FRONTEND }, 'secure', T0),
    ];
    const cluster = new StaticClusterState(stored);
    const gate = createGateHandler({ config, cluster });
    const candidates = [
      authzObject('more', { allow: FROM_FRONTEND }, 'secure'),
      authzObject('web', { selector: { matchLabels: { app: 'web' } }, allow: FROM_FRONTEND }, 'secure'),
      authzObject('web', { selector: { matchLabels: { app: 'web' } }, allow: FROM_FRONTEND, enforcement: 'Audit' }, 'secure'),
      policy('relax', { selector: { matchLabels: { app: 'web' } }, mode: 'PERMISSIVE' }, 'secure'),
      authzObject('mesh', { allow: FROM_FRONTEND }, 'meshward-system'),
    ];
    for (const object of candidates) {
      const decision = await gate(request(object));
      const fromGate = [...(decision.message ?? '').matchAll(/\[(MW-[A-Z]+-[0-9]{3})\]/g)].map((m) => m[1]);
      const fromCheck = (await checkObjects([object], { config, cluster })).map((v) => v.rule);
      assert.deepEqual(fromCheck, fromGate, `${object.kind} ${object.metadata?.name}: ${decision.message}`);
    }
  });
});
