import assert from 'node:assert/strict';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { buildConfig, ConfigError } from '../../webhook/config/load.js';

// credentials.refreshPercent: where in a workload certificate's lifetime the kubelet starts
// refreshing it. Only the signer reads it, so no injected pod goes stale over it.
describe('config: credentials.refreshPercent', () => {
  it('defaults to half-life, accepts 0–90 from file and env, refuses anything else naming the field', () => {
    assert.equal(buildConfig({}).credentials.refreshPercent, 50);
    assert.equal(buildConfig({ file: { credentials: { refreshPercent: 0 } } }).credentials.refreshPercent, 0);
    assert.equal(buildConfig({ env: { MESHWARD_CREDENTIALS_REFRESH_PERCENT: '90' } }).credentials.refreshPercent, 90);
    for (const bad of [91, -1, 'soon', 12.5]) {
      assert.throws(
        () => buildConfig({ file: { credentials: { refreshPercent: bad } } }),
        (err: unknown) => err instanceof ConfigError && /credentials\.refreshPercent .*integer from 0 to 90/.test(err.message),
      );
    }
  });

  it('is not part of the injection hash; the lifetime is', () => {
    const base = buildConfig({});
    assert.equal(injectionConfigHash(buildConfig({ file: { credentials: { refreshPercent: 5 } } })), injectionConfigHash(base));
    assert.notEqual(injectionConfigHash(buildConfig({ file: { credentials: { maxExpirationSeconds: 7200 } } })), injectionConfigHash(base));
  });
});
