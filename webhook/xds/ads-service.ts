// The Aggregated Discovery Service as a @grpc/grpc-js service definition: one bidirectional stream
// per proxy, DiscoveryRequest in, DiscoveryResponse out (xDS v3, state of the world). The same
// definition serves a grpc-js Server (addService) and a client (makeGenericClientConstructor), so
// tests can play the proxy. Messages go through the protobufjs types of proto-root.ts, loaded on
// the first message rather than at import.

import type { MethodDefinition, ServiceDefinition, UntypedServiceImplementation, handleBidiStreamingCall } from '@grpc/grpc-js';
import type { Type } from 'protobufjs';
import { envoyRoot } from './proto-root.js';
import { messageFromJson } from './proto-json.js';
import { messageToJson } from './proto-json-decode.js';

/** The proxy, as its first request describes it (envoy.config.core.v3.Node; metadata as plain JSON). */
export interface AdsNode {
  /** sidecar~<namespace>~<pod> (the proxy's --service-node). */
  id: string;
  cluster: string;
  metadata?: Record<string, unknown>;
  user_agent_name?: string;
  user_agent_version?: string;
  client_features?: string[];
  [other: string]: unknown;
}

/** envoy.service.discovery.v3.DiscoveryRequest as the server sees it (defaults filled in). */
export interface DiscoveryRequest {
  /** The version last applied ("" before the first). */
  version_info: string;
  /** Sent on the first request of a stream (later ones may leave it out). */
  node?: AdsNode;
  resource_names: string[];
  type_url: string;
  /** The nonce of the response this request answers ("" for a new subscription). */
  response_nonce: string;
  /** Set when the proxy rejected (NACKed) that response. */
  error_detail?: { code: number; message: string };
}

/** google.protobuf.Any as protobufjs encodes it. */
export interface AnyResource {
  type_url: string;
  value: Uint8Array;
}

/** envoy.service.discovery.v3.DiscoveryResponse. */
export interface DiscoveryResponse {
  version_info: string;
  resources: AnyResource[];
  type_url: string;
  nonce: string;
  control_plane?: { identifier: string };
}

export interface AdsImplementation extends UntypedServiceImplementation {
  StreamAggregatedResources: handleBidiStreamingCall<DiscoveryRequest, DiscoveryResponse>;
}

const messages = (): { request: Type; response: Type } => ({
  request: envoyRoot().lookupType('.envoy.service.discovery.v3.DiscoveryRequest'),
  response: envoyRoot().lookupType('.envoy.service.discovery.v3.DiscoveryResponse'),
});

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function serializeRequest(value: DiscoveryRequest): Buffer {
  const { request } = messages();
  return toBuffer(request.encode(messageFromJson(request, value as unknown as Record<string, unknown>, '')).finish());
}

function deserializeRequest(bytes: Buffer): DiscoveryRequest {
  const { request } = messages();
  const decoded = request.decode(bytes) as unknown as Record<string, { details?: unknown } | undefined>;
  // Only code and message are ours to read; the details are Anys of arbitrary google.rpc types.
  if (decoded.error_detail) delete decoded.error_detail.details;
  const json = messageToJson(request, decoded) as Partial<DiscoveryRequest>;
  return {
    version_info: json.version_info ?? '',
    ...(json.node ? { node: { ...json.node, id: json.node.id ?? '', cluster: json.node.cluster ?? '' } } : {}),
    resource_names: json.resource_names ?? [],
    type_url: json.type_url ?? '',
    response_nonce: json.response_nonce ?? '',
    ...(json.error_detail ? { error_detail: { code: json.error_detail.code ?? 0, message: json.error_detail.message ?? '' } } : {}),
  };
}

function serializeResponse(value: DiscoveryResponse): Buffer {
  const { response } = messages();
  return toBuffer(response.encode(response.fromObject(value)).finish());
}

function deserializeResponse(bytes: Buffer): DiscoveryResponse {
  const d = messages().response.decode(bytes) as unknown as DiscoveryResponse;
  return {
    version_info: d.version_info,
    resources: d.resources.map((r) => ({ type_url: r.type_url, value: r.value })),
    type_url: d.type_url,
    nonce: d.nonce,
    ...(d.control_plane ? { control_plane: { identifier: d.control_plane.identifier } } : {}),
  };
}

const STREAM_AGGREGATED_RESOURCES: MethodDefinition<DiscoveryRequest, DiscoveryResponse> = {
  path: '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
  requestStream: true,
  responseStream: true,
  requestSerialize: serializeRequest,
  requestDeserialize: deserializeRequest,
  responseSerialize: serializeResponse,
  responseDeserialize: deserializeResponse,
  originalName: 'streamAggregatedResources',
};

/** ADS: server.addService(ADS_SERVICE, impl); makeGenericClientConstructor(ADS_SERVICE, ADS_SERVICE_NAME). */
export const ADS_SERVICE: ServiceDefinition<AdsImplementation> = { StreamAggregatedResources: STREAM_AGGREGATED_RESOURCES };
export const ADS_SERVICE_NAME = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
