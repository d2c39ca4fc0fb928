import { createHash } from 'node:crypto';
import type { MeshwardConfig } from '../config/types.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';
import { renderBootstrap, renderSdsSecrets } from '../proxy/bootstrap.js';
import type { ProbeRoute } from './probes.js';
import { CREDENTIAL_FILES, CREDENTIALS_DIR, PROXY_CONFIG_ANNOTATIONS } from './volumes.js';

export interface ProxyFilesInput {
  readonly config: MeshwardConfig;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly modes: WorkloadModes;
  readonly probes: readonly ProbeRoute[];
}

/** The proxy's bootstrap and SDS files as pod annotations (projected into files by the downward API). */
export function renderProxyFiles(input: ProxyFilesInput): { annotations: Record<string, string>; hash: string } {
  const bootstrapInput = {
    config: input.config,
    namespace: input.namespace,
    serviceAccount: input.serviceAccount,
    podName: input.podName,
    workloadMode: input.modes.workloadMode,
    ports: input.modes.ports.map((p) => ({ port: p.port, mode: p.mode })),
    probes: [...input.probes],
    credentialsDir: CREDENTIALS_DIR,
    credentialFiles: { certChain: CREDENTIAL_FILES.bundle, privateKey: CREDENTIAL_FILES.bundle, trustBundle: CREDENTIAL_FILES.trustBundle },
  };
  const bootstrap = JSON.stringify(renderBootstrap(bootstrapInput));
  const sds = renderSdsSecrets(bootstrapInput);
  const annotations: Record<string, string> = { [PROXY_CONFIG_ANNOTATIONS['envoy.json']]: bootstrap };
  annotations[PROXY_CONFIG_ANNOTATIONS['sds-workload.json']] = JSON.stringify(sds.workload);
  annotations[PROXY_CONFIG_ANNOTATIONS['sds-trust.json']] = JSON.stringify(sds.trust);
  const hash = createHash('sha256');
  for (const value of Object.values(annotations)) hash.update(value);
  return { annotations, hash: hash.digest('hex').slice(0, 16) };
}
