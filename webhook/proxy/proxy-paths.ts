// Where the proxy finds its files inside the pod: the static bootstrap and the SDS files in the
// meshward-proxy ConfigMap (the meshward-config volume), and the credentials the kubelet projects.
// The static bootstrap and every TLS context the xDS server sends name the same SDS files, so
// Envoy keeps one subscription per secret.

import { CREDENTIAL_FILES, PROXY_CONFIG_DIR, PROXY_CREDENTIALS_DIR } from '../config/names.js';
import type { SdsPaths } from './sds-secrets.js';

export const PROXY_PATHS: SdsPaths = Object.freeze({
  credentialsDir: PROXY_CREDENTIALS_DIR,
  // Key and chain in one file (credential-bundle.pem), so a rotation never pairs a new key with an old certificate.
  credentialFiles: Object.freeze({
    certChain: CREDENTIAL_FILES.bundle,
    privateKey: CREDENTIAL_FILES.bundle,
    trustBundle: CREDENTIAL_FILES.trustBundle,
  }),
  sdsDir: PROXY_CONFIG_DIR,
});
