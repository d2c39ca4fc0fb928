import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildConfig } from '../../webhook/config/load.js';
import { comparePrincipals, principalValue } from '../../webhook/policy/authorization-principals.js';
import type { MeshAuthorizationPolicy, PortAuthorization, Principal } from '../../webhook/policy/authorization-types.js';
import { authorizationForPort, resolveWorkloadAuthorization, type AuthorizationInput } from '../../webhook/policy/resolve-authorization.js';

// Invariants of the authorization resolver over random policy sets: order never matters, adding a
// policy only touches the ports it selects and only adds principals there, the output is
// canonical (sorted, unique), and undeclared ports behave like a port no policy names.

const configs = [
  buildConfig({ flags: { 'self-signed': true } }),
  buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultAuthorization: 'deny' } } }),
];
const PORTS = [80, 8080, 9090];
const label = fc.record({ app: fc.constantFrom('web', 'api'), track: fc.constantFrom('stable', 'canary') }, { requiredKeys: [] });
const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const source = fc
  .record(
    {
      namespaces: fc.uniqueArray(fc.constantFrom('shop', 'frontend', 'batch'), { minLength: 1, maxLength: 2 }),
      serviceAccounts: fc.uniqueArray(fc.constantFrom('frontend/web', 'shop/api', 'batch/reports'), { minLength: 1, maxLength: 2 }),
      identities: fc.uniqueArray(fc.constantFrom('spiffe://partner.example/ns/x/sa/y', 'spiffe://cluster.local/ns/ext/sa/z'), {
        minLength: 1,
        maxLength: 1,
      }),
    },
    { requiredKeys: [] },
    // The parser (and the CRD) refuse a source naming nobody: generate only what can be stored.
  )
  .filter((s) => Object.keys(s).length > 0);
const policy = (namespace: fc.Arbitrary<string>): fc.Arbitrary<MeshAuthorizationPolicy> =>
  fc
    .record({
      namespace,
      name,
      selector: fc.option(label, { nil: undefined }),
      ports: fc.option(fc.uniqueArray(fc.constantFrom(...PORTS), { minLength: 1 }), { nil: undefined }),
      allow: fc.array(source, { minLength: 1, maxLength: 2 }),
      enforcement: fc.constantFrom('Enforce' as const, 'Audit' as const),
    })
    .map(({ selector, ports, ...rest }) => ({
      ...rest,
      ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
      ...(ports ? { ports: [...ports].sort((a, b) => a - b) } : {}),
    }));
const uniqueByName = (list: MeshAuthorizationPolicy[]): MeshAuthorizationPolicy[] => [...new Map(list.map((p) => [p.name, p])).values()];
const input = fc.record({
  config: fc.constantFrom(...configs),
  meshPolicies: fc.array(policy(fc.constant('meshward-system')), { maxLength: 3 }).map(uniqueByName),
  namespacePolicies: fc.array(policy(fc.constant('shop')), { maxLength: 4 }).map(uniqueByName),
  podLabels: label,
  ports: fc.uniqueArray(fc.constantFrom(...PORTS, 443), { maxLength: 3 }),
});

function principalsOf(auth: PortAuthorization): readonly Principal[] {
  return auth.kind === 'allow-list' ? auth.principals : [];
}

function withPolicy(base: AuthorizationInput, extra: MeshAuthorizationPolicy): AuthorizationInput {
  const without = (list: readonly MeshAuthorizationPolicy[]): MeshAuthorizationPolicy[] =>
    list.filter((p) => !(p.namespace === extra.namespace && p.name === extra.name));
  return extra.namespace === 'shop'
    ? { ...base, namespacePolicies: [...without(base.namespacePolicies), extra] }
    : { ...base, meshPolicies: [...without(base.meshPolicies), extra] };
}

describe('authorization resolver properties', () => {
  it('the order of policies never changes the result', () => {
    fc.assert(
      fc.property(input, fc.infiniteStream(fc.integer()), (base, seeds) => {
        const shuffle = <T>(list: readonly T[]): T[] =>
          list
            .map((item) => ({ item, key: seeds.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.item);
        const shuffled = {
          ...base,
          meshPolicies: shuffle(base.meshPolicies),
          namespacePolicies: shuffle(base.namespacePolicies),
          ports: shuffle(base.ports),
        };
        assert.deepEqual(resolveWorkloadAuthorization(shuffled), resolveWorkloadAuthorization(base));
      }),
    );
  });

  it('is canonical: ports ascending and unique, principals sorted and unique, policies sorted', () => {
    fc.assert(
      fc.property(input, (base) => {
        const result = resolveWorkloadAuthorization(base);
        const ports = result.ports.map((p) => p.port);
        assert.deepEqual(
          ports,
          [...new Set(ports)].sort((a, b) => a - b),
        );
        for (const port of base.ports) assert.ok(ports.includes(port), `declared port ${port} listed`);
        for (const auth of [...result.ports.map((p) => p.authorization), result.undeclared]) {
          if (auth.kind !== 'allow-list') {
            assert.equal(auth.kind, base.config.mesh.defaultAuthorization);
            continue;
          }
          assert.ok(auth.principals.length > 0 && auth.policies.length > 0);
          for (let i = 1; i < auth.principals.length; i++) assert.ok(comparePrincipals(auth.principals[i - 1]!, auth.principals[i]!) < 0);
          assert.deepEqual(auth.policies, [...new Set(auth.policies)].sort());
        }
      }),
    );
  });

  it('adding a policy never changes a port it does not select, and only adds principals to one it does', () => {
    fc.assert(
      fc.property(input, fc.oneof(policy(fc.constant('shop')), policy(fc.constant('meshward-system'))), (base, extra) => {
        fc.pre(![...base.meshPolicies, ...base.namespacePolicies].some((p) => p.namespace === extra.namespace && p.name === extra.name));
        const before = resolveWorkloadAuthorization(base);
        const after = resolveWorkloadAuthorization(withPolicy(base, extra));
        const selectsPod =
          extra.namespace === 'shop'
            ? !extra.selector || Object.entries(extra.selector).every(([k, v]) => base.podLabels[k as 'app'] === v)
            : !extra.selector;
        for (const port of [...PORTS, 443, 1]) {
          const b = authorizationForPort(before, port);
          const a = authorizationForPort(after, port);
          const selected = selectsPod && (!extra.ports || extra.ports.includes(port));
          if (!selected) {
            assert.deepEqual(a, b, `port ${port} untouched`);
            continue;
          }
          assert.equal(a.kind, 'allow-list');
          const added = new Set(principalsOf(a).map(principalValue));
          for (const p of principalsOf(b)) assert.ok(added.has(principalValue(p)), `port ${port} keeps ${principalValue(p)}`);
        }
      }),
    );
  });

  it('undeclared ports resolve like a port no policy names', () => {
    fc.assert(
      fc.property(input, (base) => {
        const named = new Set([...base.meshPolicies, ...base.namespacePolicies].flatMap((p) => p.ports ?? []));
        const result = resolveWorkloadAuthorization(base);
        for (const port of [443, 1, 65535].filter((p) => !named.has(p) && !base.ports.includes(p)))
          assert.deepEqual(authorizationForPort(result, port), result.undeclared);
        const declaredUnnamed = base.ports.find((p) => !named.has(p));
        if (declaredUnnamed !== undefined) assert.deepEqual(authorizationForPort(result, declaredUnnamed), result.undeclared);
      }),
    );
  });

  it('Enforce wins: a port audits only when every policy that selects it audits', () => {
    fc.assert(
      fc.property(input, (base) => {
        const all = [...base.meshPolicies, ...base.namespacePolicies];
        for (const { authorization } of resolveWorkloadAuthorization(base).ports) {
          if (authorization.kind !== 'allow-list') continue;
          const selecting = all.filter((p) => authorization.policies.includes(`${p.namespace}/${p.name}`));
          assert.equal(
            authorization.enforcement === 'Audit',
            selecting.every((p) => p.enforcement === 'Audit'),
          );
        }
      }),
    );
  });
});
