// Envoy resources as protobuf: what encodeResource writes must be what Envoy's own types
// (go-control-plane, via test/go/cmd/envoy-validate) read back, field for field; what it cannot
// encode must be refused with the path, the message type and the accepted form; and the ADS
// service definition must carry it over a real gRPC stream.

import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import {
  ADS_SERVICE,
  ADS_SERVICE_NAME,
  decodeResource,
  encodeResource,
  envoyRoot,
  envoyRootLoadMillis,
  toAny,
  TYPE_URLS,
  XdsEncodeError,
  type AdsImplementation,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '../../webhook/xds/index.js';
import type { J } from '../proxy/bootstrap-fixtures.js';
import { ensureEnvoyValidator, validateEnvoyResources, type EnvoyValidation } from '../proxy/envoy-validator.js';
import { ENCODER_REFUSES, GO_REFUSES } from './broken-resources.js';
import {
  arbitraryPod,
  byName,
  differencesModuloDefaults,
  endpointAssignment,
  PODS,
  resourcesOf,
  type NamedResource,
} from './resource-fixtures.js';

const encodeError = (json: J): XdsEncodeError => {
  try {
    encodeResource(json);
  } catch (err) {
    assert.ok(err instanceof XdsEncodeError, String(err));
    return err;
  }
  return assert.fail('encoded without complaint');
};

describe('xds: Envoy resources as protobuf', function () {
  const all: NamedResource[] = Object.entries(PODS).flatMap(([pod, input]) =>
    resourcesOf(input).map((r) => ({ name: `${pod} / ${r.name}`, json: r.json })),
  );
  all.push({ name: 'eds / outbound|8080|web.shop', json: endpointAssignment() });
  let valid: EnvoyValidation;

  before(async function () {
    this.timeout(15 * 60_000); // the first Go build of the validator may take minutes
    await ensureEnvoyValidator();
    valid = await validateEnvoyResources(all.map((r) => ({ name: r.name, ...encodeResource(r.json) })));
  });

  it('loads the API once, lazily, with every type the renderers name', () => {
    const root = envoyRoot();
    assert.equal(envoyRoot(), root);
    assert.ok(envoyRootLoadMillis()! < 10_000);
    for (const url of Object.values(TYPE_URLS)) assert.ok(root.lookupType(url.split('/')[1]!));
  });

  for (const pod of [...Object.keys(PODS), 'eds']) {
    it(`${pod}: every resource, as bytes, passes Envoy's own schema (go-control-plane)`, () => {
      const mine = valid.results.filter((r) => r.name.startsWith(`${pod} / `));
      assert.ok(mine.length > 0);
      assert.deepEqual(
        mine.flatMap((r) => r.errors.map((e) => `${r.name}: ${e}`)),
        [],
      );
    });
  }

  it('decode(encode(x)) is x modulo defaults, for every rendered listener, cluster and secret', () => {
    for (const r of all) assert.deepEqual(differencesModuloDefaults(r.json, decodeResource(encodeResource(r.json))), [], r.name);
  });

  it('property: random pods round-trip, and re-encoding the decoded resource gives the same bytes', () => {
    fc.assert(
      fc.property(arbitraryPod, (pod) => {
        for (const r of resourcesOf(pod)) {
          const encoded = encodeResource(r.json);
          const back = decodeResource(encoded);
          assert.deepEqual(differencesModuloDefaults(r.json, back), [], r.name);
          assert.deepEqual(encodeResource(back).value, encoded.value, r.name);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('property: Durations of any size and precision round-trip in their canonical form', () => {
    const canonical = (s: number, n: number): string => {
      let frac = String(n).padStart(9, '0');
      while (frac.endsWith('000')) frac = frac.slice(0, -3);
      return `${s}${frac ? `.${frac}` : ''}s`;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 315_576_000_000 }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean(), (s, n, neg) => {
        const value = `${neg && (s || n) ? '-' : ''}${canonical(s, n)}`;
        const json = { '@type': 'type.googleapis.com/google.protobuf.Duration', value };
        assert.deepEqual(decodeResource(encodeResource(json)), json);
      }),
      { numRuns: 300 },
    );
  });

  it('reads well-known types in their JSON forms: 64-bit strings, wrappers, Struct, Timestamp, enums by number', () => {
    const cases: J[] = [
      { '@type': 'type.googleapis.com/google.protobuf.UInt64Value', value: '18446744073709551615' },
      { '@type': 'type.googleapis.com/envoy.type.v3.Int64Range', start: '-9223372036854775808', end: '9007199254740993' },
      { '@type': 'type.googleapis.com/google.protobuf.Timestamp', value: '2024-05-01T12:00:00.500Z' },
      { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { a: [1, 'x', null, true, { b: {} }] } },
      {
        '@type': 'type.googleapis.com/google.protobuf.Any',
        value: { '@type': 'type.googleapis.com/google.protobuf.BoolValue', value: true },
      },
    ];
    for (const json of cases) assert.deepEqual(decodeResource(encodeResource(json)), json);
    const byNumber = encodeResource({ '@type': TYPE_URLS.cluster, name: 'c', type: 4, lb_policy: 'CLUSTER_PROVIDED' });
    assert.equal(decodeResource(byNumber).type, 'ORIGINAL_DST');
    assert.deepEqual(
      encodeResource({ '@type': TYPE_URLS.cluster, name: 'c', type: 'ORIGINAL_DST', lb_policy: 'CLUSTER_PROVIDED' }),
      byNumber,
    );
  });

  it('accepts lowerCamel JSON names as well as proto names (same bytes)', () => {
    const camel = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(camel)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), camel(x)]))
          : v;
    for (const name of ['listener outbound', 'cluster readiness-self-check', 'cluster probe|app-health|web|readyz']) {
      const json = byName('strict', name);
      assert.notDeepEqual(camel(json), json);
      assert.deepEqual(encodeResource(camel(json) as J), encodeResource(json), name);
    }
  });

  describe('XdsEncodeError names the path, the message type and the accepted form', () => {
    for (const [name, make, expected] of ENCODER_REFUSES) {
      it(name, () => {
        const err = encodeError(make());
        if (typeof expected === 'string') assert.equal(err.message, expected);
        else assert.match(err.message, expected);
        assert.ok(err.message.startsWith(`${err.path}: `));
      });
    }
  });

  describe('the Go side judges bytes that encodeResource would never write', () => {
    let results: EnvoyValidation;
    before(async function () {
      this.timeout(15 * 60_000);
      results = await validateEnvoyResources(GO_REFUSES.map(([name, make]) => ({ name, ...make() })));
    });
    for (const [name, , expected] of GO_REFUSES) {
      it(`fails: ${name}`, () => {
        const r = results.results.find((x) => x.name === name)!;
        assert.equal(r.ok, false);
        for (const re of expected)
          assert.ok(
            r.errors.some((e) => re.test(e)),
            `no error matching ${re}:\n${r.errors.join('\n')}`,
          );
      });
    }

    it('while the encoder refuses a field it does not know by name before any number is written', () => {
      const tcpProxy = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
      assert.equal(
        encodeError({ '@type': tcpProxy, stat_prefx: 'outbound', cluster: 'c' }).message,
        'stat_prefx: no such field in envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy (did you mean stat_prefix?)',
      );
    });
  });

  it('ADS_SERVICE: a grpc-js server and client exchange a request and a response carrying an encoded Cluster', async function () {
    const cluster = byName('strict', 'cluster readiness-self-check');
    const encoded = encodeResource(cluster);
    const requests: DiscoveryRequest[] = [];
    const server = new grpc.Server();
    const ads: AdsImplementation = {
      StreamAggregatedResources: (call) => {
        call.on('data', (req: DiscoveryRequest) => {
          requests.push(req);
          if (req.response_nonce === '') {
            call.write({
              version_info: 'v1',
              resources: [toAny(encoded)],
              type_url: TYPE_URLS.cluster,
              nonce: 'n1',
              control_plane: { identifier: 'test' },
            });
          } else call.end();
        });
      },
    };
    server.addService(ADS_SERVICE, ads);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Client = grpc.makeGenericClientConstructor(ADS_SERVICE, ADS_SERVICE_NAME);
    const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const call = client.StreamAggregatedResources!() as grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
      const responses: DiscoveryResponse[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (res: DiscoveryResponse) => {
          responses.push(res);
          // A NACK: the same version back, with the reason.
          call.write({
            version_info: '',
            resource_names: [],
            type_url: res.type_url,
            response_nonce: res.nonce,
            error_detail: { code: 3, message: 'bad' },
          });
          call.end();
        });
        call.on('end', resolve);
        call.on('error', reject);
      });
      const node = { id: 'sidecar~shop~web-1', cluster: 'web.shop', metadata: { namespace: 'shop', port_modes: { '8080': 'STRICT' } } };
      call.write({ version_info: '', node, resource_names: [], type_url: TYPE_URLS.cluster, response_nonce: '' });
      await done;

      assert.deepEqual(requests[0], { version_info: '', node, resource_names: [], type_url: TYPE_URLS.cluster, response_nonce: '' });
      assert.deepEqual(requests[1], {
        version_info: '',
        resource_names: [],
        type_url: TYPE_URLS.cluster,
        response_nonce: 'n1',
        error_detail: { code: 3, message: 'bad' },
      });
      assert.equal(responses.length, 1);
      const [res] = responses;
      assert.deepEqual(
        { ...res!, resources: [] },
        { version_info: 'v1', resources: [], type_url: TYPE_URLS.cluster, nonce: 'n1', control_plane: { identifier: 'test' } },
      );
      assert.equal(res!.resources.length, 1);
      const any = res!.resources[0]!;
      assert.equal(any.type_url, TYPE_URLS.cluster);
      assert.deepEqual(Buffer.compare(Buffer.from(any.value), Buffer.from(encoded.value)), 0);
      assert.deepEqual(differencesModuloDefaults(cluster, decodeResource({ typeUrl: any.type_url, value: any.value })), []);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
