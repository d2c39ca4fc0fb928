import assert from 'node:assert/strict';
import { buildConfig } from '../../webhook/config/load.js';
import { principalMatches } from '../../webhook/policy/authorization-principals.js';
import { authorizationForPort, resolveWorkloadAuthorization, type AuthorizationInput } from '../../webhook/policy/resolve-authorization.js';
import { authz } from './authorization-fixtures.js';

// The resolver's cases: who selects, which ports, principals, audit vs enforce, the mesh default.

const config = buildConfig({ flags: { 'self-signed': true } });
const denyConfig = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultAuthorization: 'deny' } } });
const WEB = { app: 'web' };

function resolve(input: Partial<AuthorizationInput>): ReturnType<typeof resolveWorkloadAuthorization> {
  return resolveWorkloadAuthorization({ config, meshPolicies: [], namespacePolicies: [], podLabels: WEB, ports: [8080], ...input });
}

describe('resolveWorkloadAuthorization', () => {
  it('without policies every port follows mesh.defaultAuthorization (allow-mesh by default, or deny)', () => {
    assert.deepEqual(resolve({}), { ports: [{ port: 8080, authorization: { kind: 'allow-mesh' } }], undeclared: { kind: 'allow-mesh' } });
    assert.deepEqual(resolve({ config: denyConfig }), {
      ports: [{ port: 8080, authorization: { kind: 'deny' } }],
      undeclared: { kind: 'deny' },
    });
  });

  it('turns namespaces into prefixes ending in "/", ServiceAccounts and identities into exact IDs, sorted', () => {
    const policy = authz('web', {
      selector: WEB,
      allow: [{ serviceAccounts: ['frontend/web'], namespaces: ['batch'], identities: ['spiffe://partner.example/ns/x/sa/y'] }],
    });
    const port = authorizationForPort(resolve({ namespacePolicies: [policy] }), 8080);
    assert.deepEqual(port, {
      kind: 'allow-list',
      principals: [
        { prefix: 'spiffe://cluster.local/ns/batch/' },
        { exact: 'spiffe://cluster.local/ns/frontend/sa/web' },
        { exact: 'spiffe://partner.example/ns/x/sa/y' },
      ],
      enforcement: 'Enforce',
      policies: ['shop/web'],
    });
    assert.ok(!principalMatches({ prefix: 'spiffe://cluster.local/ns/batch/' }, 'spiffe://cluster.local/ns/batch-admin/sa/x'));
  });

  it('a policy naming ports selects only those; the others and undeclared ports keep the default', () => {
    const result = resolve({ namespacePolicies: [authz('web', { selector: WEB, ports: [9090] })], ports: [8080, 9090] });
    assert.equal(authorizationForPort(result, 8080).kind, 'allow-mesh');
    assert.equal(authorizationForPort(result, 9090).kind, 'allow-list');
    assert.deepEqual(result.undeclared, { kind: 'allow-mesh' });
  });

  it('lists ports a policy names even when the pod does not declare them, ascending and once', () => {
    const result = resolve({ namespacePolicies: [authz('web', { selector: WEB, ports: [9090, 7070] })], ports: [8080, 8080] });
    assert.deepEqual(
      result.ports.map((p) => p.port),
      [7070, 8080, 9090],
    );
  });

  it('unions mesh-wide, namespace-wide and workload policies on a port, naming each', () => {
    const mesh = authz('mesh', { namespace: 'meshward-system', allow: [{ namespaces: ['monitoring'] }] });
    const ns = authz('ns', { allow: [{ namespaces: ['shop'] }] });
    const web = authz('web', { selector: WEB, ports: [8080] });
    const other = authz('api', { selector: { app: 'api' }, allow: [{ namespaces: ['nobody'] }] });
    const port = authorizationForPort(resolve({ meshPolicies: [mesh], namespacePolicies: [web, ns, other] }), 8080);
    assert.ok(port.kind === 'allow-list');
    assert.deepEqual(port.policies, ['meshward-system/mesh', 'shop/ns', 'shop/web']);
    assert.deepEqual(port.principals, [
      { exact: 'spiffe://cluster.local/ns/frontend/sa/web' },
      { prefix: 'spiffe://cluster.local/ns/monitoring/' },
      { prefix: 'spiffe://cluster.local/ns/shop/' },
    ]);
  });

  it('counts a selector policy of the mesh namespace only for pods of that namespace', () => {
    const ops = authz('ops', { namespace: 'meshward-system', selector: WEB });
    assert.equal(authorizationForPort(resolve({ meshPolicies: [ops] }), 8080).kind, 'allow-mesh');
    assert.equal(authorizationForPort(resolve({ meshPolicies: [ops], namespacePolicies: [ops] }), 8080).kind, 'allow-list');
  });

  it('a policy in both lists (the workload in the mesh namespace) counts once', () => {
    const mesh = authz('mesh', { namespace: 'meshward-system' });
    const port = authorizationForPort(resolve({ meshPolicies: [mesh], namespacePolicies: [mesh] }), 8080);
    assert.ok(port.kind === 'allow-list');
    assert.deepEqual(port.policies, ['meshward-system/mesh']);
  });

  it('Audit only when every selecting policy audits; a stored Enforce/Audit disagreement enforces', () => {
    const audit = authz('a', { selector: WEB, enforcement: 'Audit' });
    const auditToo = authz('b', { enforcement: 'Audit', allow: [{ namespaces: ['x'] }] });
    const enforce = authz('c', { selector: WEB, ports: [8080], enforcement: 'Enforce' });
    const both = resolve({ namespacePolicies: [audit, auditToo], ports: [8080, 9090] });
    assert.equal((authorizationForPort(both, 8080) as { enforcement: string }).enforcement, 'Audit');
    const mixed = resolve({ namespacePolicies: [audit, enforce], ports: [8080, 9090] });
    assert.equal((authorizationForPort(mixed, 8080) as { enforcement: string }).enforcement, 'Enforce');
    assert.equal((authorizationForPort(mixed, 9090) as { enforcement: string }).enforcement, 'Audit');
  });

  it('a policy whose selector does not match the pod does nothing', () => {
    assert.deepEqual(resolve({ namespacePolicies: [authz('web', { selector: { app: 'web', track: 'canary' } })] }).undeclared, {
      kind: 'allow-mesh',
    });
  });
});
