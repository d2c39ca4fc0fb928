import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { XdsServer } from '../../webhook/xds/ads-server.js';
import { ADS_SERVICE, ADS_SERVICE_NAME, type DiscoveryRequest } from '../../webhook/xds/ads-service.js';
import { ServerCertificates } from '../../webhook/xds/server-certificates.js';
import { config as baseConfig, shopMesh, staticView } from './mesh-fixtures.js';
import { meshCa, svid } from './svids.js';

// A replica that stops (SIGTERM, after the shutdown delay) ends every ADS stream, so its proxies
// reconnect to another replica at once, and its stop never waits on a stream: not on a proxy's
// session, nor on one still waiting for the caches (a replica whose caches never synced).

const config: MeshwardConfig = {
  ...baseConfig,
  controlPlane: { ...baseConfig.controlPlane, host: '127.0.0.1', port: 0, debounceMs: 20, maxDebounceMs: 200 },
};
const ca = meshCa();
const web = svid(ca, 'shop', 'web');
const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const AdsClient = grpc.makeGenericClientConstructor(ADS_SERVICE, ADS_SERVICE_NAME);

interface OpenStream {
  readonly call: grpc.ClientDuplexStream<DiscoveryRequest, unknown>;
  readonly responses: unknown[];
  /** Resolves with the status the server ended the stream with. */
  readonly status: Promise<grpc.StatusObject>;
}

function openStream(port: number, first?: DiscoveryRequest): { client: grpc.Client; stream: OpenStream } {
  const credentials = grpc.credentials.createSsl(Buffer.from(ca.trustBundlePem), Buffer.from(web.keyPem), Buffer.from(web.certPem), {
    // meshward's certificate names a SPIFFE ID (checked by the real proxies), not 127.0.0.1.
    checkServerIdentity: () => undefined,
  });
  // A name, not the IP, as the TLS server name (RFC 6066); what it is does not matter (see above).
  const client = new AdsClient(`127.0.0.1:${port}`, credentials, { 'grpc.ssl_target_name_override': 'meshward' });
  const call = (
    client as unknown as { StreamAggregatedResources(): grpc.ClientDuplexStream<DiscoveryRequest, unknown> }
  ).StreamAggregatedResources();
  const responses: unknown[] = [];
  call.on('data', (r: unknown) => responses.push(r));
  call.on('error', () => undefined); // the status below says how it ended
  const status = new Promise<grpc.StatusObject>((resolve) => call.once('status', resolve));
  if (first) call.write(first);
  return { client, stream: { call, responses, status } };
}

const request = (nodeId: string): DiscoveryRequest => ({
  version_info: '',
  node: { id: nodeId, cluster: 'web' },
  resource_names: [],
  type_url: LISTENER,
  response_nonce: '',
});

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startServer(synced: Promise<void>): Promise<XdsServer> {
  const server = new XdsServer({
    config,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    view: staticView(shopMesh()),
    synced,
    certificates: new ServerCertificates(config, () => ca),
  });
  await server.start();
  return server;
}

describe('xds: stopping the ADS server', function () {
  this.timeout(30_000);
  const clients: grpc.Client[] = [];
  afterEach(() => clients.splice(0).forEach((c) => c.close()));

  it("ends a proxy's session promptly, and the proxy sees the stream end (it reconnects elsewhere)", async () => {
    const server = await startServer(Promise.resolve());
    const { client, stream } = openStream(server.port, request('sidecar~shop~web-1'));
    clients.push(client);
    await until('the first listener push', () => stream.responses.length > 0);
    assert.equal(server.proxies().length, 1);
    const started = performance.now();
    await server.stop();
    const status = await stream.status;
    assert.ok(performance.now() - started < 2000, `stopped in ${Math.round(performance.now() - started)} ms`);
    assert.ok([grpc.status.OK, grpc.status.UNAVAILABLE, grpc.status.CANCELLED].includes(status.code), `status ${status.code}`);
  });

  it('does not wait on streams that were never answered (caches not synced, or no request yet)', async () => {
    const server = await startServer(new Promise<void>(() => undefined)); // never synced
    const waiting = openStream(server.port, request('sidecar~shop~web-1'));
    const silent = openStream(server.port);
    clients.push(waiting.client, silent.client);
    await new Promise((r) => setTimeout(r, 300)); // both calls reached the server
    const started = performance.now();
    await server.stop();
    const ms = performance.now() - started;
    await Promise.all([waiting.stream.status, silent.stream.status]);
    assert.ok(ms < 3000, `stopped in ${Math.round(ms)} ms`);
    assert.deepEqual(waiting.stream.responses, [], 'nothing is answered from caches that never synced');
  });
});
