import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { parseMeshAuthorizationPolicy, parseStoredAuthorizationPolicies } from '../../webhook/policy/parse-authorization.js';
import { PolicyParseError } from '../../webhook/policy/parse-policy.js';
import { authzObject } from './authorization-fixtures.js';

function problemsOf(object: KubeObject): Array<[string, string]> {
  try {
    parseMeshAuthorizationPolicy(object);
  } catch (err) {
    assert.ok(err instanceof PolicyParseError);
    return err.problems.map((p) => [p.field, `${p.problem}. Fix: ${p.fix}`]);
  }
  assert.fail('expected a PolicyParseError');
}

const WEB_SA = { serviceAccounts: ['frontend/web'] };

describe('parseMeshAuthorizationPolicy', () => {
  it('parses a workload policy: ports sorted, Enforce by default, the timestamp kept', () => {
    const parsed = parseMeshAuthorizationPolicy(
      authzObject(
        'api',
        {
          selector: { matchLabels: { app: 'api' } },
          ports: [9090, 8080],
          allow: [{ namespaces: ['frontend'], identities: ['spiffe://cluster.local/ns/batch/sa/reports'] }, WEB_SA],
        },
        'shop',
        '2026-01-01T00:00:00Z',
      ),
    );
    assert.deepEqual(parsed, {
      namespace: 'shop',
      name: 'api',
      selector: { app: 'api' },
      ports: [8080, 9090],
      allow: [
        { namespaces: ['frontend'], identities: ['spiffe://cluster.local/ns/batch/sa/reports'] },
        { serviceAccounts: ['frontend/web'] },
      ],
      enforcement: 'Enforce',
      creationTimestamp: '2026-01-01T00:00:00Z',
    });
  });

  it('parses a namespace-wide Audit policy without ports', () => {
    const parsed = parseMeshAuthorizationPolicy(authzObject('all', { allow: [WEB_SA], enforcement: 'Audit' }));
    assert.deepEqual(parsed, { namespace: 'shop', name: 'all', allow: [WEB_SA], enforcement: 'Audit' });
  });

  it('takes the default namespace for a manifest that names none', () => {
    const object = authzObject('p', { allow: [WEB_SA] });
    delete (object.metadata as { namespace?: string }).namespace;
    assert.equal(parseMeshAuthorizationPolicy(object, 'team').namespace, 'team');
  });

  const invalid: Array<[string, Record<string, unknown>, Array<[string, RegExp]>]> = [
    ['no allow', {}, [['spec.allow', /is missing\. Fix: list who may call/]]],
    ['an empty allow', { allow: [] }, [['spec.allow', /non-empty list of sources/]]],
    [
      'an entry naming no caller',
      { allow: [{}] },
      [['spec.allow[0]', /names no caller\. Fix: give at least one of namespaces, serviceAccounts, identities/]],
    ],
    ['an empty list in an entry', { allow: [{ namespaces: [] }] }, [['spec.allow[0].namespaces', /must be a non-empty list/]]],
    [
      'a ServiceAccount without its namespace',
      { allow: [{ serviceAccounts: ['web'] }] },
      [['spec.allow[0].serviceAccounts[0]', /"web" is not "<namespace>\/<serviceaccount>", e\.g\. frontend\/web/]],
    ],
    ['a namespace that is not a DNS label', { allow: [{ namespaces: ['Front_End'] }] }, [['spec.allow[0].namespaces[0]', /DNS label/]]],
    [
      'an identity that is not a SPIFFE ID',
      { allow: [{ identities: ['web.frontend'] }] },
      [['spec.allow[0].identities[0]', /exact SPIFFE ID/]],
    ],
    [
      'an identity with a ".." segment',
      { allow: [{ identities: ['spiffe://td/ns/a/../b'] }] },
      [['spec.allow[0].identities[0]', /SPIFFE ID/]],
    ],
    ['a trust domain alone', { allow: [{ identities: ['spiffe://cluster.local'] }] }, [['spec.allow[0].identities[0]', /SPIFFE ID/]]],
    ['a duplicate', { allow: [{ namespaces: ['a', 'a'] }] }, [['spec.allow[0].namespaces[1]', /listed twice/]]],
    [
      'an unknown source field',
      { allow: [{ principals: ['x'] }] },
      [
        ['spec.allow[0].principals', /is not a source field/],
        ['spec.allow[0]', /names no caller/],
      ],
    ],
    [
      'a port out of range',
      { allow: [WEB_SA], ports: [0, 70000] },
      [
        ['spec.ports[0]', /0 is not a port number\. Fix: list container ports from 1 to 65535/],
        ['spec.ports[1]', /70000 is not a port number/],
      ],
    ],
    ['a port as a string', { allow: [WEB_SA], ports: ['8080'] }, [['spec.ports[0]', /"8080" is not a port number/]]],
    ['an empty port list', { allow: [WEB_SA], ports: [] }, [['spec.ports', /non-empty list/]]],
    [
      'a lower-case enforcement',
      { allow: [WEB_SA], enforcement: 'enforce' },
      [['spec.enforcement', /"enforce" is not an enforcement\. Fix: use Enforce or Audit/]],
    ],
    ["Istio's rules", { allow: [WEB_SA], rules: [] }, [['spec.rules', /meshward lists callers in spec\.allow/]]],
    ['an empty selector', { allow: [WEB_SA], selector: {} }, [['spec.selector', /selects nothing/]]],
    [
      'matchExpressions',
      { allow: [WEB_SA], selector: { matchExpressions: [] } },
      [
        ['spec.selector.matchExpressions', /is not supported/],
        ['spec.selector', /selects nothing/],
      ],
    ],
  ];
  for (const [what, spec, expected] of invalid) {
    it(`refuses ${what}, naming the field and the accepted form`, () => {
      const problems = problemsOf(authzObject('bad', spec));
      assert.deepEqual(
        problems.map(([field]) => field),
        expected.map(([field]) => field),
        JSON.stringify(problems),
      );
      problems.forEach(([, text], i) => assert.match(text, expected[i]![1]));
    });
  }

  it('refuses the wrong kind, apiVersion and a missing spec together', () => {
    const problems = problemsOf({ apiVersion: 'meshward.io/v1', kind: 'MeshTLSPolicy', metadata: { name: 'x' } });
    assert.deepEqual(
      problems.map(([field]) => field),
      ['kind', 'apiVersion', 'spec'],
    );
  });

  it('skips stored policies that do not parse, and reuses a parse while the resourceVersion holds', () => {
    const good = { ...authzObject('good', { allow: [WEB_SA] }), metadata: { name: 'good', namespace: 'shop', resourceVersion: '7' } };
    const bad = authzObject('bad', { allow: [] });
    const first = parseStoredAuthorizationPolicies([good, bad]);
    assert.deepEqual(
      first.policies.map((p) => p.name),
      ['good'],
    );
    assert.equal(first.errors.length, 1);
    assert.match(first.errors[0]!.message, /^MeshAuthorizationPolicy shop\/bad: spec\.allow/);
    assert.equal(parseStoredAuthorizationPolicies([good]).policies[0], first.policies[0], 'cached by resourceVersion');
  });
});
