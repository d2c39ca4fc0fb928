// The inbound listener under an authorization: the network RBAC filter on each mTLS chain (Enforce,
// Audit, deny, allow-mesh), its principals, stat prefixes and denial log, undeclared and policy-named
// ports, fail-closed chains, and the input checks.

import assert from 'node:assert/strict';
import { BootstrapInputError, inboundListener, normalizeInput, type InboundAuthorization } from '../../webhook/proxy/index.js';
import { decodeResource, encodeResource, TYPE_URLS } from '../../webhook/xds/index.js';
import { AUDITED, AUTHORIZATION_CASES, DENY, MESH, SHOP_CALLERS } from './authorization-cases.js';
import { inboundChains, listener, makeInput, podResources, type J } from './bootstrap-fixtures.js';

const NETWORK_RBAC = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';
const inbound = (name: string): J => podResources(AUTHORIZATION_CASES[name]!);
const chain = (b: J, name: string): J => {
  const found = (listener(b, 'inbound').filter_chains as J[]).find((c) => c.name === name);
  assert.ok(found, `no chain ${name}`);
  return found;
};
const rbacOf = (c: J): J | undefined => (c.filters as J[]).find((f) => f.name === 'envoy.filters.network.rbac')?.typed_config;
const tcpOf = (c: J): J => (c.filters as J[]).at(-1)!.typed_config;
const SHOP_PRINCIPALS = [
  { authenticated: { principal_name: { exact: 'spiffe://cluster.local/external/backup-job' } } },
  { authenticated: { principal_name: { exact: 'spiffe://cluster.local/ns/pay/sa/payments' } } },
  { authenticated: { principal_name: { prefix: 'spiffe://cluster.local/ns/shop/' } } },
];

describe('proxy resources: inbound authorization (network RBAC)', () => {
  it('Enforce: RBAC before tcp_proxy, rules ALLOW one policy of exact and prefix URI SANs, the same as shadow rules for the log', () => {
    const c = chain(inbound('enforce'), 'inbound|8080|mtls');
    assert.deepEqual(
      c.filters.map((f: J) => f.name),
      ['envoy.filters.network.rbac', 'envoy.filters.network.tcp_proxy'],
    );
    const rbac = rbacOf(c)!;
    assert.equal(rbac['@type'], NETWORK_RBAC);
    assert.equal(rbac.stat_prefix, 'inbound|8080|mtls.');
    assert.deepEqual(rbac.rules, {
      action: 'ALLOW',
      policies: { 'shop/api-callers': { permissions: [{ any: true }], principals: SHOP_PRINCIPALS } },
    });
    assert.deepEqual(rbac.shadow_rules, rbac.rules);
  });

  it('Enforce: each refusal is one JSON line on stdout naming the peer URI SAN, filtered on the RBAC metadata', () => {
    const [log] = tcpOf(chain(inbound('enforce'), 'inbound|8080|mtls')).access_log as J[];
    assert.equal(log!.typed_config['@type'], 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog');
    assert.deepEqual(log!.filter.metadata_filter, {
      matcher: {
        filter: 'envoy.filters.network.rbac',
        path: [{ key: 'shadow_engine_result' }],
        value: { string_match: { exact: 'denied' } },
      },
      match_if_key_not_found: false,
    });
    const format = log!.typed_config.log_format.json_format;
    assert.equal(format.meshward, 'authorization-denied');
    assert.equal(format.peer, '%DOWNSTREAM_PEER_URI_SAN%');
    assert.equal(format.policies, 'shop/api-callers');
    assert.equal(format.closed, '%CONNECTION_TERMINATION_DETAILS%');
  });

  it('Audit: shadow rules only (nothing refused, shadow denials counted and logged); plaintext still accepted', () => {
    const b = inbound('audit');
    const rbac = rbacOf(chain(b, 'inbound|8080|mtls'))!;
    assert.equal(rbac.rules, undefined);
    assert.deepEqual(rbac.shadow_rules.policies['shop/api-audit'].principals, SHOP_PRINCIPALS);
    const [log] = tcpOf(chain(b, 'inbound|8080|mtls')).access_log as J[];
    assert.equal(log!.typed_config.log_format.json_format.meshward, 'authorization-audit-denied');
    assert.deepEqual(
      inboundChains(b, 8080).map((c) => c.name),
      ['inbound|8080|mtls', 'inbound|8080|tls-passthrough', 'inbound|8080|plaintext'],
    );
    for (const name of ['inbound|8080|tls-passthrough', 'inbound|8080|plaintext']) assert.equal(rbacOf(chain(b, name)), undefined);
  });

  it('deny: rules ALLOW with no policy (no mTLS caller), on declared and undeclared ports; present in the encoded bytes', () => {
    const b = inbound('deny');
    for (const name of ['inbound|8080|mtls', 'inbound|undeclared|mtls']) {
      const rbac = rbacOf(chain(b, name))!;
      assert.deepEqual(rbac.rules, { action: 'ALLOW' });
      assert.equal(tcpOf(chain(b, name)).access_log[0].typed_config.log_format.json_format.policies, 'mesh default: deny');
    }
    // An absent `rules` would enforce nothing: the empty message must survive encoding.
    const decoded = decodeResource(encodeResource({ '@type': TYPE_URLS.listener, ...listener(b, 'inbound') })) as J;
    const filters = (decoded.filter_chains as J[]).find((c) => c.name === 'inbound|8080|mtls')!.filters;
    assert.deepEqual(filters[0].typed_config.rules, {});
  });

  it('allow-mesh: no filter, no log, the very listener rendered without any authorization', () => {
    const plain = podResources(makeInput({ workloadMode: 'STRICT', ports: [{ port: 8080, mode: 'STRICT' }] }));
    assert.deepEqual(listener(inbound('allow-mesh'), 'inbound'), listener(plain, 'inbound'));
    assert.ok(!JSON.stringify(listener(plain, 'inbound')).includes('rbac'));
  });

  it('undeclared ports: the fallback mTLS chain carries the authorization of ports without an entry', () => {
    const b = inbound('undeclared');
    assert.deepEqual(rbacOf(chain(b, 'inbound|undeclared|mtls'))!.rules.policies['shop/api-callers'].principals, SHOP_PRINCIPALS);
    assert.equal(rbacOf(chain(b, 'inbound|undeclared|mtls'))!.stat_prefix, 'inbound|undeclared|mtls.');
  });

  it('a port only a policy names gets chains of its own in the workload mode, so the undeclared chains never judge it', () => {
    const b = inbound('policy-named port');
    assert.deepEqual(
      inboundChains(b, 9000).map((c) => c.name),
      ['inbound|9000|mtls'],
    );
    assert.ok(rbacOf(chain(b, 'inbound|9000|mtls')));
    assert.equal(rbacOf(chain(b, 'inbound|8080|mtls')), undefined);
    assert.equal(rbacOf(chain(b, 'inbound|undeclared|mtls')), undefined);
  });

  it('fail closed: an enforcing authorization on PERMISSIVE keeps only mTLS, on DISABLE refuses all; Audit keeps plaintext', () => {
    const b = inbound('fail closed');
    assert.deepEqual(
      inboundChains(b, 8080).map((c) => c.name),
      ['inbound|8080|mtls'],
    );
    assert.deepEqual(inboundChains(b, 8080)[0]!.filter_chain_match.application_protocols, ['meshward']);
    assert.deepEqual(
      inboundChains(b, 7070).map((c) => [c.name, tcpOf(c).cluster]),
      [['inbound|7070|refused', 'blackhole']],
    );
    assert.equal(inboundChains(b, 9090).length, 3);
    assert.deepEqual(
      inboundChains(b, undefined).map((c) => c.name),
      ['inbound|undeclared|mtls'],
    );
    // The mTLS chain of a PERMISSIVE port still matches on TLS and ALPN: the inspector stays on for it.
    const inspector = (listener(b, 'inbound').listener_filters as J[]).find((f) => f.name === 'envoy.filters.listener.tls_inspector')!;
    assert.deepEqual(
      inspector.filter_disabled.or_match.rules.map((r: J) => r.destination_port_range.start),
      [7070, 15001, 15006],
    );
  });

  it('an allow-list admitting no one renders as deny; duplicates collapse and order is fixed', () => {
    const empty = normalizeInput(makeInput({ authorization: { ports: [], undeclared: { ...SHOP_CALLERS, principals: [] } } }));
    const undeclared = (inboundListener(empty).filter_chains as J[]).find((c) => c.name === 'inbound|undeclared|mtls')!;
    assert.deepEqual(rbacOf(undeclared)!.rules, { action: 'ALLOW' });
    const doubled = normalizeInput(
      makeInput({
        authorization: {
          ports: [],
          undeclared: { ...SHOP_CALLERS, principals: [...SHOP_CALLERS.principals].reverse().concat(SHOP_CALLERS.principals) },
        },
      }),
    );
    assert.deepEqual(
      doubled.authorization.undeclared,
      normalizeInput(makeInput({ authorization: { ports: [], undeclared: SHOP_CALLERS } })).authorization.undeclared,
    );
  });

  it('refuses principals that are not SPIFFE IDs and namespace prefixes without their trailing slash; drops the proxy ports', () => {
    const bad: InboundAuthorization = {
      ports: [
        { port: 15006, authorization: DENY },
        { port: 8080, authorization: { ...AUDITED, principals: [{ prefix: 'spiffe://cluster.local/ns/shop' }, { exact: 'shop/web' }] } },
      ],
      undeclared: MESH,
    };
    assert.throws(
      () => normalizeInput(makeInput({ authorization: bad })),
      (err: unknown) =>
        err instanceof BootstrapInputError &&
        err.problems.some((p) => p.includes('must end with "/"')) &&
        err.problems.some((p) => p.includes('"shop/web" is not a SPIFFE ID')),
    );
    const dropped = normalizeInput(makeInput({ authorization: { ports: [{ port: 15006, authorization: DENY }], undeclared: MESH } }));
    assert.deepEqual(dropped.authorization.ports, []);
  });
});
