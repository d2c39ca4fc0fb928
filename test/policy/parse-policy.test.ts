import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { parseMeshTLSPolicy, parseStoredPolicies, PolicyParseError } from '../../webhook/policy/parse-policy.js';

function policy(spec: unknown, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshTLSPolicy',
    metadata: { name: 'p', namespace: 'shop' },
    ...(spec === undefined ? {} : { spec }),
    ...extra,
  };
}

function problemsOf(object: KubeObject): Array<[string, RegExp | string]> {
  try {
    parseMeshTLSPolicy(object);
  } catch (err) {
    assert.ok(err instanceof PolicyParseError);
    return err.problems.map((p) => [p.field, `${p.problem}. Fix: ${p.fix}`]);
  }
  assert.fail('expected a PolicyParseError');
}

describe('parseMeshTLSPolicy', () => {
  it('parses a workload policy with port entries, sorted by port', () => {
    const p = parseMeshTLSPolicy({
      ...policy({ selector: { matchLabels: { app: 'web' } }, mode: 'STRICT', portLevelMtls: { '9090': { mode: 'DISABLE' }, '8080': {} } }),
      metadata: { name: 'p', namespace: 'shop', creationTimestamp: '2026-01-01T00:00:00Z' },
    });
    assert.deepEqual(p, {
      namespace: 'shop',
      name: 'p',
      mode: 'STRICT',
      selector: { app: 'web' },
      creationTimestamp: '2026-01-01T00:00:00Z',
      portLevelMtls: [
        { port: 8080, mode: 'UNSET' },
        { port: 9090, mode: 'DISABLE' },
      ],
    });
  });

  it('treats a missing spec or mode as UNSET, namespace-wide', () => {
    assert.deepEqual(parseMeshTLSPolicy(policy(undefined)), { namespace: 'shop', name: 'p', mode: 'UNSET', portLevelMtls: [] });
    assert.equal(parseMeshTLSPolicy(policy({})).mode, 'UNSET');
  });

  it('takes the default namespace when the manifest names none', () => {
    assert.equal(parseMeshTLSPolicy({ kind: 'MeshTLSPolicy', metadata: { name: 'p' } }, 'team-a').namespace, 'team-a');
  });

  const bad: Array<[string, KubeObject, string, RegExp]> = [
    ['a lower-case mode', policy({ mode: 'strict' }), 'spec.mode', /"strict" is not a mode.*UNSET, DISABLE, PERMISSIVE, STRICT/],
    [
      'a port mode that is not a mode',
      policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { '80': { mode: 'OFF' } } }),
      'spec.portLevelMtls["80"].mode',
      /"OFF"/,
    ],
    [
      'port 0',
      policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { '0': { mode: 'STRICT' } } }),
      'spec.portLevelMtls["0"]',
      /1 to 65535/,
    ],
    [
      'port 65536',
      policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { '65536': { mode: 'STRICT' } } }),
      'spec.portLevelMtls["65536"]',
      /1 to 65535/,
    ],
    [
      'a named port',
      policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { http: { mode: 'STRICT' } } }),
      'spec.portLevelMtls["http"]',
      /not a port number/,
    ],
    [
      'a leading zero',
      policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: { '080': { mode: 'STRICT' } } }),
      'spec.portLevelMtls["080"]',
      /not a port number/,
    ],
    [
      'portLevelMtls without a selector',
      policy({ mode: 'STRICT', portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } }),
      'spec.portLevelMtls',
      /needs a workload selector.*matchLabels/,
    ],
    ['an empty portLevelMtls', policy({ selector: { matchLabels: { a: 'b' } }, portLevelMtls: {} }), 'spec.portLevelMtls', /non-empty/],
    [
      'an empty selector (what pruning leaves of matchExpressions)',
      policy({ selector: {}, mode: 'DISABLE' }),
      'spec.selector',
      /selects nothing/,
    ],
    [
      'empty matchLabels',
      policy({ selector: { matchLabels: {} }, mode: 'DISABLE' }),
      'spec.selector',
      /remove selector for a namespace-wide policy/,
    ],
    [
      'matchExpressions',
      policy({ selector: { matchLabels: { a: 'b' }, matchExpressions: [] } }),
      'spec.selector.matchExpressions',
      /matchLabels only/,
    ],
    [
      'an unquoted numeric label value',
      policy({ selector: { matchLabels: { version: 1 } } }),
      'spec.selector.matchLabels["version"]',
      /quote the value/,
    ],
    ["Istio's spec.mtls.mode", policy({ mtls: { mode: 'DISABLE' } }), 'spec.mtls', /meshward uses spec.mode/],
    ['a spec that is not a mapping', policy('STRICT'), 'spec', /must be a mapping/],
    ['another kind', policy({}, { kind: 'PeerAuthentication' }), 'kind', /set kind: MeshTLSPolicy/],
    ['another apiVersion', policy({}, { apiVersion: 'security.istio.io/v1' }), 'apiVersion', /meshward.io\/v1alpha1/],
    ['no name', { kind: 'MeshTLSPolicy', metadata: { namespace: 'shop' }, spec: {} }, 'metadata.name', /missing/],
  ];
  for (const [name, object, field, message] of bad) {
    it(`refuses ${name}, naming ${field} and the fix`, () => {
      const problems = problemsOf(object);
      const hit = problems.find(([f]) => f === field);
      assert.ok(hit, `expected a problem on ${field}, got ${JSON.stringify(problems)}`);
      assert.match(String(hit[1]), message);
      assert.match(String(hit[1]), /Fix: /);
    });
  }

  it('reports every problem at once', () => {
    const problems = problemsOf(policy({ mode: 'x', portLevelMtls: { '0': { mode: 'y' } } }));
    assert.deepEqual(problems.map(([f]) => f).sort(), ['spec.mode', 'spec.portLevelMtls', 'spec.portLevelMtls["0"]']);
  });

  it('parseStoredPolicies skips and reports invalid stored policies', () => {
    const { policies, errors } = parseStoredPolicies([policy({ mode: 'STRICT' }), policy({ mode: 'bogus' })]);
    assert.equal(policies.length, 1);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /MeshTLSPolicy shop\/p: spec.mode/);
  });

  it('parseStoredPolicies reuses the parse of a stored object until its resourceVersion changes', () => {
    const stored = policy({ mode: 'STRICT' }, { metadata: { name: 'p', namespace: 'shop', resourceVersion: '7' } });
    const first = parseStoredPolicies([stored]).policies[0];
    assert.equal(parseStoredPolicies([stored]).policies[0], first, 'same resourceVersion: the same parse');
    (stored.spec as Record<string, unknown>).mode = 'bogus';
    (stored.metadata as Record<string, unknown>).resourceVersion = '8';
    assert.match(parseStoredPolicies([stored]).errors[0]!.message, /spec.mode/, 'a new resourceVersion is parsed again');
    const offline = policy({ mode: 'STRICT' });
    assert.notEqual(
      parseStoredPolicies([offline]).policies[0],
      parseStoredPolicies([offline]).policies[0],
      'without a resourceVersion: parsed every time',
    );
  });
});
