import type { V1Volume } from '@kubernetes/client-node';
import {
  CONFIG_VOLUME_NAME,
  CREDENTIAL_FILES,
  CREDENTIALS_VOLUME_NAME,
  FALLBACK_TRUST_CONFIGMAP,
  fallbackSecretName,
  RUNTIME_VOLUME_NAME,
} from '../config/names.js';
import type { CredentialsConfig } from '../config/types.js';

/** Where the proxy finds its credentials (the mount is in templates/meshward-proxy.yaml). */
export const CREDENTIALS_DIR = '/var/run/meshward/credentials';
/** The proxy's config files (bootstrap + SDS), written there by meshward-init (proxy-config-env.ts). */
export const PROXY_CONFIG_DIR = '/etc/meshward/proxy';
export const BOOTSTRAP_FILE = 'envoy.json';

/**
 * The workload's credentials: natively through podCertificate + clusterTrustBundle (the kubelet
 * makes the key, meshward's signer issues, the kubelet rotates), or the Secret fallback.
 */
export function credentialsVolume(credentials: CredentialsConfig, serviceAccount: string): V1Volume {
  if (credentials.source === 'pod-certificate') {
    return {
      name: CREDENTIALS_VOLUME_NAME,
      projected: {
        defaultMode: 0o440,
        sources: [
          {
            podCertificate: {
              signerName: credentials.signerName,
              keyType: credentials.keyType,
              maxExpirationSeconds: credentials.maxExpirationSeconds,
              credentialBundlePath: CREDENTIAL_FILES.bundle,
            },
          },
          { clusterTrustBundle: { signerName: credentials.signerName, labelSelector: {}, path: CREDENTIAL_FILES.trustBundle } },
        ],
      },
    } as V1Volume;
  }
  return {
    name: CREDENTIALS_VOLUME_NAME,
    projected: {
      defaultMode: 0o440,
      sources: [
        { secret: { name: fallbackSecretName(serviceAccount), items: [{ key: CREDENTIAL_FILES.bundle, path: CREDENTIAL_FILES.bundle }] } },
        { configMap: { name: FALLBACK_TRUST_CONFIGMAP, items: [{ key: 'ca.crt', path: CREDENTIAL_FILES.trustBundle }] } },
      ],
    },
  };
}

/** The proxy's config files: written by meshward-init, read-only in the proxy. */
export function configVolume(): V1Volume {
  return { name: CONFIG_VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };
}

/** Envoy's writable runtime directory (read-only root filesystem otherwise). */
export function runtimeVolume(): V1Volume {
  return { name: RUNTIME_VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } };
}
