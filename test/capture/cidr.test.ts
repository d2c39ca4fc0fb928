import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCidr } from '../../webhook/capture/cidr.js';

describe('capture CIDR parsing', () => {
  const good: Array<[string, string, 'ipv4' | 'ipv6']> = [
    ['10.0.0.0/8', '10.0.0.0/8', 'ipv4'],
    ['10.1.2.3/8', '10.0.0.0/8', 'ipv4'], // host bits cleared, as iptables does
    ['192.168.1.77/32', '192.168.1.77/32', 'ipv4'],
    ['0.0.0.0/0', '0.0.0.0/0', 'ipv4'],
    ['255.255.255.255/25', '255.255.255.128/25', 'ipv4'],
    ['fd00::/8', 'fd00::/8', 'ipv6'],
    ['FD00:0250:0000:0000:0000:0000:0000:0003/128', 'fd00:250::3/128', 'ipv6'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128', 'ipv6'], // first longest zero run
    ['2001:db8::1/32', '2001:db8::/32', 'ipv6'],
    ['::/0', '::/0', 'ipv6'],
    ['::1/128', '::1/128', 'ipv6'],
    ['1:0:2:3:4:5:6:7/128', '1:0:2:3:4:5:6:7/128', 'ipv6'], // a single zero group is not "::"
    ['::ffff:10.0.0.1/128', '::ffff:a00:1/128', 'ipv6'],
  ];
  for (const [raw, text, family] of good) {
    it(`accepts ${raw} as ${text}`, () => {
      assert.deepEqual(parseCidr(raw), { family, text, prefix: Number(text.split('/')[1]) });
    });
  }

  const bad = [
    '10.0.0.0',
    '10.0.0.0/33',
    '10.0.0/8',
    '10.0.0.256/32',
    '010.0.0.0/8',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    'fd00::/129',
    'fd00:::1/128',
    '1::2::3/128',
    '1:2:3:4:5:6:7:8:9/128',
    '1:2:3:4:5:6:7:8::/128',
    'g::/8',
    '12345::/16',
    ' 10.0.0.0/8',
    '10.0.0.0/8\n-A OUTPUT -j ACCEPT',
    '*',
    '',
    '/8',
  ];
  for (const raw of bad) {
    it(`refuses ${JSON.stringify(raw)}`, () => assert.equal(parseCidr(raw), undefined));
  }

  it('prints IPv6 like the WHATWG URL serializer (an independent RFC 5952 implementation)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 }), (groups) => {
        const raw = groups.map((g) => g.toString(16)).join(':');
        const cidr = parseCidr(`${raw}/128`);
        assert.equal(cidr?.text, `${new URL(`http://[${raw}]/`).hostname.slice(1, -1)}/128`);
      }),
    );
  });

  it('is idempotent: canonical text parses to itself', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV6(), fc.integer({ min: 0, max: 128 }), (v4, p4, v6, p6) => {
        for (const raw of [`${v4}/${p4}`, `${v6}/${p6}`]) {
          const once = parseCidr(raw);
          assert.ok(once, raw);
          assert.deepEqual(parseCidr(once.text), once);
        }
      }),
    );
  });
});
