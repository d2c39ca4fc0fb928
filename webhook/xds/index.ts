// Public API of the control plane's protobuf layer: Envoy resources as Anys, and the ADS service.

export { decodeResource, encodeResource, toAny, TYPE_URLS, type EncodedResource, type ResourceKind } from './envoy-types.js';
export { XdsEncodeError } from './encode-error.js';
export { envoyRoot, envoyRootLoadMillis } from './proto-root.js';
export {
  ADS_SERVICE,
  ADS_SERVICE_NAME,
  type AdsImplementation,
  type AdsNode,
  type AnyResource,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from './ads-service.js';
