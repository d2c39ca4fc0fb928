// Outbound (15001): the control plane's per-destination chains ahead of plaintext passthrough; the
// status port's probe routes, readiness, metrics, admin, SDS wiring.

import assert from 'node:assert/strict';
import { renderSdsSecrets, type BootstrapInput } from '../../webhook/proxy/index.js';
import { cluster, filterConfig, listener, makeInput, podResources, runningConfig, type J } from './bootstrap-fixtures.js';

const probes: BootstrapInput['probes'] = [
  {
    path: '/app-health/web/readyz',
    kind: 'http',
    port: 8080,
    originalPath: '/ready?deep=1',
    headers: [
      { name: 'Host', value: 'web.shop' },
      { name: 'X-Probe', value: '1' },
    ],
  },
  { path: '/app-health/web/livez', kind: 'tcp', port: 8080, timeoutSeconds: 3, periodSeconds: 7 },
  { path: '/app-health/web/startupz', kind: 'grpc', port: 9090, service: 'shop.Cart' },
  { path: '/app-health/admin/readyz', kind: 'http', scheme: 'HTTPS', port: 8443 },
];
const b = runningConfig(makeInput({ probes }));
const routes = (l: J): J[] => filterConfig(l.filter_chains[0]).route_config.virtual_hosts[0].routes;

// Envoy's header matching, for the matcher kinds the status port uses (anything else fails the
// test rather than be guessed at). A missing header never matches a value matcher, inverted or not.
function headerMatches(m: J, headers: Record<string, string>): boolean {
  const value = headers[m.name];
  let hit: boolean;
  if (m.present_match !== undefined) hit = (value !== undefined) === m.present_match;
  else if (value === undefined) return false;
  else if (m.string_match?.exact !== undefined) hit = value === m.string_match.exact;
  else if (m.string_match?.safe_regex !== undefined)
    hit = new RegExp(`^(?:${m.string_match.safe_regex.regex})$`).test(value); // RE2 full match
  else throw new Error(`matcher not modelled here: ${JSON.stringify(m)}`);
  return m.invert_match === true ? !hit : hit;
}

/** Pseudo-headers of a request line: `:path` keeps the query string. */
const request = (method: string, path: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ':method': method,
  ':path': path,
  ...extra,
});

/** The route a request reaches (Envoy: first match wins; `path` compares without the query string). */
function routeFor(l: J, headers: Record<string, string>): J | undefined {
  const path = headers[':path']!.split('?')[0];
  return routes(l).find((r) => {
    if (Object.keys(r.match).some((k) => k !== 'path' && k !== 'headers'))
      throw new Error(`route match not modelled here: ${JSON.stringify(r.match)}`);
    return r.match.path === path && (r.match.headers ?? []).every((m: J) => headerMatches(m, headers));
  });
}

describe('proxy bootstrap: outbound listener', () => {
  const chains = listener(b, 'outbound').filter_chains as J[];

  it('meshed destinations are the chains the control plane adds, ahead of the plaintext fallback', () => {
    const meshed = {
      name: 'outbound|80|api.pay',
      filter_chain_match: { destination_port: 80, prefix_ranges: [{ address_prefix: '10.96.0.20', prefix_len: 32 }] },
    };
    const names = (listener(podResources(makeInput(), [meshed]), 'outbound').filter_chains as J[]).map((c) => c.name);
    assert.deepEqual(names.slice(-2), ['outbound|80|api.pay', 'outbound|passthrough']);
    assert.ok(!chains.some((c) => c.filter_chain_match?.prefix_ranges), 'without the control plane no destination is meshed');
  });

  it('everything else passes through in plaintext, including other pods’ proxy ports', () => {
    const fallback = chains.at(-1)!;
    assert.equal(fallback.filter_chain_match, undefined);
    assert.equal(filterConfig(fallback).cluster, 'outbound|passthrough');
    assert.equal(cluster(b, 'outbound|passthrough').transport_socket, undefined);
    for (const port of [15020, 15021, 15090]) {
      assert.equal(filterConfig(chains.find((c) => c.filter_chain_match?.destination_port === port)!).cluster, 'outbound|passthrough');
    }
    assert.equal(filterConfig(chains.find((c) => c.filter_chain_match?.destination_port === 15001)!).cluster, 'blackhole');
  });

  it('data-path clusters lift Envoy’s 1024-connection default circuit breaker', () => {
    for (const name of ['outbound|passthrough', 'inbound|passthrough']) {
      assert.equal(cluster(b, name).circuit_breakers.thresholds[0].max_connections, 4294967295);
    }
  });
});

describe('proxy bootstrap: status port (15020)', () => {
  const status = listener(b, 'status');
  const hcm = filterConfig(status.filter_chains[0]);

  it('has routes for every probe path and nothing else, and accepts HTTP/1.1 and HTTP/2', () => {
    assert.deepEqual([...new Set(routes(status).map((r) => r.match.path))].sort(), probes.map((p) => p.path).sort());
    assert.ok(
      routes(status).every((r) => Object.keys(r.match).every((k) => k === 'path' || k === 'headers')),
      'only exact path matches',
    );
    assert.equal(hcm.codec_type, 'AUTO');
    assert.equal(status.address.socket_address.port_value, 15020);
  });

  it('serves only GET and HEAD: any other method on a probe path is a 405 answered here', () => {
    for (const p of probes) {
      for (const method of ['GET', 'HEAD']) {
        const r = routeFor(status, request(method, p.path));
        assert.ok(r && (p.kind === 'http' ? r.route : r.direct_response.status === 503), `${method} ${p.path}`);
      }
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get', 'GETS', 'XGET', 'CONNECT']) {
        const r = routeFor(status, request(method, p.path));
        assert.equal(r?.route, undefined, `${method} ${p.path} is forwarded`);
        assert.equal(r?.direct_response?.status, 405, `${method} ${p.path}`);
        assert.deepEqual(r.response_headers_to_add, [
          { header: { key: 'allow', value: 'GET, HEAD' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
        ]);
      }
    }
  });

  it('serves exactly the rewritten path: a query string or any other path is a 404', () => {
    for (const p of probes) {
      for (const path of [
        `${p.path}?`,
        `${p.path}?deep=0`,
        `${p.path}?x=1&y=2`,
        `${p.path}/`,
        `${p.path}x`,
        p.path.toUpperCase(),
        p.path.slice(0, -1),
      ]) {
        assert.equal(routeFor(status, request('GET', path)), undefined, `GET ${path}`);
      }
      const r = routeFor(status, request('GET', p.path))!;
      assert.ok(
        r.match.headers.some((m: J) => m.name === ':path' && m.string_match.exact === p.path && !m.invert_match),
        `${p.path}: no exact :path matcher`,
      );
    }
    for (const path of ['/', '/app-health', '/app-health/web', '/app-health/other/readyz', '/stats/prometheus']) {
      assert.equal(routeFor(status, request('GET', path)), undefined, `GET ${path}`);
    }
  });

  it('refuses every request body before any other filter: buffered (413 past one byte), then denied by its content-length (403)', () => {
    const filters = hcm.http_filters as J[];
    const names = filters.map((f) => f.name);
    const [buffer, rbac] = [names.indexOf('envoy.filters.http.buffer'), names.indexOf('envoy.filters.http.rbac')];
    assert.deepEqual([buffer, rbac], [0, 1], names.join(', '));
    assert.equal(filters[buffer]!.typed_config.max_request_bytes, 1);
    const rules = filters[rbac]!.typed_config.rules;
    assert.equal(rules.action, 'DENY');

    // Buffer then RBAC, as Envoy runs them. A body is held until complete (413 past the limit) and
    // given its content-length when it came without one (chunked, HTTP/2); RBAC then sees it.
    const gate = (headers: Record<string, string>, body?: string): number | 'pass' => {
      if (body !== undefined) {
        if (body.length > filters[buffer]!.typed_config.max_request_bytes) return 413;
        headers = { 'content-length': String(body.length), ...headers };
      }
      const denied = Object.values(rules.policies as Record<string, J>).some(
        (policy) =>
          policy.permissions.some((perm: J) =>
            headerMatches(perm.header ?? assert.fail(`permission not modelled: ${JSON.stringify(perm)}`), headers),
          ) && policy.principals.some((pr: J) => pr.any === true || assert.fail(`principal not modelled: ${JSON.stringify(pr)}`)),
      );
      return denied ? 403 : 'pass';
    };
    const get = request('GET', '/app-health/web/readyz');
    assert.equal(gate(get), 'pass');
    assert.equal(gate(request('HEAD', '/app-health/web/livez')), 'pass');
    assert.equal(gate({ ...get, 'content-length': '0' }), 403);
    assert.equal(gate({ ...get, 'content-length': '5' }, 'hello'), 413);
    assert.equal(gate(get, 'x'), 403); // chunked or HTTP/2: no length until the buffer sets one
    assert.equal(gate(get, ''), 403); // a chunked body that is empty still announced one
    assert.equal(gate(get, 'a longer chunked body'), 413);
  });

  it('HTTP probes are forwarded live to the original path, Host and headers', () => {
    const r = routeFor(status, request('GET', '/app-health/web/readyz'))!;
    assert.equal(r.route.prefix_rewrite, '/ready?deep=1');
    assert.equal(r.route.host_rewrite_literal, 'web.shop');
    assert.deepEqual(r.request_headers_to_add, [{ header: { key: 'X-Probe', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    const c = cluster(b, r.route.cluster);
    assert.deepEqual(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, {
      address: '127.0.0.1',
      port_value: 8080,
    });
    assert.equal(c.transport_socket, undefined);
  });

  it('HTTPS probes use TLS without verification, as the kubelet does', () => {
    const r = routeFor(status, request('GET', '/app-health/admin/readyz'))!;
    const tls = cluster(b, r.route.cluster).transport_socket.typed_config;
    assert.equal(tls['@type'], 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    assert.equal(tls.common_tls_context.validation_context, undefined);
    assert.equal(tls.common_tls_context.combined_validation_context, undefined);
  });

  for (const [path, check] of [
    ['/app-health/web/livez', 'tcp_health_check'],
    ['/app-health/web/startupz', 'grpc_health_check'],
  ] as const) {
    it(`${check.split('_')[0]} probes are answered from Envoy's own active check of the port, for GET or HEAD on exactly the path`, () => {
      const answering = (headers: Record<string, string>): J[] =>
        (hcm.http_filters as J[]).filter(
          (f) => f.typed_config['@type'].endsWith('.HealthCheck') && f.typed_config.headers.every((m: J) => headerMatches(m, headers)),
        );
      const [filter, ...others] = answering(request('GET', path));
      assert.ok(filter, `no health_check filter for ${path}`);
      assert.deepEqual(others, []);
      assert.deepEqual(answering(request('HEAD', path)), [filter]);
      for (const [method, p] of [
        ['POST', path],
        ['DELETE', path],
        ['get', path],
        ['GET', `${path}?x=1`],
        ['GET', `${path}/`],
        ['GET', '/app-health/web/readyz'],
      ]) {
        assert.deepEqual(answering(request(method!, p!)), [], `${method} ${p} is answered by a health_check filter`);
      }
      assert.equal(filter.typed_config.pass_through_mode, false);
      const [clusterName] = Object.keys(filter.typed_config.cluster_min_healthy_percentages);
      const hc = cluster(b, clusterName!).health_checks[0];
      assert.ok(hc[check]);
      assert.equal(hc.no_traffic_interval, hc.interval);
      assert.equal(routeFor(status, request('GET', path))!.direct_response.status, 503);
    });
  }

  it('probe timing follows the kubelet probe; gRPC checks speak HTTP/2 with the probe’s service', () => {
    const tcp = cluster(b, 'probe|app-health|web|livez').health_checks[0];
    assert.deepEqual([tcp.timeout, tcp.interval], ['3s', '7s']);
    const grpc = cluster(b, 'probe|app-health|web|startupz');
    assert.equal(grpc.health_checks[0].grpc_health_check.service_name, 'shop.Cart');
    assert.ok(
      grpc.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config
        .http2_protocol_options,
    );
  });

  it('the router is the last HTTP filter', () => {
    assert.equal(hcm.http_filters.at(-1).name, 'envoy.filters.http.router');
  });
});

describe('proxy bootstrap: admin, readiness, metrics, node', () => {
  it('admin listens on 127.0.0.1:15000 only', () => {
    assert.deepEqual(b.admin.address, { socket_address: { address: '127.0.0.1', port_value: 15000 } });
    const ports = (b.static_resources.listeners as J[])
      .flatMap((l) => [l.address, ...l.additional_addresses.map((a: J) => a.address)])
      .map((a) => a.socket_address.port_value);
    assert.ok(!ports.includes(15000));
    assert.deepEqual([...new Set(ports)].sort(), [15001, 15006, 15020, 15021, 15090]);
  });

  it('metrics (15090) routes only /stats/prometheus to admin', () => {
    assert.deepEqual(routes(listener(b, 'metrics')), [{ match: { path: '/stats/prometheus' }, route: { cluster: 'admin' } }]);
  });

  it('readiness (15021) asks admin /ready through a fresh mTLS handshake with our own identity', () => {
    const [route] = routes(listener(b, 'readiness'));
    assert.deepEqual(route, {
      match: { path: '/healthz/ready' },
      route: { cluster: 'readiness-self-check', prefix_rewrite: '/ready', cluster_not_found_response_code: 'SERVICE_UNAVAILABLE' },
    });
    const c = cluster(b, 'readiness-self-check');
    assert.equal(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value, 15006);
    const tls = c.transport_socket.typed_config;
    assert.equal(tls.max_session_keys, 0);
    assert.deepEqual(tls.common_tls_context.combined_validation_context.default_validation_context.match_typed_subject_alt_names, [
      { san_type: 'URI', matcher: { exact: 'spiffe://cluster.local/ns/shop/sa/web' } },
    ]);
  });

  it('IPv6-only pods: listeners bind ::, the self-check dials ::1', () => {
    const v6 = runningConfig(makeInput({ ipFamilies: ['IPv6'] }));
    assert.deepEqual(listener(v6, 'inbound').address.socket_address.address, '::');
    assert.deepEqual(listener(v6, 'inbound').additional_addresses, []);
    assert.equal(
      cluster(v6, 'readiness-self-check').load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address,
      '::1',
    );
  });

  it('the bootstrap names no pod: the proxy’s --service-node does, so one bootstrap serves a namespace', () => {
    assert.equal(b.node, undefined);
  });

  it('certificates come from file-based SDS watching the credentials directory', () => {
    const sds = cluster(b, 'readiness-self-check').transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0]
      .sds_config;
    assert.deepEqual(sds, {
      path_config_source: {
        path: '/etc/meshward/proxy/sds-workload-certificate.json',
        watched_directory: { path: '/etc/meshward/proxy' },
      },
      resource_api_version: 'V3',
    });
    const [cert, trust] = renderSdsSecrets(makeInput());
    assert.equal(cert!.path, '/etc/meshward/proxy/sds-workload-certificate.json');
    assert.deepEqual((cert!.document as J).resources[0].tls_certificate, {
      certificate_chain: { filename: '/var/run/meshward/credentials/credential-bundle.pem' },
      private_key: { filename: '/var/run/meshward/credentials/credential-bundle.pem' },
      watched_directory: { path: '/var/run/meshward/credentials' },
    });
    assert.deepEqual((trust!.document as J).resources[0].validation_context.trusted_ca, {
      filename: '/var/run/meshward/credentials/ca.crt',
    });
  });
});
