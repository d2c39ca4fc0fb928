import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildConfig, ConfigError } from '../../webhook/config/load.js';
import { envName } from '../../webhook/config/fields.js';

describe('config', () => {
  it('builds a frozen config from defaults < file < env < flags', () => {
    const config = buildConfig({
      file: { server: { port: 9000 }, proxy: { cpuRequest: '200m' } },
      env: { [envName('proxy.cpuRequest')]: '300m', MESHWARD_LOG_LEVEL: 'debug' },
      flags: { 'self-signed': true, 'log-level': 'warn' },
    });
    assert.equal(config.server.port, 9000);
    assert.equal(config.proxy.cpuRequest, '300m');
    assert.equal(config.logLevel, 'warn');
    // Opting a namespace in never cuts off its plaintext callers: STRICT is asked for explicitly.
    assert.equal(config.mesh.defaultMode, 'PERMISSIVE');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.proxy) && Object.isFrozen(config.serving.extraIpAddresses));
  });

  it('lists every bad field at once, naming the source and the accepted form', () => {
    assert.throws(
      () =>
        buildConfig({
          file: { server: { port: 70000 }, proxy: { cpuRequest: 'lots' }, nope: 1 },
          env: { MESHWARD_SERVING_EXTRA_IP_ADDRESSES: '10.0.0.1,banana' },
          flags: { 'log-level': 'loud' },
        }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        const text = err.problems.join('\n');
        assert.match(text, /server\.port \(config file\).*integer from 0 to 65535/);
        assert.match(text, /proxy\.cpuRequest.*Kubernetes quantity/);
        assert.match(text, /nope.*unknown field/);
        assert.match(text, /serving\.extraIpAddresses \(MESHWARD_SERVING_EXTRA_IP_ADDRESSES\).*"banana".*IPv4 or IPv6 address/);
        assert.match(text, /logLevel \(--log-level\).*"loud".*one of/);
        return true;
      },
    );
  });

  it('meshward serve exits 2 with the list on an invalid configuration', () => {
    const result = spawnSync(process.execPath, ['dist/webhook/cli/main.js', 'serve', '--port', 'abc', '--log-level', 'x'], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /server\.port \(--port\)/);
    assert.match(result.stderr, /logLevel \(--log-level\)/);
  });
});
