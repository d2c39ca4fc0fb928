import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildCaptureRules, CaptureSettingsError } from '../../webhook/capture/rules.js';
import type { CaptureSettings } from '../../webhook/capture/settings.js';

const DEFAULTS: CaptureSettings = {
  proxyUid: 1337,
  proxyGid: 1337,
  inboundPorts: 'all',
  excludeInboundPorts: [],
  excludeOutboundPorts: [],
  excludeOutboundCidrs: [],
  includeOutboundCidrs: '*',
  ipv4: true,
  ipv6: true,
};
const lines = (text: string): string[] => text.split('\n');
const chain = (text: string, name: string): string[] => lines(text).filter((l) => l.startsWith(`-A ${name} `));

// The default IPv4 ruleset, byte for byte (also what iptables-nft-save prints back, see netns-apply).
const DEFAULT_IPV4 = `*nat
:MESHWARD_INBOUND - [0:0]
:MESHWARD_IN_REDIRECT - [0:0]
:MESHWARD_OUTPUT - [0:0]
:MESHWARD_REDIRECT - [0:0]
-A PREROUTING -p tcp -j MESHWARD_INBOUND
-A OUTPUT -p tcp -j MESHWARD_OUTPUT
-A MESHWARD_INBOUND -p tcp -m tcp --dport 15020 -j RETURN
-A MESHWARD_INBOUND -p tcp -m tcp --dport 15021 -j RETURN
-A MESHWARD_INBOUND -p tcp -m tcp --dport 15090 -j RETURN
-A MESHWARD_INBOUND -p tcp -j MESHWARD_IN_REDIRECT
-A MESHWARD_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006
-A MESHWARD_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN
-A MESHWARD_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --uid-owner 1337 -j MESHWARD_IN_REDIRECT
-A MESHWARD_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
-A MESHWARD_OUTPUT -m owner --uid-owner 1337 -j RETURN
-A MESHWARD_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp -m owner --gid-owner 1337 -j MESHWARD_IN_REDIRECT
-A MESHWARD_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
-A MESHWARD_OUTPUT -m owner --gid-owner 1337 -j RETURN
-A MESHWARD_OUTPUT -d 127.0.0.1/32 -j RETURN
-A MESHWARD_OUTPUT -j MESHWARD_REDIRECT
-A MESHWARD_REDIRECT -p tcp -j REDIRECT --to-ports 15001
COMMIT
`;

describe('capture rules generator', () => {
  it('produces the default IPv4 ruleset (golden)', () => {
    assert.equal(buildCaptureRules(DEFAULTS).ipv4, DEFAULT_IPV4);
  });

  it('produces the same IPv6 ruleset with IPv6 loopback and passthrough addresses', () => {
    const expected = DEFAULT_IPV4.replaceAll('127.0.0.1/32', '::1/128').replaceAll('127.0.0.6/32', '::6/128');
    assert.equal(buildCaptureRules(DEFAULTS).ipv6, expected);
  });

  it('leaves a family that is not captured empty', () => {
    assert.deepEqual(buildCaptureRules({ ...DEFAULTS, ipv6: false }), { ipv4: DEFAULT_IPV4, ipv6: '' });
    assert.equal(buildCaptureRules({ ...DEFAULTS, ipv4: false }).ipv4, '');
  });

  it('returns excluded inbound ports next to the proxy ports, sorted and without duplicates', () => {
    const { ipv4 } = buildCaptureRules({ ...DEFAULTS, excludeInboundPorts: [9090, 22, 15020, 9090] });
    const ports = chain(ipv4, 'MESHWARD_INBOUND')
      .map((l) => /--dport (\d+)/.exec(l)?.[1])
      .filter(Boolean);
    assert.deepEqual(ports, ['22', '9090', '15020', '15021', '15090']);
    assert.equal(chain(ipv4, 'MESHWARD_INBOUND').at(-1), '-A MESHWARD_INBOUND -p tcp -j MESHWARD_IN_REDIRECT');
  });

  it('returns excluded outbound ports before every owner rule', () => {
    const out = chain(buildCaptureRules({ ...DEFAULTS, excludeOutboundPorts: [5432, 443] }).ipv4, 'MESHWARD_OUTPUT');
    assert.deepEqual(out.slice(0, 2), [
      '-A MESHWARD_OUTPUT -p tcp -m tcp --dport 443 -j RETURN',
      '-A MESHWARD_OUTPUT -p tcp -m tcp --dport 5432 -j RETURN',
    ]);
  });

  it('puts each CIDR in its own family and captures only included CIDRs when given', () => {
    const rules = buildCaptureRules({
      ...DEFAULTS,
      excludeOutboundCidrs: ['10.1.0.0/16', 'fd00:1::/32', '0.0.0.0/0'],
      includeOutboundCidrs: ['10.0.0.0/8', 'fd00::/8'],
    });
    const v4 = chain(rules.ipv4, 'MESHWARD_OUTPUT');
    const v6 = chain(rules.ipv6, 'MESHWARD_OUTPUT');
    assert.deepEqual(v4.slice(-3), [
      '-A MESHWARD_OUTPUT -d 10.1.0.0/16 -j RETURN',
      '-A MESHWARD_OUTPUT -j RETURN', // 0.0.0.0/0, printed the way iptables-save does
      '-A MESHWARD_OUTPUT -d 10.0.0.0/8 -j MESHWARD_REDIRECT',
    ]);
    assert.deepEqual(v6.slice(-2), ['-A MESHWARD_OUTPUT -d fd00:1::/32 -j RETURN', '-A MESHWARD_OUTPUT -d fd00::/8 -j MESHWARD_REDIRECT']);
    assert.ok(!rules.ipv4.includes('fd00') && !rules.ipv6.includes('10.'), 'no cross-family CIDRs');
  });

  it('captures nothing outbound in a family with no included CIDR', () => {
    const { ipv6 } = buildCaptureRules({ ...DEFAULTS, includeOutboundCidrs: ['10.0.0.0/8'] });
    assert.ok(!chain(ipv6, 'MESHWARD_OUTPUT').some((l) => l.endsWith('-j MESHWARD_REDIRECT')));
  });

  it('uses the configured proxy UID and GID', () => {
    const { ipv4 } = buildCaptureRules({ ...DEFAULTS, proxyUid: 2000, proxyGid: 3000 });
    assert.equal(chain(ipv4, 'MESHWARD_OUTPUT').filter((l) => l.includes('--uid-owner 2000')).length, 3);
    assert.equal(chain(ipv4, 'MESHWARD_OUTPUT').filter((l) => l.includes('--gid-owner 3000')).length, 3);
    assert.ok(!ipv4.includes('1337'));
  });

  const wrong: Array<[string, Partial<Record<keyof CaptureSettings, unknown>>, RegExp]> = [
    ['a root proxy UID', { proxyUid: 0 }, /proxyUid = 0 is invalid; expected an integer 1-2147483647/],
    ['a fractional GID', { proxyGid: 1.5 }, /proxyGid = 1\.5/],
    ['port 0', { excludeInboundPorts: [0] }, /excludeInboundPorts = 0 is invalid; expected TCP ports 1-65535/],
    ['a non-CIDR', { excludeOutboundCidrs: ['10.0.0.0/8\n-A OUTPUT -j ACCEPT'] }, /excludeOutboundCidrs = "10\.0\.0\.0\/8\\n-A OUTPUT/],
    ['an include that is neither * nor a list', { includeOutboundCidrs: 'all' }, /includeOutboundCidrs = "all"/],
    ['no family', { ipv4: false, ipv6: false }, /ipv4\/ipv6 .* expected at least one family/],
  ];
  for (const [name, patch, message] of wrong) {
    it(`throws CaptureSettingsError naming the field for ${name}`, () => {
      const settings = { ...DEFAULTS, ...patch } as CaptureSettings;
      assert.throws(
        () => buildCaptureRules(settings),
        (e: unknown) => e instanceof CaptureSettingsError && message.test(e.message),
      );
    });
  }

  // Every line the generator can write, as a grammar: nothing else can reach iptables-restore.
  const GRAMMAR = [
    /^\*nat$/,
    /^COMMIT$/,
    /^$/,
    /^:MESHWARD_[A-Z_]+ - \[0:0\]$/,
    /^-A (PREROUTING|OUTPUT) -p tcp -j MESHWARD_(INBOUND|OUTPUT)$/,
    /^-A MESHWARD_(INBOUND|OUTPUT) -p tcp -m tcp --dport \d{1,5} -j RETURN$/,
    /^-A MESHWARD_(INBOUND -p tcp -j MESHWARD_IN_REDIRECT|OUTPUT -j MESHWARD_REDIRECT)$/,
    /^-A MESHWARD_(IN_)?REDIRECT -p tcp -j REDIRECT --to-ports 150(01|06)$/,
    /^-A MESHWARD_OUTPUT (! -d [0-9a-f.:]+\/\d+ -o lo -p tcp -m owner|-o lo -m owner !|-m owner) --[ug]id-owner \d+ -j (RETURN|MESHWARD_IN_REDIRECT)$/,
    /^-A MESHWARD_OUTPUT -s [0-9a-f.:]+\/\d+ -o lo -j RETURN$/,
    /^-A MESHWARD_OUTPUT (-d [0-9a-f.:]+\/\d+ )?-j (RETURN|MESHWARD_REDIRECT)$/,
  ];
  it('is deterministic and writes only lines of its grammar, for any valid settings', () => {
    const cidr = fc.oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`),
    );
    const port = fc.integer({ min: 1, max: 65535 });
    const settings = fc
      .record({
        proxyUid: fc.integer({ min: 1, max: 2147483647 }),
        proxyGid: fc.integer({ min: 1, max: 2147483647 }),
        inboundPorts: fc.constant('all' as const),
        excludeInboundPorts: fc.array(port, { maxLength: 5 }),
        excludeOutboundPorts: fc.array(port, { maxLength: 5 }),
        excludeOutboundCidrs: fc.array(cidr, { maxLength: 5 }),
        includeOutboundCidrs: fc.oneof(fc.constant('*' as const), fc.array(cidr, { maxLength: 5 })),
        ipv4: fc.boolean(),
        ipv6: fc.boolean(),
      })
      .filter((s) => s.ipv4 || s.ipv6);
    fc.assert(
      fc.property(settings, (s) => {
        const rules = buildCaptureRules(s);
        assert.deepEqual(buildCaptureRules(structuredClone(s)), rules);
        for (const text of [rules.ipv4, rules.ipv6]) {
          for (const line of lines(text))
            assert.ok(
              GRAMMAR.some((g) => g.test(line)),
              `unexpected line: ${line}`,
            );
        }
      }),
    );
  });
});
