import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sameJson } from '../../webhook/json/same-json.js';

// sameJson stands in for comparing JSON.stringify texts in a cache lookup (proxy-files.ts): a
// wrong "same" would hand one workload another's proxy config.

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
