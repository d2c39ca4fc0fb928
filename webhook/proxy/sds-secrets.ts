// File-based SDS: the proxy reads its workload certificate and the mesh trust bundle from two
// small DiscoveryResponse files, which point at the PEM files the kubelet projects. Envoy watches
// the directories (watched_directory), so the kubelet's atomic ..data symlink swap on rotation is
// picked up without a restart; inline (static) certificates would never be reloaded.

import { posix } from 'node:path';
import type { BootstrapInput, NormalizedInput } from './bootstrap-input.js';
import { normalizeInput } from './bootstrap-input.js';
import { TYPES, type Json } from './envoy-fragments.js';

export const SDS_SECRET_NAMES = { certificate: 'workload-certificate', trustBundle: 'mesh-trust-bundle' } as const;
export const SDS_FILE_NAMES = { certificate: 'sds-workload-certificate.json', trustBundle: 'sds-mesh-trust-bundle.json' } as const;

export interface SdsFile {
  /** File name inside sdsDir (default: the credentials directory). */
  fileName: string;
  /** Absolute path the bootstrap refers to. */
  path: string;
  /** The JSON document to write there. */
  document: Json;
}

/** The two SDS resource files the bootstrap's sds_config entries read. */
export function renderSdsSecrets(input: BootstrapInput): SdsFile[] {
  return sdsFiles(normalizeInput(input));
}

/** Where the credentials and the SDS files are: all the SDS files depend on. */
export type SdsPaths = Pick<NormalizedInput, 'credentialsDir' | 'credentialFiles' | 'sdsDir'>;

export function sdsFiles(n: SdsPaths): SdsFile[] {
  const dir = n.credentialsDir;
  const file = (name: string): Json => ({ filename: posix.join(dir, name) });
  const certificate = {
    '@type': TYPES.secret,
    name: SDS_SECRET_NAMES.certificate,
    tls_certificate: {
      certificate_chain: file(n.credentialFiles.certChain),
      private_key: file(n.credentialFiles.privateKey),
      // Chain and key are re-read together when the directory changes (no torn pair).
      watched_directory: { path: dir },
    },
  };
  const trustBundle = {
    '@type': TYPES.secret,
    name: SDS_SECRET_NAMES.trustBundle,
    validation_context: { trusted_ca: file(n.credentialFiles.trustBundle), watched_directory: { path: dir } },
  };
  return [
    {
      fileName: SDS_FILE_NAMES.certificate,
      path: posix.join(n.sdsDir, SDS_FILE_NAMES.certificate),
      document: { resources: [certificate] },
    },
    {
      fileName: SDS_FILE_NAMES.trustBundle,
      path: posix.join(n.sdsDir, SDS_FILE_NAMES.trustBundle),
      document: { resources: [trustBundle] },
    },
  ];
}

/** An sds_secret_config entry reading one of the files above. */
export function sdsSecretConfig(n: Pick<NormalizedInput, 'sdsDir'>, which: keyof typeof SDS_SECRET_NAMES): Json {
  return {
    name: SDS_SECRET_NAMES[which],
    sds_config: {
      path_config_source: { path: posix.join(n.sdsDir, SDS_FILE_NAMES[which]), watched_directory: { path: n.sdsDir } },
      resource_api_version: 'V3',
    },
  };
}
