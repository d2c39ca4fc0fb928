import assert from 'node:assert/strict';
import { buildOutbound, identityClusterName } from '../../webhook/xds/outbound.js';
import { PodPolicies } from '../../webhook/xds/mesh-view.js';
import { config, pod, policy, service, shopMesh, slice, staticView } from './mesh-fixtures.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function outbound(objects: KubeResourceObject[]) {
  const view = staticView(objects);
  return buildOutbound(view, new PodPolicies(view, config), config);
}

const PAY_API = 'outbound|80|api.pay';
const API_ID = 'spiffe://cluster.local/ns/pay/sa/payments';

describe('xds outbound: auto-mTLS and secure naming', () => {
  it('gives a meshed Service a chain on its ClusterIP:port, an EDS cluster requiring its ServiceAccount, and tagged endpoints', () => {
    const out = outbound(shopMesh());
    assert.deepEqual(
      out.chains.map((c) => c.name),
      [PAY_API],
    );
    const chain = out.chains[0] as J;
    assert.deepEqual(chain.filter_chain_match, { destination_port: 80, prefix_ranges: [{ address_prefix: '10.96.0.20', prefix_len: 32 }] });
    const cluster = out.clusters.find((c) => c.name === PAY_API) as J;
    assert.equal(cluster.type, 'EDS');
    const [match] = cluster.transport_socket_matches;
    assert.deepEqual(match.match, { identity: API_ID });
    const sans =
      match.transport_socket.typed_config.common_tls_context.combined_validation_context.default_validation_context
        .match_typed_subject_alt_names;
    assert.deepEqual(sans, [{ san_type: 'URI', matcher: { exact: API_ID } }]);
    const cla = out.loadAssignments.get(PAY_API) as J;
    const eps = cla.endpoints[0].lb_endpoints;
    assert.deepEqual(
      eps.map((e: J) => [
        e.endpoint.address.socket_address.address,
        e.endpoint.address.socket_address.port_value,
        e.metadata?.filter_metadata['envoy.transport_socket_match'].identity,
      ]),
      [
        ['10.1.0.20', 8080, API_ID],
        ['10.1.0.21', 8080, API_ID],
      ],
    );
  });

  it('sends the kubernetes Service, kube-dns and an unmeshed namespace through plaintext passthrough (no chain, no cluster)', () => {
    const out = outbound(shopMesh());
    for (const name of ['outbound|443|kubernetes.default', 'outbound|53|kube-dns.kube-system', 'outbound|80|old.legacy']) {
      assert.ok(!out.chains.some((c) => c.name === name), name);
      assert.ok(!out.clusters.some((c) => c.name === name), name);
    }
  });

  it('a half-meshed Service during a rollout: mTLS to the meshed endpoint, plaintext to the old one', () => {
    const objects = shopMesh();
    objects.push(pod('pay', 'api-old', { ip: '10.1.0.22', injected: false }));
    const s = objects.find((o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === 'api') as J;
    s.endpoints.push({
      addresses: ['10.1.0.22'],
      conditions: { ready: true },
      targetRef: { kind: 'Pod', namespace: 'pay', name: 'api-old' },
    });
    const cla = outbound(objects).loadAssignments.get(PAY_API) as J;
    const byIp = Object.fromEntries(
      cla.endpoints[0].lb_endpoints.map((e: J) => [e.endpoint.address.socket_address.address, e.metadata !== undefined]),
    );
    assert.deepEqual(byIp, { '10.1.0.20': true, '10.1.0.21': true, '10.1.0.22': false });
  });

  for (const [why, change] of [
    [
      'proxy not ready',
      (o: KubeResourceObject[]) =>
        o.splice(
          o.findIndex((x) => x.metadata.name === 'api-2'),
          1,
          pod('pay', 'api-2', { ip: '10.1.0.21', sa: 'payments', ready: false }),
        ),
    ],
    [
      'port excluded from capture',
      (o: KubeResourceObject[]) =>
        o.splice(
          o.findIndex((x) => x.metadata.name === 'api-2'),
          1,
          pod('pay', 'api-2', { ip: '10.1.0.21', sa: 'payments', annotations: { 'meshward.io/exclude-inbound-ports': '8080' } }),
        ),
    ],
  ] as const) {
    it(`an endpoint whose ${why} is reached in plaintext`, () => {
      const objects = shopMesh();
      change(objects);
      const cla = outbound(objects).loadAssignments.get(PAY_API) as J;
      const tagged = cla.endpoints[0].lb_endpoints.filter((e: J) => e.metadata).map((e: J) => e.endpoint.address.socket_address.address);
      assert.deepEqual(tagged, ['10.1.0.20']);
    });
  }

  it('a DISABLE port gets plaintext from meshed clients; a live policy change flips it', () => {
    const objects = shopMesh().map((o) =>
      o.kind === 'Namespace' && o.metadata.name === 'pay'
        ? { ...o, metadata: { ...o.metadata, labels: { 'meshward.io/inject': 'enabled' } } }
        : o,
    );
    objects.push(
      policy('pay', 'api-plain', {
        selector: { matchLabels: { app: 'api' } },
        mode: 'PERMISSIVE',
        portLevelMtls: { '8080': { mode: 'DISABLE' } },
      }),
    );
    const out = outbound(objects);
    assert.equal(out.chains.length, 0, 'no meshed endpoint left: the Service is plaintext passthrough');
  });

  it('the namespace STRICT label is a floor: a DISABLE policy does not turn mTLS off', () => {
    const objects = shopMesh();
    objects.push(policy('pay', 'api-plain', { selector: { matchLabels: { app: 'api' } }, mode: 'DISABLE' }));
    assert.deepEqual(
      outbound(objects).chains.map((c) => c.name),
      [PAY_API],
    );
  });

  it('headless Services: one chain per meshed pod IP:port to an original-destination cluster requiring that pod identity', () => {
    const objects = shopMesh();
    objects.push(service('pay', 'api-headless', 'None', [{ port: 8080, name: 'http' }]), {
      ...slice('pay', 'api-headless', 8080, [{ ip: '10.1.0.20', pod: 'api-1' }], 'http'),
      metadata: { namespace: 'pay', name: 'api-headless-x', labels: { 'kubernetes.io/service-name': 'api-headless' } },
    });
    const out = outbound(objects);
    const chain = out.chains.find((c) => c.name === 'headless|10.1.0.20|8080') as J;
    assert.ok(chain);
    assert.equal(chain.filters[0].typed_config.cluster, identityClusterName(API_ID));
    const cluster = out.clusters.find((c) => c.name === identityClusterName(API_ID)) as J;
    assert.equal(cluster.type, 'ORIGINAL_DST');
  });

  it('IPv6 ClusterIPs match as /128', () => {
    const objects = shopMesh().map((o) =>
      o.kind === 'Service' && o.metadata.name === 'api' ? service('pay', 'api', 'fd00::20', [{ port: 80, name: 'http' }]) : o,
    );
    const chain = outbound(objects).chains[0] as J;
    assert.deepEqual(chain.filter_chain_match.prefix_ranges, [{ address_prefix: 'fd00::20', prefix_len: 128 }]);
  });

  it('is deterministic: the same objects in another order give the same output', () => {
    const a = outbound(shopMesh());
    const b = outbound(shopMesh().reverse());
    assert.deepEqual(
      JSON.stringify({ ...a, loadAssignments: [...a.loadAssignments] }),
      JSON.stringify({ ...b, loadAssignments: [...b.loadAssignments] }),
    );
  });
});
