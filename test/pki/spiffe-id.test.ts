import assert from 'node:assert/strict';
import { parseSpiffeId, trustDomainSpiffeId, validateTrustDomain, workloadSpiffeId } from '../../webhook/pki/spiffe-id.js';

describe('pki: SPIFFE IDs', () => {
  it('builds the Istio-style workload ID', () => {
    assert.equal(workloadSpiffeId('cluster.local', 'payments', 'api-server'), 'spiffe://cluster.local/ns/payments/sa/api-server');
    assert.equal(trustDomainSpiffeId('prod.example_1-x'), 'spiffe://prod.example_1-x');
  });

  const badDomains = ['', 'Cluster.local', 'cluster.local:443', 'a/b', 'spiffe://x', 'user@td', 'td%20x', 'x'.repeat(256)];
  for (const td of badDomains) {
    it(`refuses trust domain ${JSON.stringify(td.slice(0, 20))} naming the field`, () => {
      assert.throws(() => validateTrustDomain(td), /^PkiInputError: trustDomain: /);
    });
  }

  const badSegments: [string, string][] = [
    ['namespace', '..'],
    ['namespace', '.'],
    ['serviceAccount', ''],
    ['serviceAccount', 'a/b'],
    ['namespace', 'a b'],
    ['serviceAccount', 'sa?x=1'],
  ];
  for (const [field, value] of badSegments) {
    it(`refuses ${field}=${JSON.stringify(value)} as a path segment`, () => {
      const args: [string, string, string] = field === 'namespace' ? ['cluster.local', value, 'sa'] : ['cluster.local', 'ns', value];
      assert.throws(() => workloadSpiffeId(...args), new RegExp(`^PkiInputError: ${field}: `));
    });
  }

  it('parses valid IDs and refuses malformed ones', () => {
    assert.deepEqual(parseSpiffeId('spiffe://td/ns/a/sa/b'), { trustDomain: 'td', path: '/ns/a/sa/b' });
    assert.deepEqual(parseSpiffeId('spiffe://td'), { trustDomain: 'td', path: '' });
    for (const bad of [
      'https://td/x',
      'spiffe://td/',
      'spiffe://td//x',
      'spiffe://td/x#frag',
      'spiffe://TD/x',
      'SPIFFE://td/x',
      'spiffe:///x',
    ]) {
      assert.throws(() => parseSpiffeId(bad), /PkiInputError: spiffeId/, bad);
    }
  });
});
