import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import type { KubeResourceObject } from '../../webhook/kube/types.js';
import { XdsServer } from '../../webhook/xds/ads-server.js';
import { ServerCertificates, serverSpiffeId } from '../../webhook/xds/server-certificates.js';
import {
  ensureAdsJudge,
  startJudge,
  type Judge,
  type JudgeEvent,
  type ResponseEvent,
  type RequestEvent,
  type ErrorEvent,
} from './ads-judge.js';
import { apiCallersPolicy, config as baseConfig, policy, shopMesh, staticView } from './mesh-fixtures.js';
import { meshCa, svid } from './svids.js';

// meshward's ADS server, in process, judged by go-control-plane's ADS client (the Go judge) over
// real mTLS with real SVIDs: every resource it receives is decoded by Envoy's generated types and
// ValidateAll()'d, and ACKed or NACKed as Envoy would.

const config: MeshwardConfig = {
  ...baseConfig,
  controlPlane: { ...baseConfig.controlPlane, host: '127.0.0.1', port: 0, debounceMs: 20, maxDebounceMs: 200 },
};
const ca = meshCa();
const web = svid(ca, 'shop', 'web');
const isResponse =
  (type: string) =>
  (e: JudgeEvent): e is ResponseEvent =>
    e.event === 'response' && e.type === type;
const isAck =
  (type: string, version?: string) =>
  (e: JudgeEvent): e is RequestEvent =>
    e.event === 'ack' && e.type === type && (version === undefined || e.version === version);

describe('xds: the ADS server judged by go-control-plane ADS client', function () {
  this.timeout(120_000);
  const servers: XdsServer[] = [];
  const judges: Judge[] = [];
  let objects: KubeResourceObject[];

  before(async function () {
    this.timeout(600_000);
    await ensureAdsJudge();
  });

  beforeEach(() => {
    objects = shopMesh();
  });

  afterEach(async () => {
    await Promise.all(judges.splice(0).map((j) => j.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function server(): Promise<XdsServer> {
    const s = new XdsServer({
      config,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      view: staticView(objects),
      synced: Promise.resolve(),
      certificates: new ServerCertificates(config, () => ca),
    });
    await s.start();
    servers.push(s);
    return s;
  }

  function judge(
    ports: number[],
    opts: {
      nodeId?: string;
      nackOnce?: 'lds' | 'cds' | 'eds';
      reconnect?: boolean;
      dump?: boolean;
      creds?: { cert: string; key: string; ca: string };
    } = {},
  ): Judge {
    const creds = opts.creds ?? web;
    const j = startJudge({
      servers: ports.map((p) => `127.0.0.1:${p}`),
      cert: creds.cert,
      key: creds.key,
      ca: creds.ca,
      serverId: serverSpiffeId(config),
      nodeId: opts.nodeId ?? 'sidecar~shop~web-1',
      ...(opts.nackOnce ? { nackOnce: opts.nackOnce } : {}),
      ...(opts.reconnect ? { reconnect: true } : {}),
      ...(opts.dump ? { dump: true } : {}),
    });
    judges.push(j);
    return j;
  }

  it('initial fetch: listeners, clusters and endpoints, each valid for Envoy, ACKed; the server records the ACKs', async () => {
    const s = await server();
    const j = judge([s.port]);
    const cds = await j.next(isResponse('cds'));
    const lds = await j.next(isResponse('lds'));
    const eds = await j.next(isResponse('eds'));
    for (const r of [cds, lds, eds])
      assert.deepEqual(
        r.resources.filter((x) => !x.ok),
        [],
        `${r.type} resources Envoy refuses`,
      );
    assert.deepEqual(lds.resources.map((r) => r.name).sort(), ['inbound', 'outbound', 'status']);
    assert.ok(cds.resources.some((r) => r.name === 'outbound|80|api.pay'));
    assert.deepEqual(
      eds.resources.map((r) => r.name),
      ['outbound|80|api.pay'],
    );
    await j.next(isAck('lds', lds.version));
    await j.next(isAck('eds', eds.version));
    const deadline = Date.now() + 5000;
    while (!s.proxies()[0]?.upToDate && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      s.proxies().map((p) => [p.namespace, p.pod, p.upToDate]),
      [['shop', 'web-1', true]],
    );
  });

  it('a NACK is recorded and the proxy keeps its last good version; the next change is pushed and ACKed', async () => {
    const s = await server();
    const j = judge([s.port], { nackOnce: 'lds' });
    const first = await j.next(isResponse('lds'));
    await j.next((e) => e.event === 'nack' && e.type === 'lds');
    await new Promise((r) => setTimeout(r, 100));
    const state = s.proxies()[0]!;
    assert.equal(state.upToDate, false);
    assert.equal(state.types.Listener?.nack, 'judge: forced NACK');
    assert.equal(state.types.Listener?.acked, undefined, 'nothing was ever accepted');
    assert.equal(state.types.Listener?.nackedVersion, first.version, 'the refused version');
    assert.ok(!Number.isNaN(Date.parse(state.types.Listener?.sentAt ?? '')), 'when it was sent (status shows how long it waits)');
    objects.push(policy('shop', 'web-strict', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }));
    s.changed();
    const second = await j.next((e): e is ResponseEvent => isResponse('lds')(e) && e.version !== first.version);
    await j.next(isAck('lds', second.version));
  });

  it('a policy change reaches the running proxy and is ACKed, within the debounce', async () => {
    const s = await server();
    const j = judge([s.port]);
    const before = await j.next(isResponse('lds'));
    await j.next(isAck('lds', before.version));
    const started = Date.now();
    objects.push(policy('shop', 'web-strict', { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT' }));
    s.changed();
    const after = await j.next((e): e is ResponseEvent => isResponse('lds')(e) && e.version !== before.version);
    await j.next(isAck('lds', after.version));
    const ms = Date.now() - started;
    assert.ok(ms < 2000, `policy change to ACK took ${ms} ms`);
  });

  it('a MeshAuthorizationPolicy added reaches the selected proxy: its inbound RBAC names exactly the allowed caller, ACKed', async () => {
    const s = await server();
    const j = judge([s.port], { nodeId: 'sidecar~pay~api-1', creds: svid(ca, 'pay', 'payments'), dump: true });
    const before = await j.next(isResponse('lds'));
    await j.next(isAck('lds', before.version));
    const started = Date.now();
    objects.push(apiCallersPolicy());
    s.changed();
    const after = await j.next((e): e is ResponseEvent => isResponse('lds')(e) && e.version !== before.version);
    await j.next(isAck('lds', after.version));
    const ms = Date.now() - started;
    assert.ok(ms < 2000, `authorization change to ACK took ${ms} ms`);
    process.stdout.write(`      [xds] MeshAuthorizationPolicy → ACK ${ms} ms (debounce ${config.controlPlane.debounceMs} ms)\n`);
    assert.deepEqual(
      after.resources.filter((r) => !r.ok),
      [],
    );
    const inbound = after.resources.find((r) => r.name === 'inbound')!.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const chain = inbound.filterChains.find((c: { name: string }) => c.name === 'inbound|8080|mtls');
    assert.equal(chain.filters[0].name, 'envoy.filters.network.rbac');
    assert.deepEqual(chain.filters[0].typedConfig.rules.policies['pay/api-callers'].principals, [
      { authenticated: { principalName: { exact: 'spiffe://cluster.local/ns/shop/sa/web' } } },
    ]);
  });

  it('reconnects to a second replica after the first stops, and the replicas agree on versions', async () => {
    const a = await server();
    const b = await server();
    const j = judge([a.port, b.port], { reconnect: true });
    const lds = await j.next(isResponse('lds'));
    await j.next(isAck('lds', lds.version));
    await a.stop();
    servers.splice(servers.indexOf(a), 1);
    await j.next((e) => e.event === 'connected' && e.server === `127.0.0.1:${b.port}`, 15_000);
    const again = await j.next((e): e is ResponseEvent => isResponse('lds')(e) && j.events.indexOf(e) > j.events.indexOf(lds));
    assert.equal(again.version, lds.version, 'a stateless replica computes the same version');
    await j.next((e): e is RequestEvent => isAck('lds', again.version)(e) && e.nonce === again.nonce);
    assert.equal(b.proxies().length, 1);
  });

  it('refuses a proxy that claims another pod, with PERMISSION_DENIED naming the mismatch', async () => {
    const s = await server();
    const j = judge([s.port], { nodeId: 'sidecar~pay~api-1' });
    const err = await j.next((e): e is ErrorEvent => e.event === 'error');
    assert.equal(err.code, 'PermissionDenied');
    assert.match(err.message, /namespace pay/);
    assert.deepEqual(s.proxies(), []);
  });

  it('refuses a certificate from another CA at the TLS layer', async () => {
    const s = await server();
    const stranger = svid(meshCa(), 'shop', 'web');
    const j = judge([s.port], { creds: { cert: stranger.cert, key: stranger.key, ca: web.ca } });
    const err = await j.next((e): e is ErrorEvent => e.event === 'error');
    assert.equal(err.code, 'Unavailable');
    assert.deepEqual(s.proxies(), []);
  });
});
