// Broken resources, and what must be said about them: by encodeResource (XdsEncodeError, before
// any byte is written) and by Envoy's own types judging bytes encodeResource would never write
// (a field under the wrong number, unknown fields inside an Any, schema rules, load-time checks).

import protobuf from 'protobufjs';
import { encodeResource, envoyRoot, type EncodedResource } from '../../webhook/xds/index.js';
import type { J } from '../proxy/bootstrap-fixtures.js';
import { byName, endpointAssignment } from './resource-fixtures.js';

/** [case, the resource, the exact message (or a pattern)] */
export const ENCODER_REFUSES: Array<[string, () => J, string | RegExp]> = [
  [
    'an unknown field inside a typed_config',
    () => {
      const l = byName('strict', 'listener outbound');
      const tc = l.filter_chains[0].filters[0].typed_config;
      l.filter_chains[0].filters[0].typed_config = { '@type': tc['@type'], stat_prfix: tc.stat_prefix, cluster: tc.cluster };
      return l;
    },
    'filter_chains[0].filters[0].typed_config.stat_prfix: no such field in envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy (did you mean stat_prefix?)',
  ],
  [
    'a port that is not a number',
    () => ({ ...byName('strict', 'listener outbound'), address: { socket_address: { address: '0.0.0.0', port_value: 'http' } } }),
    'address.socket_address.port_value: envoy.config.core.v3.SocketAddress.port_value takes an integer 0..4294967295 (uint32; a number or a decimal string), got string "http"',
  ],
  [
    'a message given as a string',
    () => ({ ...byName('strict', 'listener outbound'), address: '0.0.0.0:15001' }),
    'address: envoy.config.listener.v3.Listener.address takes an object (envoy.config.core.v3.Address), got string "0.0.0.0:15001"',
  ],
  [
    'a duration without its unit',
    () => ({ ...byName('strict', 'cluster blackhole'), connect_timeout: '5' }),
    'connect_timeout: envoy.config.cluster.v3.Cluster.connect_timeout is a google.protobuf.Duration: expected a string like "1.5s" or "0.000001s" (seconds, up to 9 decimals, then s), got string "5"',
  ],
  [
    'a duration as a number',
    () => ({ ...byName('strict', 'cluster blackhole'), connect_timeout: 5 }),
    /^connect_timeout: .*Duration: expected .*, got number 5$/,
  ],
  [
    'an unknown @type',
    () => {
      const l = byName('strict', 'listener inbound');
      l.listener_filters[0].typed_config['@type'] = 'type.googleapis.com/envoy.extensions.filters.listener.no_such.v3.Filter';
      return l;
    },
    'listener_filters[0].typed_config.@type: envoy.config.listener.v3.ListenerFilter.typed_config (google.protobuf.Any): unknown type type.googleapis.com/envoy.extensions.filters.listener.no_such.v3.Filter; expected type.googleapis.com/<a message of the Envoy API loaded in proto-root.ts>',
  ],
  [
    'a resource without @type',
    () => ({ name: 'x' }),
    '@type: a resource needs "@type": "type.googleapis.com/<full message name>", got undefined',
  ],
  [
    'an enum name that does not exist',
    () => ({ ...byName('strict', 'cluster blackhole'), type: 'STATIK' }),
    /^type: envoy\.config\.cluster\.v3\.Cluster\.type takes a value of enum envoy\.config\.cluster\.v3\.Cluster\.DiscoveryType: STATIC, .*ORIGINAL_DST \(or its number\), got string "STATIK"$/,
  ],
  [
    'a wrapper value out of range',
    () => {
      const c = byName('strict', 'cluster outbound|passthrough');
      c.circuit_breakers.thresholds[0].max_connections = -1;
      return c;
    },
    'circuit_breakers.thresholds[0].max_connections: envoy.config.cluster.v3.CircuitBreakers.Thresholds.max_connections (google.protobuf.UInt32Value) takes an integer 0..4294967295 (uint32; a number or a decimal string), got number -1',
  ],
  [
    'an object where a list belongs',
    () => ({ ...byName('strict', 'listener outbound'), filter_chains: {} }),
    'filter_chains: envoy.config.listener.v3.Listener.filter_chains takes a list, got an object',
  ],
  [
    'two members of one oneof',
    () => ({
      ...byName('strict', 'listener outbound'),
      address: { socket_address: { address: '::', port_value: 1, named_port: 'x' } },
    }),
    'address.socket_address.named_port: envoy.config.core.v3.SocketAddress: named_port and port_value set the same oneof port_specifier',
  ],
  [
    'a Struct that is not an object',
    () => {
      const eds = endpointAssignment();
      eds.endpoints[0].lb_endpoints[0].metadata.filter_metadata['envoy.transport_socket_match'] = 'mtls';
      return eds;
    },
    'endpoints[0].lb_endpoints[0].metadata.filter_metadata["envoy.transport_socket_match"]: envoy.config.core.v3.Metadata.filter_metadata is a google.protobuf.Struct: expected an object, got string "mtls"',
  ],
  [
    'a 64-bit integer past 2^53 as a JSON number',
    () => ({ '@type': 'type.googleapis.com/envoy.type.v3.Int64Range', start: 0, end: 2 ** 60 }),
    /^end: envoy\.type\.v3\.Int64Range\.end takes an integer .* \(int64; a number or a decimal string\), got number 1152921504606847000; write it as a decimal string$/,
  ],
];

const encoded = (pod: string, name: string, change: (r: J) => void = () => undefined): EncodedResource => {
  const r = byName(pod, name);
  change(r);
  return encodeResource(r);
};

// A TcpProxy whose stat_prefix went out under a wrong field number (99 instead of 1).
const miswired = new protobuf.Root().add(
  protobuf.Type.fromJSON('TcpProxy', { fields: { stat_prefix: { type: 'string', id: 99 }, cluster: { type: 'string', id: 2 } } }),
);

const withUnknownInTcpProxy = (): EncodedResource => {
  const listener = envoyRoot().lookupType('envoy.config.listener.v3.Listener');
  const r = encoded('strict', 'listener outbound');
  const msg = listener.decode(r.value) as unknown as J;
  const any = msg.filter_chains[0].filters[0].typed_config;
  any.value = new Uint8Array([...any.value, 0xb8, 0x3e, 0x01]); // field 999, varint 1
  return { typeUrl: r.typeUrl, value: listener.encode(msg).finish() };
};

/** [case, the bytes, errors the Go side must report] */
export const GO_REFUSES: Array<[string, () => EncodedResource, RegExp[]]> = [
  [
    'a field under the wrong number',
    () => ({
      typeUrl: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
      value: miswired.lookupType('TcpProxy').encode({ stat_prefix: 'outbound', cluster: 'c' }).finish(),
    }),
    [
      /^\(resource\): unknown field number 99 \(wire type 2\) in envoy\.extensions\.filters\.network\.tcp_proxy\.v3\.TcpProxy$/,
      /^stat_prefix: value length must be at least 1/,
    ],
  ],
  [
    'an unknown field inside a nested Any',
    withUnknownInTcpProxy,
    [
      /^filter_chains\[0\]\.filters\[0\]\.typed_config<TcpProxy>: unknown field number 999 \(wire type 0\) in envoy\.extensions\.filters\.network\.tcp_proxy\.v3\.TcpProxy$/,
    ],
  ],
  [
    'a negative connect_timeout (PGV: gt 0s)',
    () => encoded('strict', 'cluster blackhole', (c) => (c.connect_timeout = '-1s')),
    [/^connect_timeout: value must be greater than 0s$/],
  ],
  [
    'a listener port past 65535 (PGV: lte 65535)',
    () => encoded('strict', 'listener status', (l) => (l.address.socket_address.port_value = 70000)),
    [/^address\.socket_address\.port_value: value must be less than or equal to 65535$/],
  ],
  [
    'tcp_proxy without stat_prefix (PGV inside an Any)',
    () => encoded('strict', 'listener inbound', (l) => delete l.filter_chains[0].filters[0].typed_config.stat_prefix),
    [/^filter_chains\[0\]\.filters\[0\]\.typed_config<TcpProxy>\.stat_prefix: value length must be at least 1/],
  ],
  [
    'two filter chains with the same match (load-time check)',
    () =>
      encoded('strict', 'listener inbound', (l) => {
        l.filter_chains.push({ ...structuredClone(l.filter_chains[0]), name: 'copy' });
      }),
    [/^semantics: filter_chains\[\d+\]: same match as filter_chains\[0\]/],
  ],
  [
    'an ORIGINAL_DST cluster with a round-robin balancer (load-time check)',
    () => encoded('strict', 'cluster outbound|passthrough', (c) => (c.lb_policy = 'ROUND_ROBIN')),
    [/^semantics: ORIGINAL_DST clusters need lb_policy CLUSTER_PROVIDED/],
  ],
];
