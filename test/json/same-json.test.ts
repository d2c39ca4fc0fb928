import assert from 'node:assert/strict';
import fc from 'fast-check';
import { equalJson, sameJson } from '../../webhook/json/same-json.js';

// sameJson stands in for comparing JSON.stringify texts in a cache lookup (shared-operations.ts):
// a wrong "same" would hand one workload another's probe rewrite.

describe('sameJson', () => {
  it('"same" always means the same JSON text, and a copy is always the same', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(value, value, (a, b) => {
        if (sameJson(a, b)) assert.equal(JSON.stringify(a), JSON.stringify(b));
        assert.equal(sameJson(a, structuredClone(a)), true);
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart values that differ in one member, type, order or length', () => {
    const route = { path: '/app-health/web/livez', kind: 'http', port: 8080, headers: [{ name: 'a', value: 'b' }] };
    assert.equal(sameJson([route], [{ ...route }]), true);
    assert.equal(sameJson([route], [{ ...route, port: 8081 }]), false);
    assert.equal(sameJson([route], [{ ...route, port: '8080' }]), false);
    assert.equal(sameJson([route], [{ ...route, extra: 1 }]), false);
    assert.equal(sameJson([route], [{ kind: 'http', path: route.path, port: 8080, headers: route.headers }]), false);
    assert.equal(sameJson([route], [{ ...route, headers: [{ name: 'a', value: 'c' }] }]), false);
    assert.equal(sameJson([route], [route, route]), false);
    assert.equal(sameJson({ 0: 'x' }, ['x']), false);
    assert.equal(sameJson(null, {}), false);
  });
});

describe('equalJson', () => {
  // With sorted keys, JSON text is the data: equalJson must agree with it exactly.
  const canonical = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
    );
  const shuffled = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(shuffled)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, shuffled(x)]),
          )
        : v;

  it('is equality of the data: member order never counts, anything else does', () => {
    const value = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(value, value, (a, b) => {
        assert.equal(equalJson(a, b), canonical(a) === canonical(b));
        assert.equal(equalJson(a, shuffled(a)), true);
      }),
      { numRuns: 2000 },
    );
    assert.equal(equalJson({ a: 1, b: undefined }, { a: 1 }), true, 'an undefined member is an absent one, as in JSON');
    assert.equal(equalJson({ a: [1, 2] }, { a: [2, 1] }), false);
    assert.equal(equalJson({ 0: 'x' }, ['x']), false);
  });
});
