// The static bootstrap every pod starts from: its content, its golden file, and Envoy's API schema
// (with the semantic checks Envoy makes at load) over it alone and with a pod's xDS resources in place.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { renderStaticBootstrap } from '../../webhook/proxy/index.js';
import { cluster, config, listener, makeInput, podResources, type J } from './bootstrap-fixtures.js';
import { validateEnvoyJson, type EnvoyDoc } from './envoy-validator.js';

const GOLDEN = new URL('./testdata/static-bootstrap.yaml', import.meta.url);
const files = (c: MeshwardConfig = config): Record<string, J> =>
  Object.fromEntries(renderStaticBootstrap(c).map((f) => [f.name, f.document as J]));
const envoy = (c?: MeshwardConfig): J => files(c)['envoy.json']!;

describe('static bootstrap: content', () => {
  it('is envoy.json and the two SDS files, the same bytes on every render', () => {
    assert.deepEqual(
      renderStaticBootstrap(config).map((f) => f.name),
      ['envoy.json', 'sds-workload-certificate.json', 'sds-mesh-trust-bundle.json'],
    );
    assert.equal(
      JSON.stringify(renderStaticBootstrap(config)),
      JSON.stringify(renderStaticBootstrap(buildConfig({ flags: { 'self-signed': true } }))),
    );
  });

  it('names no pod: no node section (--service-node/--service-cluster set it), admin on loopback', () => {
    const b = envoy();
    assert.equal(b.node, undefined);
    assert.deepEqual(b.admin, { address: { socket_address: { address: '127.0.0.1', port_value: 15000 } } });
    assert.doesNotMatch(JSON.stringify(b), /shop|sidecar~/);
  });

  it('takes listeners and clusters over ADS (gRPC, v3), the node sent once', () => {
    assert.deepEqual(envoy().dynamic_resources, {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: 'meshward-xds' } }],
        set_node_on_first_message_only: true,
      },
      cds_config: { ads: {}, resource_api_version: 'V3' },
      lds_config: { ads: {}, resource_api_version: 'V3' },
    });
  });

  it('holds only the readiness and metrics listeners and the admin and meshward-xds clusters', () => {
    const b = envoy();
    assert.deepEqual(
      b.static_resources.listeners.map((l: J) => [
        l.name,
        l.address.socket_address.port_value,
        l.additional_addresses[0].address.socket_address.address,
      ]),
      [
        ['readiness', 15021, '::'],
        ['metrics', 15090, '::'],
      ],
    );
    assert.deepEqual(
      b.static_resources.clusters.map((c: J) => c.name),
      ['admin', 'meshward-xds'],
    );
    const routes = (name: string): J[] => listener(b, name).filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
    assert.deepEqual(routes('metrics'), [{ match: { path: '/stats/prometheus' }, route: { cluster: 'admin' } }]);
  });

  it('routes /healthz/ready to readiness-self-check, which only CDS brings: 503 (not ready) until the first configuration', () => {
    const routeConfig = listener(envoy(), 'readiness').filter_chains[0].filters[0].typed_config.route_config;
    assert.equal(routeConfig.validate_clusters, false);
    assert.deepEqual(routeConfig.virtual_hosts[0].routes, [
      {
        match: { path: '/healthz/ready' },
        route: { cluster: 'readiness-self-check', prefix_rewrite: '/ready', cluster_not_found_response_code: 'SERVICE_UNAVAILABLE' },
      },
    ]);
    assert.throws(() => cluster(envoy(), 'readiness-self-check'));
    assert.equal(cluster(podResources(makeInput()), 'readiness-self-check').type, 'STATIC');
  });

  it('reaches controlPlane.address over HTTP/2 and mTLS, accepting only meshward’s own SPIFFE ID', () => {
    const custom = buildConfig({
      flags: { 'self-signed': true, 'trust-domain': 'prod.example', 'xds-address': 'xds.mesh-ops.svc.cluster.local:443' },
      file: { mesh: { namespace: 'mesh-ops' }, controlPlane: { serviceAccount: 'control' }, proxy: { tlsMinVersion: 'TLSv1_3' } },
    });
    const xds = cluster(envoy(custom), 'meshward-xds');
    assert.equal(xds.type, 'STRICT_DNS');
    assert.deepEqual(xds.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: 'xds.mesh-ops.svc.cluster.local',
      port_value: 443,
    });
    const options = xds.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
    assert.ok(options.explicit_http_config.http2_protocol_options);
    const tls = xds.transport_socket.typed_config;
    assert.equal(tls['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    assert.equal(tls.sni, 'xds.mesh-ops.svc.cluster.local');
    const ctx = tls.common_tls_context;
    assert.deepEqual(ctx.combined_validation_context.default_validation_context.match_typed_subject_alt_names, [
      { san_type: 'URI', matcher: { exact: 'spiffe://prod.example/ns/mesh-ops/sa/control' } },
    ]);
    assert.equal(ctx.tls_params.tls_minimum_protocol_version, 'TLSv1_3');
    assert.deepEqual(ctx.alpn_protocols, ['h2']);
    assert.deepEqual(
      [
        ctx.tls_certificate_sds_secret_configs[0].sds_config.path_config_source.path,
        ctx.combined_validation_context.validation_context_sds_secret_config.sds_config.path_config_source.path,
      ],
      ['/etc/meshward/proxy/sds-workload-certificate.json', '/etc/meshward/proxy/sds-mesh-trust-bundle.json'],
    );
  });

  it('points the SDS files at the projected credentials (key and chain in one file), watched for rotation', () => {
    const cert = files()['sds-workload-certificate.json']!.resources[0].tls_certificate;
    assert.deepEqual(cert, {
      certificate_chain: { filename: '/var/run/meshward/credentials/credential-bundle.pem' },
      private_key: { filename: '/var/run/meshward/credentials/credential-bundle.pem' },
      watched_directory: { path: '/var/run/meshward/credentials' },
    });
    assert.deepEqual(files()['sds-mesh-trust-bundle.json']!.resources[0].validation_context.trusted_ca, {
      filename: '/var/run/meshward/credentials/ca.crt',
    });
  });

  it('matches testdata/static-bootstrap.yaml (UPDATE_GOLDEN=1 regenerates it)', () => {
    const text = toYaml(files(), { lineWidth: 0 });
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) writeFileSync(GOLDEN, text);
    assert.equal(text, readFileSync(GOLDEN, 'utf8'));
  });
});

describe("static bootstrap: Envoy's API schema", function () {
  this.timeout(15 * 60_000); // the validator's first build compiles go-control-plane

  const kinds = (name: string, c: MeshwardConfig): EnvoyDoc[] =>
    renderStaticBootstrap(c).map((f) => ({
      name: `${name} ${f.name}`,
      json: f.document,
      kind: f.name === 'envoy.json' ? 'bootstrap' : 'sds',
    }));

  it('validates the bootstrap and SDS files, under the default and another configuration', async () => {
    const other = buildConfig({
      flags: { 'self-signed': true, 'trust-domain': 'prod.example', 'xds-address': '10.0.0.12:15012' },
      file: { proxy: { tlsMinVersion: 'TLSv1_3' } },
    });
    const result = await validateEnvoyJson([...kinds('default', config), ...kinds('other', other)]);
    assert.deepEqual(result.errors, []);
    assert.equal(result.results.length, 6);
  });

  it("validates with a pod's xDS resources in place: every route and filter finds its cluster", async () => {
    const b = envoy();
    const pod = podResources(makeInput({ probes: [{ path: '/app-health/web/livez', kind: 'grpc', port: 9090 }] })).static_resources;
    const whole = {
      ...b,
      static_resources: {
        listeners: [...b.static_resources.listeners, ...pod.listeners],
        clusters: [...b.static_resources.clusters, ...pod.clusters],
      },
    };
    const result = await validateEnvoyJson([{ name: 'static + pod', json: whole, kind: 'bootstrap' }]);
    assert.deepEqual(result.errors, []);
  });

  it('refuses the readiness route without validate_clusters: false, and an ADS cluster that is not static', async () => {
    const strictRoutes = envoy();
    delete listener(strictRoutes, 'readiness').filter_chains[0].filters[0].typed_config.route_config.validate_clusters;
    const noXds = envoy();
    noXds.static_resources.clusters = noXds.static_resources.clusters.filter((c: J) => c.name !== 'meshward-xds');
    const result = await validateEnvoyJson([
      { name: 'validated routes', json: strictRoutes, kind: 'bootstrap' },
      { name: 'no xds cluster', json: noXds, kind: 'bootstrap' },
    ]);
    assert.match(result.results[0]!.errors.join('\n'), /references unknown cluster "readiness-self-check"/);
    assert.match(result.results[1]!.errors.join('\n'), /unknown static cluster "meshward-xds"/);
  });
});
