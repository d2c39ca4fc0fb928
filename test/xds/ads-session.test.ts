import assert from 'node:assert/strict';
import { AdsSession, type AdsRequest, type SessionEvent } from '../../webhook/xds/ads-session.js';
import { TYPE_URLS } from '../../webhook/xds/envoy-types.js';
import { MeshSnapshot } from '../../webhook/xds/mesh-snapshot.js';
import { ResourceEncoder } from '../../webhook/xds/resource-encoder.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';
import { config, policy, service, shopMesh, slice, staticView } from './mesh-fixtures.js';

// The protocol under test, not the protobuf: resources are "encoded" as their JSON text.
const encoder = new ResourceEncoder((json) => ({ typeUrl: String(json['@type']), value: Buffer.from(JSON.stringify(json)) }));
const snapshotOf = (objects: KubeResourceObject[]) => new MeshSnapshot(staticView(objects), config, encoder);
const node = { id: 'sidecar~shop~web-1', cluster: 'shop' };
const LDS = TYPE_URLS.listener;
const CDS = TYPE_URLS.cluster;
const EDS = TYPE_URLS.endpoint;

function session(events: SessionEvent[] = []) {
  let t = 1000;
  return new AdsSession(
    'shop',
    'web-1',
    () => (t += 5),
    (e) => events.push(e),
  );
}

const names = (resources: ReadonlyArray<{ value: Uint8Array }>) =>
  resources.map((r) => JSON.parse(Buffer.from(r.value).toString()).name ?? JSON.parse(Buffer.from(r.value).toString()).cluster_name);

describe('xds ADS session (state of the world)', () => {
  it('answers the first request of each type with the full set, versioned, with a fresh nonce', () => {
    const s = session();
    const snap = snapshotOf(shopMesh());
    const [cds] = s.handle({ node, type_url: CDS }, snap);
    assert.ok(cds && cds.version_info.length === 16 && cds.nonce === '1');
    assert.ok(names(cds.resources).includes('outbound|80|api.pay'));
    const [lds] = s.handle({ node, type_url: LDS }, snap);
    assert.deepEqual(names(lds!.resources).sort(), ['inbound', 'outbound', 'status']);
    assert.equal(lds!.nonce, '2');
    const [eds] = s.handle({ node, type_url: EDS, resource_names: ['outbound|80|api.pay', 'outbound|1|nothing'] }, snap);
    assert.deepEqual(names(eds!.resources), ['outbound|80|api.pay'], 'EDS answers the names it knows');
  });

  it('records an ACK, and sends nothing for it', () => {
    const events: SessionEvent[] = [];
    const s = session(events);
    const snap = snapshotOf(shopMesh());
    const [cds] = s.handle({ node, type_url: CDS }, snap);
    assert.deepEqual(s.handle({ type_url: CDS, version_info: cds!.version_info, response_nonce: cds!.nonce }, snap), []);
    assert.equal(s.types.get(CDS)!.ackedVersion, cds!.version_info);
    assert.ok(s.upToDate);
    assert.deepEqual(
      events.map((e) => e.kind),
      ['sent', 'ack'],
    );
  });

  it('on a NACK keeps the last good version, reports it, and re-sends nothing until the configuration changes', () => {
    const events: SessionEvent[] = [];
    const s = session(events);
    const objects = shopMesh();
    const snap1 = snapshotOf(objects);
    const [first] = s.handle({ node, type_url: LDS }, snap1);
    s.handle({ type_url: LDS, version_info: first!.version_info, response_nonce: first!.nonce }, snap1);
    objects.push(policy('shop', 'web-strict', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }));
    const snap2 = snapshotOf(objects);
    const [second] = s.push(snap2);
    assert.ok(second && second.version_info !== first!.version_info);
    const nack: AdsRequest = {
      type_url: LDS,
      version_info: first!.version_info,
      response_nonce: second.nonce,
      error_detail: { code: 3, message: 'bad listener' },
    };
    assert.deepEqual(s.handle(nack, snap2), []);
    const st = s.types.get(LDS)!;
    assert.equal(st.ackedVersion, first!.version_info, 'the last good version stands');
    assert.deepEqual(st.nack && { version: st.nack.version, message: st.nack.message }, {
      version: second.version_info,
      message: 'bad listener',
    });
    assert.equal(s.upToDate, false);
    assert.deepEqual(s.push(snap2), [], 'the same configuration is not sent again');
    assert.ok(events.some((e) => e.kind === 'nack' && e.message === 'bad listener'));
  });

  it('ignores a request carrying a stale nonce', () => {
    const s = session();
    const snap = snapshotOf(shopMesh());
    const [first] = s.handle({ node, type_url: CDS }, snap);
    // Both backends gone: the Service is no longer meshed, so its cluster goes.
    const objects = shopMesh().filter((o) => !(o.kind === 'Pod' && o.metadata.namespace === 'pay'));
    const [second] = s.push(snapshotOf(objects));
    assert.ok(second);
    assert.deepEqual(s.handle({ type_url: CDS, version_info: first!.version_info, response_nonce: first!.nonce }, snap), []);
    assert.equal(s.types.get(CDS)!.ackedVersion, undefined);
  });

  it('a live policy change reaches the proxy: only the types whose content changed are pushed, clusters before listeners', () => {
    const s = session();
    const objects = shopMesh();
    const snap1 = snapshotOf(objects);
    for (const t of [CDS, LDS]) {
      const [r] = s.handle({ node, type_url: t }, snap1);
      s.handle({ type_url: t, version_info: r!.version_info, response_nonce: r!.nonce }, snap1);
    }
    assert.deepEqual(s.push(snapshotOf(shopMesh())), [], 'nothing changed, nothing sent');
    objects.push(policy('shop', 'web-strict', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }));
    const pushed = s.push(snapshotOf(objects));
    assert.deepEqual(
      pushed.map((r) => r.type_url),
      [LDS],
      'the inbound mode lives in the listener only',
    );
    const inbound = pushed[0]!.resources.map((r) => JSON.parse(Buffer.from(r.value).toString())).find((l) => l.name === 'inbound');
    const undeclared = inbound.filter_chains.filter((c: { name: string }) => c.name.startsWith('inbound|undeclared|'));
    assert.deepEqual(
      undeclared.map((c: { name: string }) => c.name),
      ['inbound|undeclared|mtls'],
    );
  });

  it('an endpoint change pushes only the load assignment to a proxy watching it', () => {
    const s = session();
    const objects = shopMesh();
    const snap1 = snapshotOf(objects);
    for (const [t, names] of [
      [CDS, []],
      [EDS, ['outbound|80|api.pay']],
      [LDS, []],
    ] as const) {
      const [r] = s.handle({ node, type_url: t, resource_names: [...names] }, snap1);
      s.handle({ type_url: t, version_info: r!.version_info, response_nonce: r!.nonce, resource_names: [...names] }, snap1);
    }
    const slice = objects.find(
      (o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === 'api',
    ) as unknown as {
      endpoints: unknown[];
    };
    slice.endpoints.pop();
    const pushed = s.push(snapshotOf(objects));
    assert.deepEqual(
      pushed.map((r) => r.type_url),
      [EDS],
    );
  });

  it('an endpoint change after the previous snapshot sends only the assignment that changed; a proxy that missed a snapshot gets them all', () => {
    const objects = shopMesh();
    objects.push(
      service('shop', 'cart', '10.96.0.40', [{ port: 80, name: 'http' }]),
      slice('shop', 'cart', 8080, [{ ip: '10.1.0.10', pod: 'web-1' }], 'http'),
    );
    const watched = ['outbound|80|api.pay', 'outbound|80|cart.shop'];
    const s = session();
    const first = new MeshSnapshot(staticView(objects), config, encoder);
    const [r] = s.handle({ node, type_url: EDS, resource_names: [...watched] }, first);
    assert.deepEqual(names(r!.resources).sort(), watched);
    s.handle({ type_url: EDS, version_info: r!.version_info, response_nonce: r!.nonce, resource_names: [...watched] }, first);
    const apiSlice = objects.find(
      (o) => o.kind === 'EndpointSlice' && o.metadata.labels?.['kubernetes.io/service-name'] === 'api',
    ) as unknown as {
      endpoints: unknown[];
    };
    const removed = apiSlice.endpoints.pop();
    const second = new MeshSnapshot(staticView(objects), config, encoder, first);
    const [partial] = s.push(second);
    assert.deepEqual(names(partial!.resources), ['outbound|80|api.pay']);
    assert.equal(partial!.version_info, second.endpointSet(second.sharedNames(watched)).version, 'the version still names the whole set');
    // A third snapshot the session is shown without the one between: everything it watches again.
    apiSlice.endpoints.push(removed);
    const third = new MeshSnapshot(staticView(objects), config, encoder, new MeshSnapshot(staticView(objects), config, encoder, second));
    const other = session();
    const [full] = other.handle({ node, type_url: EDS, resource_names: [...watched] }, second);
    assert.equal(full!.resources.length, 2);
    assert.deepEqual(names(other.push(third)[0]!.resources).sort(), watched);
  });
});
