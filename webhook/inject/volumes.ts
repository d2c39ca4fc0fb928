import type { V1Volume } from '@kubernetes/client-node';
import {
  CONFIG_VOLUME_NAME,
  CREDENTIAL_FILES,
  CREDENTIALS_VOLUME_NAME,
  FALLBACK_TRUST_CONFIGMAP,
  fallbackSecretName,
  PROXY_BOOTSTRAP_CONFIGMAP,
  RUNTIME_VOLUME_NAME,
} from '../config/names.js';
import type { CredentialsConfig } from '../config/types.js';

const CREDENTIALS_FILE_MODE = 0o444;

// The mounts are in templates/meshward-proxy.yaml: credentials at /var/run/meshward/credentials,
// the static bootstrap at /etc/meshward/proxy (config/names.ts).

/**
 * The workload's credentials: natively through podCertificate + clusterTrustBundle (the kubelet
 * makes the key, meshward's signer issues, the kubelet rotates), or the Secret fallback.
 *
 * Readable by every UID of the containers that mount the volume, and only the proxy mounts it (the
 * gate refuses any other mount in STRICT namespaces): the kubelet writes these files as root, and
 * the proxy runs as its own non-root UID in a pod whose other containers differ, so 0440 (group
 * root) would lock the proxy out of its own key. Where the pod sets fsGroup, the kubelet narrows the
 * files to owner and fsGroup itself.
 */
export function credentialsVolume(credentials: CredentialsConfig, serviceAccount: string): V1Volume {
  if (credentials.source === 'pod-certificate') {
    return {
      name: CREDENTIALS_VOLUME_NAME,
      projected: {
        defaultMode: CREDENTIALS_FILE_MODE,
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
      defaultMode: CREDENTIALS_FILE_MODE,
      sources: [
        { secret: { name: fallbackSecretName(serviceAccount), items: [{ key: CREDENTIAL_FILES.bundle, path: CREDENTIAL_FILES.bundle }] } },
        { configMap: { name: FALLBACK_TRUST_CONFIGMAP, items: [{ key: 'ca.crt', path: CREDENTIAL_FILES.trustBundle }] } },
      ],
    },
  };
}

/**
 * The proxy's static bootstrap and SDS files: the namespace's meshward-proxy ConfigMap
 * (webhook/proxy-bootstrap keeps it), the same for every pod. Read-only for everyone: nothing in
 * the pod writes it. Not optional: a proxy without its bootstrap must not start as if it had one.
 */
export function configVolume(): V1Volume {
  return { name: CONFIG_VOLUME_NAME, configMap: { name: PROXY_BOOTSTRAP_CONFIGMAP, defaultMode: 0o444 } };
}

/** Envoy's writable runtime directory (read-only root filesystem otherwise). */
export function runtimeVolume(): V1Volume {
  return { name: RUNTIME_VOLUME_NAME, emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } };
}
