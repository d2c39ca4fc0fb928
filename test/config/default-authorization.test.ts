import assert from 'node:assert/strict';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { buildConfig, ConfigError } from '../../webhook/config/load.js';
import { DEFAULT_AUTHORIZATION_VALUES, type DefaultAuthorizationValue } from '../../webhook/config/types.js';
import { DEFAULT_AUTHORIZATIONS, type DefaultAuthorization } from '../../webhook/policy/authorization-types.js';

// mesh.defaultAuthorization: what a port no MeshAuthorizationPolicy selects admits. The control
// plane reads it live, so it is not part of the injection hash (no pod goes stale over it).

// The config's values and the shared authorization type are one set (compile-time, both ways).
const toShared: DefaultAuthorization = 'allow-mesh' as DefaultAuthorizationValue;
const toConfig: DefaultAuthorizationValue = 'deny' as DefaultAuthorization;

describe('config: mesh.defaultAuthorization', () => {
  it('defaults to allow-mesh (today: any identity of the trust domain) and takes deny from file or environment', () => {
    assert.deepEqual([toShared, toConfig], ['allow-mesh', 'deny']);
    assert.deepEqual([...DEFAULT_AUTHORIZATION_VALUES], [...DEFAULT_AUTHORIZATIONS]);
    assert.equal(buildConfig({}).mesh.defaultAuthorization, 'allow-mesh');
    assert.equal(buildConfig({ file: { mesh: { defaultAuthorization: 'deny' } } }).mesh.defaultAuthorization, 'deny');
    assert.equal(buildConfig({ env: { MESHWARD_MESH_DEFAULT_AUTHORIZATION: 'deny' } }).mesh.defaultAuthorization, 'deny');
  });

  it('refuses other values, naming the accepted ones', () => {
    assert.throws(
      () => buildConfig({ file: { mesh: { defaultAuthorization: 'Deny' } } }),
      (err: unknown) =>
        err instanceof ConfigError && /mesh\.defaultAuthorization.*"Deny".*one of allow-mesh, deny/.test(err.problems.join('\n')),
    );
  });

  it('does not change the injection hash, which still changes with what the injector renders', () => {
    const base = buildConfig({});
    assert.equal(injectionConfigHash(buildConfig({ file: { mesh: { defaultAuthorization: 'deny' } } })), injectionConfigHash(base));
    assert.notEqual(injectionConfigHash(buildConfig({ file: { mesh: { trustDomain: 'other.local' } } })), injectionConfigHash(base));
  });
});
