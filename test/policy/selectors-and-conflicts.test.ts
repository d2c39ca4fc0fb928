import assert from 'node:assert/strict';
import { findPolicyConflicts } from '../../webhook/policy/conflicts.js';
import { formatSelector, selectorMatches, selectorsOverlap } from '../../webhook/policy/label-selector.js';
import type { MeshTLSPolicy } from '../../webhook/policy/mesh-tls-policy.js';
import { comparePolicyPrecedence, pickWinningPolicy } from '../../webhook/policy/precedence.js';

type Labels = Record<string, string> | undefined;

describe('label selectors', () => {
  const matches: Array<[Labels, Labels, boolean]> = [
    [undefined, { app: 'web' }, true],
    [{ app: 'web' }, { app: 'web', tier: 'front' }, true],
    [{ app: 'web' }, { app: 'api' }, false],
    [{ app: 'web', tier: 'front' }, { app: 'web' }, false],
    [{ app: 'web' }, undefined, false],
  ];
  for (const [selector, labels, expected] of matches) {
    it(`${formatSelector(selector)} ${expected ? 'selects' : 'does not select'} ${JSON.stringify(labels)}`, () =>
      assert.equal(selectorMatches(selector, labels), expected));
  }

  const overlaps: Array<[Labels, Labels, boolean]> = [
    [{ app: 'web' }, { app: 'web' }, true],
    [{ app: 'web' }, { tier: 'front' }, true], // a pod labelled with both is selected by each
    [{ app: 'web' }, { app: 'web', version: 'v2' }, true],
    [{ app: 'web' }, { app: 'api' }, false],
    [{ app: 'web', tier: 'front' }, { tier: 'back', app: 'web' }, false],
  ];
  for (const [a, b, expected] of overlaps) {
    it(`${formatSelector(a)} and ${formatSelector(b)} ${expected ? 'overlap' : 'are disjoint'} (both ways)`, () => {
      assert.equal(selectorsOverlap(a, b), expected);
      assert.equal(selectorsOverlap(b, a), expected);
    });
  }

  it('formats selectors sorted, and <none> for no selector', () => {
    assert.equal(formatSelector({ tier: 'front', app: 'web' }), 'app=web,tier=front');
    assert.equal(formatSelector(undefined), '<none>');
  });
});

function p(name: string, extra: Partial<MeshTLSPolicy> = {}, ns = 'shop'): MeshTLSPolicy {
  return { namespace: ns, name, mode: 'STRICT', portLevelMtls: [], ...extra };
}

describe('policy precedence (deterministic when two policies compete)', () => {
  it('the oldest creationTimestamp wins, whatever the list order', () => {
    const old = p('zeta', { creationTimestamp: '2026-01-01T00:00:00Z' });
    const young = p('alpha', { creationTimestamp: '2026-02-01T00:00:00Z' });
    assert.equal(pickWinningPolicy([young, old]), old);
    assert.equal(pickWinningPolicy([old, young]), old);
  });
  it('on equal timestamps (one-second resolution) the name decides', () => {
    const a = p('a', { creationTimestamp: '2026-01-01T00:00:00Z' });
    const b = p('b', { creationTimestamp: '2026-01-01T00:00:00Z' });
    assert.equal(pickWinningPolicy([b, a]), a);
  });
  it('a policy without a timestamp (a manifest) loses to a stored one', () => {
    assert.ok(comparePolicyPrecedence(p('a'), p('b', { creationTimestamp: '2026-01-01T00:00:00Z' })) > 0);
    assert.equal(pickWinningPolicy([]), undefined);
  });
});

describe('findPolicyConflicts', () => {
  const nsWide = p('default');
  const web = p('web', { selector: { app: 'web' } });
  const cases: Array<[string, MeshTLSPolicy, MeshTLSPolicy[], string[]]> = [
    ['a second namespace-wide policy', p('another'), [nsWide], ['second-namespace-wide shop/default']],
    [
      'a second namespace-wide policy even with the same mode',
      p('another', { mode: 'STRICT' }),
      [nsWide],
      ['second-namespace-wide shop/default'],
    ],
    ['an UPDATE of the namespace-wide policy itself', p('default', { mode: 'PERMISSIVE' }), [nsWide], []],
    [
      'overlapping selectors with different modes',
      p('web-v2', { selector: { app: 'web', version: 'v2' }, mode: 'PERMISSIVE' }),
      [web],
      ['overlapping-selectors shop/web'],
    ],
    [
      'overlapping selectors with different port entries',
      p('web-ports', { selector: { tier: 'front' }, portLevelMtls: [{ port: 8080, mode: 'DISABLE' }] }),
      [web],
      ['overlapping-selectors shop/web'],
    ],
    ['overlapping selectors that agree', p('web-too', { selector: { tier: 'front' } }), [web], []],
    ['disjoint selectors', p('api', { selector: { app: 'api' }, mode: 'DISABLE' }), [web], []],
    ['a workload policy next to a namespace-wide one', p('api', { selector: { app: 'api' }, mode: 'DISABLE' }), [nsWide], []],
    ['policies of other namespaces', p('another'), [p('default', {}, 'other')], []],
    [
      'a second mesh-wide policy',
      p('mesh2', {}, 'meshward-system'),
      [p('mesh', {}, 'meshward-system')],
      ['second-namespace-wide meshward-system/mesh'],
    ],
  ];
  for (const [name, candidate, existing, expected] of cases) {
    it(`${name}: ${expected.length === 0 ? 'no conflict' : expected.join(', ')}`, () => {
      const conflicts = findPolicyConflicts(candidate, existing, 'meshward-system');
      assert.deepEqual(
        conflicts.map((c) => `${c.kind} ${c.existing}`),
        expected,
      );
      for (const c of conflicts) assert.match(c.detail, new RegExp(c.existing));
    });
  }
});
