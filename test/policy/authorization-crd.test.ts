import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ENFORCEMENTS } from '../../webhook/policy/authorization-types.js';

// Static checks of the MeshAuthorizationPolicy CRD (test/e2e/authorization.test.ts applies it to a
// real kube-apiserver). Names match config/names.ts; forms match parse-authorization.ts.

const crd = parse(readFileSync(new URL('../../manifests/crds/meshauthorizationpolicies.yaml', import.meta.url), 'utf8'));
const version = crd.spec.versions[0];
const root = version.schema.openAPIV3Schema;
const spec = root.properties.spec;
const source = spec.properties.allow.items;

describe('MeshAuthorizationPolicy CRD', () => {
  it('is meshward.io/v1alpha1 MeshAuthorizationPolicy, namespaced, in the kustomization', () => {
    assert.equal(crd.metadata.name, 'meshauthorizationpolicies.meshward.io');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual([crd.spec.names.kind, crd.spec.names.plural], ['MeshAuthorizationPolicy', 'meshauthorizationpolicies']);
    assert.deepEqual([version.name, version.served, version.storage], ['v1alpha1', true, true]);
    const kustomization = parse(readFileSync(new URL('../../manifests/crds/kustomization.yaml', import.meta.url), 'utf8'));
    assert.ok(kustomization.resources.includes('meshauthorizationpolicies.yaml'));
  });

  it('is strict: no field preserves unknown fields but status, and allow is required and non-empty', () => {
    const text = JSON.stringify(root.properties.spec);
    assert.doesNotMatch(text, /x-kubernetes-preserve-unknown-fields/);
    assert.deepEqual(root.required, ['spec']);
    assert.deepEqual(spec.required, ['allow']);
    assert.equal(spec.properties.allow.minItems, 1);
  });

  it('has the shared enforcement enum, defaulting to Enforce', () => {
    assert.deepEqual(spec.properties.enforcement.enum, [...ENFORCEMENTS]);
    assert.equal(spec.properties.enforcement.default, 'Enforce');
  });

  it('checks ports 1–65535 as a set, and each source form by pattern or CEL', () => {
    const ports = spec.properties.ports;
    assert.deepEqual(
      [ports.items.type, ports.items.minimum, ports.items.maximum, ports['x-kubernetes-list-type']],
      ['integer', 1, 65535, 'set'],
    );
    const ns = new RegExp(source.properties.namespaces.items.pattern);
    assert.ok(ns.test('frontend') && !ns.test('Front_End'));
    const sa = new RegExp(source.properties.serviceAccounts.items.pattern);
    assert.ok(sa.test('frontend/web') && !sa.test('web') && !sa.test('a/b/c'));
    const id = new RegExp(source.properties.identities.items.pattern);
    assert.ok(id.test('spiffe://cluster.local/ns/a/sa/b') && !id.test('spiffe://cluster.local') && !id.test('https://x/y'));
    for (const dots of ['spiffe://td/ns/./x', 'spiffe://td/ns/../x', 'spiffe://td/ns/..', 'spiffe://td/.']) assert.ok(!id.test(dots), dots);
    for (const fine of ['spiffe://td/.hidden', 'spiffe://td/...', 'spiffe://td/..x', 'spiffe://td/a.b']) assert.ok(id.test(fine), fine);
    assert.ok(
      source['x-kubernetes-validations'].some((r: { rule: string }) =>
        r.rule.includes('has(self.namespaces) || has(self.serviceAccounts)'),
      ),
    );
    assert.ok(spec['x-kubernetes-validations'].some((r: { rule: string }) => r.rule.startsWith('!has(self.selector) ||')));
  });

  it('prints Enforcement, Selector, Ports and Age, and every spec field has a description', () => {
    assert.deepEqual(
      version.additionalPrinterColumns.map((c: { name: string }) => c.name),
      ['Enforcement', 'Selector', 'Ports', 'Age'],
    );
    for (const [name, field] of Object.entries<{ description?: string }>({ ...spec.properties, ...source.properties }))
      assert.ok(field.description, `${name} has a description (kubectl explain)`);
  });
});
