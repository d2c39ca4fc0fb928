import assert from 'node:assert/strict';
import { buildConfig } from '../../webhook/config/load.js';
import type { MtlsMode } from '../../webhook/config/types.js';
import type { MeshTLSPolicy } from '../../webhook/policy/mesh-tls-policy.js';
import { findNonStrictModes, policyModeEffects } from '../../webhook/policy/mode-effects.js';

// Under a STRICT mesh default, set explicitly (PERMISSIVE out of the box): what these effects are measured against.
const config = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'STRICT' } } });
const p = (name: string, mode: MtlsMode, extra: Partial<MeshTLSPolicy> = {}, ns = 'shop'): MeshTLSPolicy => ({
  namespace: ns,
  name,
  mode,
  portLevelMtls: [],
  ...extra,
});

describe('policyModeEffects', () => {
  it('judges a workload policy against the namespace level without itself (an UPDATE)', () => {
    const old = p('web', 'STRICT', { selector: { app: 'web' } });
    const updated = p('web', 'UNSET', {
      selector: { app: 'web' },
      portLevelMtls: [
        { port: 8080, mode: 'PERMISSIVE' },
        { port: 9090, mode: 'UNSET' },
      ],
    });
    const effects = policyModeEffects(updated, {
      config,
      meshPolicies: [p('mesh', 'PERMISSIVE', {}, 'meshward-system')],
      namespacePolicies: [old],
    });
    assert.deepEqual(
      effects.map((e) => [e.field, e.effective.mode, e.effective.source, e.inherited]),
      [
        ['spec.mode', 'PERMISSIVE', 'mesh-wide', true],
        ['spec.portLevelMtls["8080"].mode', 'PERMISSIVE', 'port', false],
        ['spec.portLevelMtls["9090"].mode', 'PERMISSIVE', 'mesh-wide', true],
      ],
    );
  });

  it('a namespace-wide policy inherits the mesh level, a mesh-wide one the mesh default', () => {
    assert.equal(
      policyModeEffects(p('d', 'UNSET'), { config, meshPolicies: [p('mesh', 'DISABLE', {}, 'meshward-system')], namespacePolicies: [] })[0]!
        .effective.mode,
      'DISABLE',
    );
    assert.equal(
      policyModeEffects(p('mesh', 'UNSET', {}, 'meshward-system'), {
        config,
        meshPolicies: [p('mesh', 'DISABLE', {}, 'meshward-system')],
        namespacePolicies: [],
      })[0]!.effective.mode,
      'STRICT',
    );
  });
});

describe('findNonStrictModes', () => {
  it('reports the namespace level once and explicit non-STRICT workload fields', () => {
    const findings = findNonStrictModes({
      config,
      meshPolicies: [],
      namespacePolicies: [
        p('d', 'PERMISSIVE'),
        p('web', 'UNSET', { selector: { app: 'web' }, portLevelMtls: [{ port: 80, mode: 'DISABLE' }] }),
        p('api', 'STRICT', { selector: { app: 'api' } }),
      ],
    });
    assert.deepEqual(
      findings.map((f) => [f.policy, f.field, f.effective.mode]),
      [
        ['shop/d', 'spec.mode', 'PERMISSIVE'],
        ['shop/web', 'spec.portLevelMtls["80"].mode', 'DISABLE'],
      ],
    );
  });

  it('names the config when the mesh default decides', () => {
    const permissive = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'PERMISSIVE' } } });
    assert.deepEqual(
      findNonStrictModes({ config: permissive, meshPolicies: [], namespacePolicies: [] }).map((f) => [f.field, f.policy]),
      [['mesh.defaultMode', undefined]],
    );
  });

  it('is empty for a strict namespace', () => {
    assert.deepEqual(
      findNonStrictModes({
        config,
        meshPolicies: [],
        namespacePolicies: [p('d', 'STRICT'), p('web', 'UNSET', { selector: { app: 'web' } })],
      }),
      [],
    );
  });
});
