// Envoy resources as the ADS server sends them: google.protobuf.Any (type URL + bytes), encoded from
// the proto3 JSON our renderers write (webhook/proxy/), checked field by field against Envoy's API
// on the way. decodeResource is the inverse, for tests and debug output.

import { XdsEncodeError, isPlainObject } from './encode-error.js';
import { unpackAny } from './proto-json-decode.js';
import { packAny } from './proto-json.js';

const TYPE = 'type.googleapis.com/envoy.';

/** The v3 type URLs of the resources a proxy subscribes to. */
export const TYPE_URLS = {
  listener: `${TYPE}config.listener.v3.Listener`,
  cluster: `${TYPE}config.cluster.v3.Cluster`,
  endpoint: `${TYPE}config.endpoint.v3.ClusterLoadAssignment`,
  secret: `${TYPE}extensions.transport_sockets.tls.v3.Secret`,
} as const;

export type ResourceKind = keyof typeof TYPE_URLS;

export interface EncodedResource {
  /** type.googleapis.com/<full message name>, from the resource's "@type". */
  typeUrl: string;
  /** The message's protobuf encoding (an Any's value). */
  value: Uint8Array;
}

/**
 * A resource in proto3 JSON carrying "@type" (e.g. a Listener with "@type": TYPE_URLS.listener)
 * → its binary encoding. Throws XdsEncodeError naming the JSON path, the message type and the
 * accepted form for an unknown field, an unknown "@type" or a value of the wrong JSON type.
 */
export function encodeResource(json: Readonly<Record<string, unknown>>): EncodedResource {
  if (!isPlainObject(json)) throw new XdsEncodeError('', 'a resource is a JSON object with "@type"');
  const { type_url, value } = packAny(json, '');
  return { typeUrl: type_url, value };
}

/** The inverse of encodeResource: {"@type", ...fields}, proto field names, defaults left out. */
export function decodeResource(resource: EncodedResource): Record<string, unknown> {
  return unpackAny(resource.typeUrl, resource.value);
}

/** A resource in the form a DiscoveryResponse carries (google.protobuf.Any). */
export function toAny(resource: EncodedResource): { type_url: string; value: Uint8Array } {
  return { type_url: resource.typeUrl, value: resource.value };
}
