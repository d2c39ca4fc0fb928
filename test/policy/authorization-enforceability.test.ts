import assert from 'node:assert/strict';
import { buildConfig } from '../../webhook/config/load.js';
import type { MtlsMode } from '../../webhook/config/types.js';
import { plaintextPorts, type NamespaceModes } from '../../webhook/policy/authorization-enforceability.js';
import type { MeshTLSPolicy } from '../../webhook/policy/mesh-tls-policy.js';
import { authz } from './authorization-fixtures.js';

// Where an allow list cannot be enforced: a selected port that resolves to PERMISSIVE or DISABLE.

const permissive = buildConfig({ flags: { 'self-signed': true } });
const strictMesh = buildConfig({ flags: { 'self-signed': true }, file: { mesh: { defaultMode: 'STRICT' } } });

function tls(
  name: string,
  mode: MtlsMode,
  selector?: Record<string, string>,
  ports: Record<number, MtlsMode> = {},
  namespace = 'shop',
): MeshTLSPolicy {
  return {
    namespace,
    name,
    mode,
    portLevelMtls: Object.entries(ports).map(([port, m]) => ({ port: Number(port), mode: m })),
    ...(selector ? { selector } : {}),
  };
}

function shop(tlsPolicies: MeshTLSPolicy[], strict = false): NamespaceModes {
  return { name: 'shop', strict, tlsPolicies };
}

const found = (r: ReturnType<typeof plaintextPorts>): string[] =>
  r.map((p) => `${p.namespace}:${p.port ?? '*'}=${p.level.mode}@${p.level.policy ?? p.level.source}`);

describe('plaintextPorts (authorization enforceability)', () => {
  it('under a PERMISSIVE mesh default nothing unlabelled is enforceable; the STRICT label always is', () => {
    const ctx = { config: permissive, meshTlsPolicies: [] };
    assert.deepEqual(found(plaintextPorts(authz('a'), { ...ctx, namespaces: [shop([])] })), ['shop:*=PERMISSIVE@mesh-default']);
    assert.deepEqual(found(plaintextPorts(authz('a'), { ...ctx, namespaces: [shop([tls('lax', 'DISABLE')], true)] })), []);
  });

  it('a namespace-wide STRICT MeshTLSPolicy makes a namespace-wide allow list enforceable', () => {
    const ctx = { config: permissive, meshTlsPolicies: [], namespaces: [shop([tls('default', 'STRICT')])] };
    assert.deepEqual(found(plaintextPorts(authz('a', { ports: [8080] }), ctx)), []);
  });

  it('a workload policy is judged at its selector, on its ports or the workload level and every port entry', () => {
    const ns = shop([tls('default', 'STRICT'), tls('web', 'STRICT', { app: 'web' }, { 8080: 'PERMISSIVE', 9090: 'STRICT' })]);
    const ctx = { config: permissive, meshTlsPolicies: [], namespaces: [ns] };
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'web' }, ports: [9090] }), ctx)), []);
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'web' }, ports: [8080] }), ctx)), [
      'shop:8080=PERMISSIVE@shop/web',
    ]);
    assert.deepEqual(
      found(plaintextPorts(authz('w', { selector: { app: 'web' } }), ctx)),
      ['shop:8080=PERMISSIVE@shop/web'],
      'no ports: every port',
    );
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'api' } }), ctx)), [], 'another workload');
  });

  it('counts a lower MeshTLSPolicy whose selector could match one of the selected pods', () => {
    const ns = shop([tls('default', 'STRICT'), tls('canary', 'PERMISSIVE', { app: 'web', track: 'canary' })]);
    const ctx = { config: permissive, meshTlsPolicies: [], namespaces: [ns] };
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'web' } }), ctx)), ['shop:*=PERMISSIVE@shop/canary']);
    assert.deepEqual(found(plaintextPorts(authz('n'), ctx)), ['shop:*=PERMISSIVE@shop/canary'], 'namespace-wide: every workload');
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'api' } }), ctx)), []);
  });

  it('an UNSET workload policy inherits: the deciding level is named', () => {
    const ctx = {
      config: permissive,
      meshTlsPolicies: [tls('mesh', 'DISABLE', undefined, {}, 'meshward-system')],
      namespaces: [shop([tls('w', 'UNSET', { app: 'web' })])],
    };
    assert.deepEqual(found(plaintextPorts(authz('w', { selector: { app: 'web' } }), ctx)), ['shop:*=DISABLE@meshward-system/mesh']);
  });

  it('a mesh-wide policy is judged in every namespace it is given', () => {
    const ctx = {
      config: strictMesh,
      meshTlsPolicies: [],
      namespaces: [shop([]), { name: 'dev', strict: false, tlsPolicies: [tls('default', 'PERMISSIVE', undefined, {}, 'dev')] }],
    };
    assert.deepEqual(found(plaintextPorts(authz('m', { namespace: 'meshward-system' }), ctx)), ['dev:*=PERMISSIVE@dev/default']);
  });
});
