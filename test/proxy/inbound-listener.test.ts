// Inbound (15006) filter chains follow each port's resolved mode; undeclared ports take the
// workload mode; loops and the readiness self-check are handled.

import assert from 'node:assert/strict';
import { MESH_ALPN } from '../../webhook/proxy/index.js';
import { cluster, filterConfig, inboundChains, listener, makeInput, podResources, tlsContext, type J } from './bootstrap-fixtures.js';

const mixed = podResources(
  makeInput({
    workloadMode: 'STRICT',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 9090, mode: 'PERMISSIVE' },
      { port: 7070, mode: 'DISABLE' },
      { port: 5353, protocol: 'UDP', mode: 'DISABLE' },
    ],
  }),
) as J;

function assertStrictMtls(chain: J): void {
  const tls = tlsContext(chain);
  assert.ok(tls, `${chain.name} has no TLS transport socket`);
  assert.equal(tls['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext');
  assert.equal(tls.require_client_certificate, true);
  const ctx = tls.common_tls_context;
  assert.deepEqual(ctx.combined_validation_context.default_validation_context.match_typed_subject_alt_names, [
    { san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/' } },
  ]);
  assert.equal(ctx.combined_validation_context.validation_context_sds_secret_config.name, 'mesh-trust-bundle');
  assert.equal(ctx.tls_certificate_sds_secret_configs[0].name, 'workload-certificate');
  assert.equal(ctx.tls_params.tls_minimum_protocol_version, 'TLSv1_2');
  assert.equal(ctx.tls_params.tls_maximum_protocol_version, 'TLSv1_3');
  assert.ok(ctx.tls_params.cipher_suites.includes('ECDHE-ECDSA-AES128-GCM-SHA256'));
}

describe('proxy resources: inbound listener', () => {
  it('listens on 15006 (IPv4 and IPv6) with the original_dst listener filter', () => {
    const l = listener(mixed, 'inbound');
    assert.deepEqual(l.address, { socket_address: { address: '0.0.0.0', port_value: 15006 } });
    assert.deepEqual(l.additional_addresses, [{ address: { socket_address: { address: '::', port_value: 15006 } } }]);
    assert.equal(l.traffic_direction, 'INBOUND');
    assert.equal(l.listener_filters[0].name, 'envoy.filters.listener.original_dst');
  });

  it('STRICT port: one chain, mTLS with a required client certificate from the trust domain', () => {
    const chains = inboundChains(mixed, 8080);
    assert.equal(chains.length, 1);
    assertStrictMtls(chains[0]!);
    assert.equal(filterConfig(chains[0]!).cluster, 'inbound|passthrough');
    assert.equal(filterConfig(chains[0]!).stat_prefix, 'inbound|8080|mtls');
  });

  it('PERMISSIVE port: a mesh mTLS chain for TLS and a plaintext chain for everything else', () => {
    const chains = inboundChains(mixed, 9090);
    const mtls = chains.find((c) => c.filter_chain_match.transport_protocol === 'tls' && tlsContext(c));
    assert.ok(mtls);
    assertStrictMtls(mtls);
    assert.deepEqual(mtls.filter_chain_match.application_protocols, [MESH_ALPN]);
    // The app's own TLS (no mesh ALPN) is passed through, not terminated with a client-cert demand.
    const passthrough = chains.find((c) => c.filter_chain_match.transport_protocol === 'tls' && !tlsContext(c));
    assert.ok(passthrough);
    // Plaintext: no transport_protocol, so raw_buffer and an inspector timeout both land here.
    const plain = chains.find((c) => c.filter_chain_match.transport_protocol === undefined);
    assert.ok(plain);
    assert.equal(tlsContext(plain), undefined);
    for (const c of chains) assert.equal(filterConfig(c).cluster, 'inbound|passthrough');
    assert.deepEqual(chains.map((c) => filterConfig(c).stat_prefix).sort(), [
      'inbound|9090|mtls',
      'inbound|9090|plaintext',
      'inbound|9090|tls-passthrough',
    ]);
  });

  it('DISABLE port: one plaintext chain, no transport socket', () => {
    const chains = inboundChains(mixed, 7070);
    assert.equal(chains.length, 1);
    assert.equal(chains[0]!.transport_socket, undefined);
    assert.equal(filterConfig(chains[0]!).cluster, 'inbound|passthrough');
    assert.equal(filterConfig(chains[0]!).stat_prefix, 'inbound|7070|plaintext');
  });

  it('UDP ports get no chain (capture is TCP only)', () => {
    assert.equal(inboundChains(mixed, 5353).length, 0);
  });

  it('declared ports go to the pod IP the client dialled (original destination), as without a mesh, leaving from 127.0.0.6', () => {
    const c = cluster(mixed, 'inbound|passthrough');
    assert.equal(c.type, 'ORIGINAL_DST');
    assert.equal(c.upstream_bind_config.source_address.address, '127.0.0.6');
    assert.ok(!(mixed.static_resources.clusters as J[]).some((x) => /^inbound\|\d+$/.test(x.name)), 'no loopback cluster per port');
  });

  for (const mode of ['STRICT', 'PERMISSIVE', 'DISABLE'] as const) {
    it(`undeclared ports take the workload mode (${mode}) and go to the original destination`, () => {
      const b = podResources(makeInput({ workloadMode: mode, ports: [{ port: 8080, mode: 'STRICT' }] })) as J;
      const chains = inboundChains(b, undefined);
      assert.deepEqual(
        chains.map((c) => c.name.split('|').pop()),
        { STRICT: ['mtls'], PERMISSIVE: ['mtls', 'tls-passthrough', 'plaintext'], DISABLE: ['plaintext'] }[mode],
      );
      for (const c of chains) assert.equal(filterConfig(c).cluster, 'inbound|passthrough');
      if (mode === 'STRICT') assertStrictMtls(chains[0]!);
      if (mode === 'DISABLE') assert.equal(chains[0]!.transport_socket, undefined);
      assert.equal(cluster(b, 'inbound|passthrough').type, 'ORIGINAL_DST');
      // The declared port keeps its own mode whatever the workload mode.
      assertStrictMtls(inboundChains(b, 8080)[0]!);
    });
  }

  it('tls_inspector runs only where a PERMISSIVE chain needs it', () => {
    const inspector = (b: J): J | undefined =>
      listener(b, 'inbound').listener_filters.find((f: J) => f.name === 'envoy.filters.listener.tls_inspector');
    assert.equal(inspector(podResources(makeInput({ workloadMode: 'STRICT', ports: [{ port: 8080, mode: 'DISABLE' }] })) as J), undefined);
    assert.deepEqual(inspector(mixed)!.filter_disabled, { not_match: { destination_port_range: { start: 9090, end: 9091 } } });
    const permissive = podResources(makeInput({ workloadMode: 'PERMISSIVE', ports: [{ port: 8080, mode: 'STRICT' }] })) as J;
    assert.deepEqual(
      inspector(permissive)!.filter_disabled.or_match.rules.map((r: J) => r.destination_port_range.start),
      [8080, 15001, 15006],
    );
    assert.equal(listener(permissive, 'inbound').continue_on_listener_filters_timeout, true);
  });

  it('connections aimed at the proxy itself are dropped, not looped', () => {
    for (const port of [15001, 15006]) {
      const [chain] = inboundChains(mixed, port);
      assert.equal(filterConfig(chain!).cluster, 'blackhole');
    }
    assert.equal(cluster(mixed, 'blackhole').load_assignment, undefined);
  });

  it('the readiness self-check chain accepts only this workload, from loopback, and reaches admin', () => {
    const chain = (listener(mixed, 'inbound').filter_chains as J[]).find((c) => c.name === 'inbound|self-check')!;
    assert.deepEqual(chain.filter_chain_match, {
      destination_port: 15006,
      prefix_ranges: [{ address_prefix: '127.0.0.1', prefix_len: 32 }],
    });
    const ctx = tlsContext(chain)!;
    assert.equal(ctx.require_client_certificate, true);
    assert.deepEqual(ctx.common_tls_context.combined_validation_context.default_validation_context.match_typed_subject_alt_names, [
      { san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/shop/sa/web' } },
    ]);
    assert.equal(filterConfig(chain).cluster, 'admin');
  });
});
