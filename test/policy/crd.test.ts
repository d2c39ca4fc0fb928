import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { MTLS_MODES } from '../../webhook/config/types.js';

// Static checks of the CRD (test/e2e applies the manifests to a real kube-apiserver). Names must match config/names.ts and the parser's rules.

const crd = parse(readFileSync(new URL('../../manifests/crds/meshtlspolicies.yaml', import.meta.url), 'utf8'));
const version = crd.spec.versions[0];
const spec = version.schema.openAPIV3Schema.properties.spec;

describe('MeshTLSPolicy CRD', () => {
  it('is meshward.io/v1alpha1 MeshTLSPolicy, namespaced, plural meshtlspolicies, short name mtp', () => {
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.metadata.name, 'meshtlspolicies.meshward.io');
    assert.equal(crd.spec.group, 'meshward.io');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(
      [crd.spec.names.kind, crd.spec.names.plural, crd.spec.names.shortNames],
      ['MeshTLSPolicy', 'meshtlspolicies', ['mtp']],
    );
    assert.deepEqual([version.name, version.served, version.storage], ['v1alpha1', true, true]);
  });

  it('has the same mode enum as the config types, defaulting to UNSET, for spec and ports', () => {
    assert.deepEqual(spec.properties.mode.enum, [...MTLS_MODES]);
    assert.equal(spec.properties.mode.default, 'UNSET');
    const port = spec.properties.portLevelMtls.additionalProperties.properties.mode;
    assert.deepEqual(port.enum, [...MTLS_MODES]);
    assert.equal(port.default, 'UNSET');
  });

  it('has CEL rules for port keys, the selector and portLevelMtls needing one', () => {
    const rules = [...spec.properties.portLevelMtls['x-kubernetes-validations'], ...spec['x-kubernetes-validations']].map(
      (r: { rule: string; message: string }) => r.rule,
    );
    assert.ok(rules.some((r: string) => r.includes('int(k) >= 1 && int(k) <= 65535')));
    assert.ok(rules.some((r: string) => r.startsWith('!has(self.portLevelMtls) ||')));
    assert.ok(rules.some((r: string) => r.startsWith('!has(self.selector) ||')));
    assert.equal(spec.properties.selector.properties.matchLabels.additionalProperties.type, 'string');
  });

  it('prints Mode, Selector and Age', () => {
    assert.deepEqual(
      version.additionalPrinterColumns.map((c: { name: string }) => c.name),
      ['Mode', 'Selector', 'Age'],
    );
  });
});
