// The proxy's side of the connection to the xDS server: mesh mTLS with the pod's own SVID, and
// exactly one acceptable server identity, meshward's own ServiceAccount. Any other workload of the
// mesh holds a certificate that chains to the same roots, so the SPIFFE ID is what keeps one from
// posing as the control plane and handing proxies a plaintext configuration.

import type { MeshwardConfig } from '../config/types.js';
import { TYPES, type Json } from './envoy-fragments.js';
import { PROXY_PATHS } from './proxy-paths.js';
import { sdsSecretConfig } from './sds-secrets.js';
import { tlsParams } from './tls-contexts.js';

/** spiffe://<trust domain>/ns/<mesh.namespace>/sa/<controlPlane.serviceAccount> */
export function controlPlaneSpiffeId(config: MeshwardConfig): string {
  return `spiffe://${config.mesh.trustDomain}/ns/${config.mesh.namespace}/sa/${config.controlPlane.serviceAccount}`;
}

/** controlPlane.address split into the host (DNS name or IP) and the port. */
export function controlPlaneEndpoint(config: MeshwardConfig): { host: string; port: number } {
  const at = config.controlPlane.address.lastIndexOf(':');
  return { host: config.controlPlane.address.slice(0, at), port: Number(config.controlPlane.address.slice(at + 1)) };
}

export function xdsClusterTls(config: MeshwardConfig): Json {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPES.upstreamTls,
      sni: controlPlaneEndpoint(config).host,
      common_tls_context: {
        tls_params: tlsParams({ config }),
        tls_certificate_sds_secret_configs: [sdsSecretConfig(PROXY_PATHS, 'certificate')],
        combined_validation_context: {
          default_validation_context: {
            match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: controlPlaneSpiffeId(config) } }],
          },
          validation_context_sds_secret_config: sdsSecretConfig(PROXY_PATHS, 'trustBundle'),
        },
        // gRPC servers accept only HTTP/2 negotiated by ALPN.
        alpn_protocols: ['h2'],
      },
    },
  };
}
