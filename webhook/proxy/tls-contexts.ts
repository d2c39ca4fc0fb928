// TLS transport sockets. Mesh mTLS on both sides: the workload certificate and the trust bundle
// come from SDS; the peer must present a URI SAN in our trust domain. TLS versions and TLS 1.2
// cipher suites come from config (TLS 1.3 suites are fixed by BoringSSL).

import type { NormalizedInput } from './bootstrap-input.js';
import { TYPES, type Json } from './envoy-fragments.js';
import { sdsSecretConfig } from './sds-secrets.js';

/** ALPN our outbound side offers: lets a PERMISSIVE port tell mesh mTLS from the app's own TLS. */
export const MESH_ALPN = 'meshward';

export type SanMatcher = Json;

/** What a TLS context depends on: the mesh and proxy config and where the SDS files are. */
export type TlsInput = Pick<NormalizedInput, 'config' | 'sdsDir'>;

/** Any workload of the mesh: spiffe://<trust-domain>/... */
export function meshPeers(n: TlsInput): SanMatcher[] {
  return [{ san_type: 'URI', matcher: { prefix: `spiffe://${n.config.mesh.trustDomain}/` } }];
}

/** Exactly this workload's own identity (the readiness self-check). */
export function selfPeer(n: NormalizedInput): SanMatcher[] {
  return [{ san_type: 'URI', matcher: { exact: n.spiffeId } }];
}

export function tlsParams(n: Pick<NormalizedInput, 'config'>): Json {
  return {
    tls_minimum_protocol_version: n.config.proxy.tlsMinVersion,
    tls_maximum_protocol_version: 'TLSv1_3',
    cipher_suites: [...n.config.proxy.cipherSuites],
  };
}

function meshCommonTlsContext(n: TlsInput, peers: SanMatcher[], alpn: string[]): Json {
  return {
    tls_params: tlsParams(n),
    tls_certificate_sds_secret_configs: [sdsSecretConfig(n, 'certificate')],
    combined_validation_context: {
      default_validation_context: { match_typed_subject_alt_names: peers },
      validation_context_sds_secret_config: sdsSecretConfig(n, 'trustBundle'),
    },
    ...(alpn.length > 0 ? { alpn_protocols: alpn } : {}),
  };
}

/** Server side of mesh mTLS: a client certificate from the trust domain is required. */
export function downstreamMtls(n: TlsInput, peers: SanMatcher[] = meshPeers(n)): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPES.downstreamTls,
      common_tls_context: meshCommonTlsContext(n, peers, []),
      require_client_certificate: true,
    },
  };
}

/**
 * Client side of mesh mTLS. noResumption forces a full handshake (and so a full certificate
 * check) on every connection: used by the readiness self-check.
 */
export function upstreamMtls(n: TlsInput, opts: { peers?: SanMatcher[]; noResumption?: boolean } = {}): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPES.upstreamTls,
      common_tls_context: meshCommonTlsContext(n, opts.peers ?? meshPeers(n), [MESH_ALPN]),
      ...(opts.noResumption ? { max_session_keys: 0 } : {}),
    },
  };
}

/** HTTPS probes: TLS without verification, as the kubelet's own HTTPS probe does. */
export function upstreamTlsUnverified(): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPES.upstreamTls,
      common_tls_context: { tls_params: { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' } },
    },
  };
}
