// Envoy's API schema (go-control-plane v1.36, matching the default proxy image) judges what every
// proxy runs once its first configuration is loaded (the static bootstrap plus the pod's listeners
// and clusters from the control plane) and the SDS files; deliberately broken documents must be rejected.

import assert from 'node:assert/strict';
import { buildConfig } from '../../webhook/config/load.js';
import { renderSdsSecrets, type BootstrapInput } from '../../webhook/proxy/index.js';
import { ALL_PROBE_KINDS, cluster, config, listener, makeInput, runningConfig, type J } from './bootstrap-fixtures.js';
import { ensureEnvoyValidator, validateEnvoyJson, type EnvoyDoc, type EnvoyValidation } from './envoy-validator.js';

const cases: Record<string, BootstrapInput> = {
  strict: makeInput({
    workloadMode: 'STRICT',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 9090, mode: 'STRICT' },
    ],
  }),
  permissive: makeInput({
    workloadMode: 'PERMISSIVE',
    ports: [
      { port: 8080, mode: 'PERMISSIVE' },
      { port: 9090, mode: 'PERMISSIVE' },
    ],
  }),
  disable: makeInput({ workloadMode: 'DISABLE', ports: [{ port: 8080, mode: 'DISABLE' }] }),
  'mixed, STRICT workload': makeInput({
    workloadMode: 'STRICT',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 9090, mode: 'PERMISSIVE' },
      { port: 9100, mode: 'PERMISSIVE' },
      { port: 7070, mode: 'DISABLE' },
      { port: 53, protocol: 'UDP', mode: 'DISABLE' },
    ],
    probes: ALL_PROBE_KINDS,
  }),
  'mixed, PERMISSIVE workload': makeInput({
    workloadMode: 'PERMISSIVE',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 7070, mode: 'DISABLE' },
    ],
    probes: ALL_PROBE_KINDS,
  }),
  'mixed, DISABLE workload': makeInput({
    workloadMode: 'DISABLE',
    ports: [
      { port: 8080, mode: 'STRICT' },
      { port: 9090, mode: 'PERMISSIVE' },
    ],
  }),
  'no ports, no probes, no pod name': makeInput({ ports: [], probes: [], podName: undefined }),
  'IPv4 only': makeInput({ ipFamilies: ['IPv4'] }),
  'IPv6 only': makeInput({ ipFamilies: ['IPv6'], probes: [{ path: '/app-health/web/livez', kind: 'tcp', port: 8080 }] }),
  'TLS 1.3 minimum, other trust domain, another xDS address': makeInput({
    config: buildConfig({
      flags: { 'self-signed': true, 'trust-domain': 'prod.example', 'xds-address': 'xds.mesh.example:443' },
      file: { proxy: { tlsMinVersion: 'TLSv1_3' } },
    }),
  }),
  'separate SDS directory': makeInput({ sdsDir: '/etc/meshward/sds' }),
};

describe('proxy configuration: Envoy API schema', function () {
  let valid: EnvoyValidation;

  before(async function () {
    this.timeout(15 * 60_000); // the first Go build of the validator may take minutes
    await ensureEnvoyValidator();
    const docs: EnvoyDoc[] = Object.entries(cases).flatMap(([name, input]) => [
      { name, json: runningConfig(input), kind: 'bootstrap' as const },
      ...renderSdsSecrets(input).map((f) => ({ name: `${name} / ${f.fileName}`, json: f.document, kind: 'sds' as const })),
    ]);
    valid = await validateEnvoyJson(docs);
  });

  for (const name of Object.keys(cases)) {
    it(`${name}: bootstrap and SDS files validate`, () => {
      const mine = valid.results.filter((r) => r.name === name || r.name.startsWith(`${name} / `));
      assert.equal(mine.length, 3);
      assert.deepEqual(
        mine.flatMap((r) => r.errors),
        [],
      );
    });
  }

  describe('rejects broken documents', () => {
    const base = (): J => runningConfig(makeInput());
    const broken: Array<[string, () => unknown, RegExp]> = [
      ['an unknown top-level field', () => ({ ...base(), not_an_envoy_field: true }), /unknown field "not_an_envoy_field"/],
      [
        'an unknown field inside a typed extension',
        () => {
          const b = base();
          listener(b, 'outbound').filter_chains[0].filters[0].typed_config.clusterr = 'x';
          return b;
        },
        /unknown field "clusterr"/,
      ],
      [
        'a listener on port 70000',
        () => {
          const b = base();
          listener(b, 'metrics').address.socket_address.port_value = 70000;
          return b;
        },
        /listeners\[\d+\]\.address\.socket_address\.port_value: value must be less than or equal to 65535/,
      ],
      [
        'a missing required field inside an Any (tcp_proxy stat_prefix)',
        () => {
          const b = base();
          delete listener(b, 'inbound').filter_chains[0].filters[0].typed_config.stat_prefix;
          return b;
        },
        /typed_config<TcpProxy>\.stat_prefix: value length must be at least 1/,
      ],
      [
        'an unregistered extension type',
        () => {
          const b = base();
          listener(b, 'inbound').listener_filters[0].typed_config['@type'] =
            'type.googleapis.com/envoy.extensions.filters.listener.no_such.v3.Filter';
          return b;
        },
        /unable to resolve|not found/,
      ],
      [
        'a TLS version that does not exist',
        () => {
          const b = base();
          cluster(b, 'readiness-self-check').transport_socket.typed_config.common_tls_context.tls_params.tls_minimum_protocol_version =
            'TLSv1_4';
          return b;
        },
        /invalid value for enum/,
      ],
      [
        'two filter chains with the same match',
        () => {
          const b = base();
          const chains = listener(b, 'inbound').filter_chains as J[];
          chains.push(structuredClone(chains[0]!));
          chains[chains.length - 1]!.name = 'copy';
          return b;
        },
        /semantics: .*same match as filter_chains\[0\]/,
      ],
      [
        'a route to a cluster that does not exist',
        () => {
          const b = base();
          listener(b, 'metrics').filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].route.cluster = 'nowhere';
          return b;
        },
        /references unknown cluster "nowhere"/,
      ],
      [
        'a regex that does not compile (the status port’s method matcher)',
        () => {
          const b = base();
          const route = listener(b, 'status').filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0];
          route.match.headers.find((h: J) => h.name === ':method').string_match.safe_regex.regex = '^(GET|HEAD$';
          return b;
        },
        /routes\[0\]\.match\.headers\[1\]\.string_match\.safe_regex: regex does not compile/,
      ],
      [
        'a deprecated field',
        () => {
          const b = base();
          cluster(b, 'admin').http2_protocol_options = {};
          return b;
        },
        /http2_protocol_options: deprecated field/,
      ],
      [
        'an ORIGINAL_DST cluster with a round-robin load balancer',
        () => {
          const b = base();
          cluster(b, 'outbound|passthrough').lb_policy = 'ROUND_ROBIN';
          return b;
        },
        /CLUSTER_PROVIDED/,
      ],
    ];
    let results: EnvoyValidation;
    before(async function () {
      this.timeout(15 * 60_000);
      results = await validateEnvoyJson(broken.map(([name, make]) => ({ name, json: make(), kind: 'bootstrap' })));
    });
    for (const [name, , expected] of broken) {
      it(`fails: ${name}`, () => {
        const r = results.results.find((x) => x.name === name)!;
        assert.equal(r.ok, false, `${name} passed validation`);
        assert.ok(
          r.errors.some((e) => expected.test(e)),
          `no error matching ${expected}:\n${r.errors.join('\n')}`,
        );
      });
    }

    it('fails: an SDS file whose secret has an unknown field, and JSON text that is not JSON', async () => {
      const [file] = renderSdsSecrets(makeInput());
      const doc = structuredClone(file!.document) as J;
      doc.resources[0].tls_certificate.pem = 'x';
      const r = await validateEnvoyJson([
        { name: 'sds', json: doc, kind: 'sds' },
        { name: 'text', json: '{"node": ', kind: 'bootstrap' },
      ]);
      assert.equal(r.ok, false);
      assert.match(r.results[0]!.errors.join('\n'), /unknown field "pem"/);
      assert.match(r.results[1]!.errors.join('\n'), /decode/);
    });
  });

  it('validates a batch in one process fast enough for golden fixtures', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({ name: `pod-${i}`, json: runningConfig(makeInput({ podName: `web-${i}` })) }));
    const started = Date.now();
    const r = await validateEnvoyJson(docs);
    assert.equal(r.ok, true, r.errors.join('\n'));
    assert.ok(Date.now() - started < 10_000);
  });

  it('config from the test fixture is the default config', () => {
    assert.equal(config.mesh.trustDomain, 'cluster.local');
  });
});
