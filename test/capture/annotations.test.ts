import assert from 'node:assert/strict';
import { captureSettingsFromAnnotations, type AnnotationError } from '../../webhook/capture/annotations.js';
import type { CaptureSettings } from '../../webhook/capture/settings.js';

const CONFIG = { proxy: { uid: 1337, gid: 1338 } };

function settingsOf(annotations: Record<string, string> | undefined): CaptureSettings {
  const r = captureSettingsFromAnnotations(annotations, CONFIG);
  if ('errors' in r) assert.fail(`unexpected errors: ${JSON.stringify(r.errors)}`);
  return r.settings;
}
function errorsOf(annotations: Record<string, string>): readonly AnnotationError[] {
  const r = captureSettingsFromAnnotations(annotations, CONFIG);
  if ('settings' in r) assert.fail('expected errors, got settings');
  return r.errors;
}

describe('capture settings from pod annotations', () => {
  it('defaults: capture everything, both families, the configured proxy UID/GID', () => {
    assert.deepEqual(settingsOf(undefined), {
      proxyUid: 1337,
      proxyGid: 1338,
      inboundPorts: 'all',
      excludeInboundPorts: [],
      excludeOutboundPorts: [],
      excludeOutboundCidrs: [],
      includeOutboundCidrs: '*',
      ipv4: true,
      ipv6: true,
    });
    assert.deepEqual(settingsOf({ 'other.io/exclude-inbound-ports': 'junk' }), settingsOf({}));
  });

  it('reads every capture annotation, trimming, sorting and de-duplicating', () => {
    const s = settingsOf({
      'meshward.io/exclude-inbound-ports': ' 9090, 8080,9090',
      'meshward.io/exclude-outbound-ports': '5432',
      'meshward.io/exclude-outbound-cidrs': '10.1.2.3/8, FD00::1/8,10.0.0.0/8',
      'meshward.io/include-outbound-cidrs': '192.168.0.0/16,fd00:250::/64',
    });
    assert.deepEqual(s.excludeInboundPorts, [8080, 9090]);
    assert.deepEqual(s.excludeOutboundPorts, [5432]);
    assert.deepEqual(s.excludeOutboundCidrs, ['10.0.0.0/8', 'fd00::/8']);
    assert.deepEqual(s.includeOutboundCidrs, ['192.168.0.0/16', 'fd00:250::/64']);
  });

  it('treats blank exclusion lists as none and "*" as the default include', () => {
    const s = settingsOf({
      'meshward.io/exclude-inbound-ports': '',
      'meshward.io/exclude-outbound-cidrs': '  ',
      'meshward.io/include-outbound-cidrs': ' * ',
    });
    assert.deepEqual([s.excludeInboundPorts, s.excludeOutboundCidrs, s.includeOutboundCidrs], [[], [], '*']);
  });

  it('passes the IP families through', () => {
    const r = captureSettingsFromAnnotations({}, CONFIG, { ipv4: true, ipv6: false });
    assert.ok('settings' in r && r.settings.ipv4 && !r.settings.ipv6);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['exclude-inbound-ports', '80,http', /"http" is not a port 1-65535; accepted: a comma-separated list of TCP ports 1-65535/],
    ['exclude-inbound-ports', '0', /"0" is not a port/],
    ['exclude-inbound-ports', '65536', /"65536" is not a port/],
    ['exclude-inbound-ports', '80,,81', /empty list item/],
    ['exclude-inbound-ports', '8000-8100', /"8000-8100" is not a port/],
    [
      'exclude-inbound-ports',
      '*',
      /"\*" would turn inbound capture \(and so mTLS\) off; opt the pod out with meshward\.io\/inject: "false"/,
    ],
    ['exclude-outbound-ports', '*', /use meshward\.io\/exclude-outbound-cidrs: "0\.0\.0\.0\/0,::\/0"/],
    ['exclude-outbound-ports', '+80', /"\+80" is not a port/],
    [
      'exclude-outbound-cidrs',
      '10.0.0.1',
      /"10\.0\.0\.1" is not a CIDR; accepted: a comma-separated list of CIDRs \(a CIDR such as 10\.0\.0\.0\/8 or fd00::\/8/,
    ],
    ['exclude-outbound-cidrs', '10.0.0.0/8,*', /"\*" is not a CIDR/],
    [
      'include-outbound-cidrs',
      '',
      /an empty list would capture no outbound traffic; accepted: "\*" \(every destination, the default\) or a comma-separated list of CIDRs/,
    ],
    ['include-outbound-cidrs', '*,10.0.0.0/8', /"\*" is not a CIDR/],
    ['include-outbound-cidrs', 'fd00::/200', /"fd00::\/200" is not a CIDR/],
  ];
  for (const [name, value, message] of invalid) {
    it(`refuses meshward.io/${name}: ${JSON.stringify(value)}, naming the annotation, the value and the accepted form`, () => {
      const field = `meshward.io/${name}`;
      const [error, ...rest] = errorsOf({ [field]: value });
      assert.equal(rest.length, 0);
      assert.equal(error!.field, field);
      assert.equal(error!.value, value);
      assert.ok(error!.message.startsWith(`${field}: ${JSON.stringify(value)} is invalid: `), error!.message);
      assert.match(error!.message, message);
    });
  }

  it('reports every invalid annotation at once', () => {
    const errors = errorsOf({
      'meshward.io/exclude-inbound-ports': 'x',
      'meshward.io/exclude-outbound-ports': '70000',
      'meshward.io/exclude-outbound-cidrs': '10.0.0.0/8',
      'meshward.io/include-outbound-cidrs': 'everything',
    });
    assert.deepEqual(errors.map((e) => e.field).sort(), [
      'meshward.io/exclude-inbound-ports',
      'meshward.io/exclude-outbound-ports',
      'meshward.io/include-outbound-cidrs',
    ]);
  });
});
