import assert from 'node:assert/strict';
import { findAuthorizationConflicts } from '../../webhook/policy/authorization-conflicts.js';
import { authz } from './authorization-fixtures.js';

// Which pairs of MeshAuthorizationPolicies are ambiguous (allow lists add up; enforcement does not).

const MESH = 'meshward-system';
const kinds = (candidate: ReturnType<typeof authz>, others: Array<ReturnType<typeof authz>>): string[][] =>
  findAuthorizationConflicts(candidate, others, MESH).map((c) => [c.kind, c.existing]);

describe('findAuthorizationConflicts', () => {
  it('a second namespace-wide (or mesh-wide) policy, whatever its ports', () => {
    assert.deepEqual(kinds(authz('b', { ports: [9090] }), [authz('a', { ports: [8080] })]), [['second-namespace-wide', 'shop/a']]);
    assert.deepEqual(kinds(authz('m2', { namespace: MESH }), [authz('m1', { namespace: MESH })]), [
      ['second-namespace-wide', `${MESH}/m1`],
    ]);
    assert.deepEqual(kinds(authz('b', { namespace: 'dev' }), [authz('a')]), [], 'another namespace');
  });

  it('the same selector with a shared port is a duplicate; disjoint ports are not', () => {
    const web = authz('web', { selector: { app: 'web' }, ports: [8080] });
    assert.deepEqual(kinds(authz('web2', { selector: { app: 'web' }, ports: [8080, 9090] }), [web]), [['duplicate-selector', 'shop/web']]);
    assert.deepEqual(kinds(authz('web2', { selector: { app: 'web' } }), [web]), [['duplicate-selector', 'shop/web']]);
    assert.deepEqual(kinds(authz('web2', { selector: { app: 'web' }, ports: [9090] }), [web]), []);
  });

  it('overlapping selectors with the same enforcement add up: no conflict', () => {
    assert.deepEqual(
      kinds(authz('canary', { selector: { app: 'web', track: 'canary' } }), [authz('web', { selector: { app: 'web' } })]),
      [],
    );
  });

  it('Enforce and Audit on a pod and port both can select', () => {
    const audit = { enforcement: 'Audit' as const };
    assert.deepEqual(kinds(authz('c', { selector: { tier: 'front' }, ...audit }), [authz('w', { selector: { app: 'web' } })]), [
      ['enforcement-differs', 'shop/w'],
    ]);
    assert.deepEqual(kinds(authz('c', { selector: { app: 'api' }, ...audit }), [authz('w', { selector: { app: 'web' } })]), [], 'disjoint');
    assert.deepEqual(
      kinds(authz('c', { selector: { app: 'web' }, ports: [9090], ...audit }), [authz('w', { selector: { app: 'web' }, ports: [8080] })]),
      [],
    );
    assert.deepEqual(kinds(authz('c', { selector: { app: 'web' }, ...audit }), [authz('ns')]), [['enforcement-differs', 'shop/ns']]);
    assert.deepEqual(kinds(authz('c', { namespace: 'dev', ...audit }), [authz('m', { namespace: MESH })]), [
      ['enforcement-differs', `${MESH}/m`],
    ]);
    assert.deepEqual(kinds(authz('m', { namespace: MESH, ...audit }), [authz('w', { namespace: 'dev', selector: { app: 'web' } })]), [
      ['enforcement-differs', 'dev/w'],
    ]);
  });

  it('never conflicts with itself (an UPDATE) and names the other policy in the detail', () => {
    assert.deepEqual(kinds(authz('a'), [authz('a', { enforcement: 'Audit' })]), []);
    const [conflict] = findAuthorizationConflicts(authz('c', { selector: { app: 'web' }, enforcement: 'Audit' }), [authz('ns')], MESH);
    assert.equal(conflict!.detail, 'shop/ns (Enforce, no selector, all ports) selects the same pods and ports as Audit');
  });
});
