// Two clusters every pod's configuration needs besides its data and probe clusters. They used to be
// fixed parts of the per-pod bootstrap; the static bootstrap leaves them to the xDS server (CDS),
// since the self-check is aimed at this pod's own identity and the listeners that use the
// blackhole arrive over LDS anyway.

import { PORTS } from '../config/names.js';
import type { NormalizedInput } from './bootstrap-input.js';
import { httpProtocolOptions, staticCluster, type Json } from './envoy-fragments.js';
import { BLACKHOLE_CLUSTER, loopbackAddress } from './inbound-listener.js';
import { selfPeer, upstreamMtls } from './tls-contexts.js';

/** Named by the static bootstrap's readiness route: until it arrives, the proxy is not ready. */
export const READINESS_SELF_CHECK_CLUSTER = 'readiness-self-check';

/**
 * The readiness self-check: our own inbound listener on loopback, over mesh mTLS with no session
 * resumption and one request per connection, so every check is a full handshake.
 */
export function readinessSelfCheckCluster(n: NormalizedInput): Json {
  return staticCluster(READINESS_SELF_CHECK_CLUSTER, loopbackAddress(n), PORTS.inbound, {
    connect_timeout: '1s',
    transport_socket: upstreamMtls(n, { peers: selfPeer(n), noResumption: true }),
    typed_extension_protocol_options: httpProtocolOptions({ oneRequestPerConnection: true }),
  });
}

/** No endpoints: connections routed here are closed at once (loop guard of the inbound and outbound listeners). */
export function blackholeCluster(): Json {
  return { name: BLACKHOLE_CLUSTER, type: 'STATIC', connect_timeout: '1s' };
}
