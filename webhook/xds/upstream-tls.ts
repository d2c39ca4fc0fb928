// The client side of mesh mTLS as the control plane hands it out: the pod's own SVID and the mesh
// trust bundle from the SDS files of the static bootstrap, and the peer held to an exact list of
// SPIFFE IDs, never just "somebody in the trust domain".

import type { MeshwardConfig } from '../config/types.js';
import { PROXY_CONFIG_DIR } from '../config/names.js';
import type { Json } from '../proxy/envoy-fragments.js';
import { upstreamMtls } from '../proxy/tls-contexts.js';

/** Endpoint metadata key (under envoy.transport_socket_match) naming the identity a client must see. */
export const TRANSPORT_SOCKET_MATCH = 'identity';

export function upstreamMtlsTo(config: MeshwardConfig, spiffeIds: readonly string[]): Json {
  return upstreamMtls(
    { config, sdsDir: PROXY_CONFIG_DIR },
    { peers: spiffeIds.map((id) => ({ san_type: 'URI', matcher: { exact: id } })) },
  );
}
