import type { MeshwardConfig } from '../config/types.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';
import { bootstrapHash, renderBootstrap, renderSdsSecrets, type BootstrapInput } from '../proxy/index.js';
import type { ProbeRoute } from './probes.js';
import { BOOTSTRAP_FILE, CREDENTIAL_FILES, CREDENTIALS_DIR, PODINFO_DIR, proxyFileAnnotation } from './volumes.js';

export interface ProxyFilesInput {
  readonly config: MeshwardConfig;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly podName: string;
  readonly modes: WorkloadModes;
  readonly probes: readonly ProbeRoute[];
}

/**
 * The proxy's bootstrap and SDS files as pod annotations, which the downward API projects into
 * files in PODINFO_DIR: the proxy config is part of the pod spec, visible and auditable.
 */
export function renderProxyFiles(input: ProxyFilesInput): { annotations: Record<string, string>; hash: string } {
  const bootstrapInput: BootstrapInput = {
    config: input.config,
    namespace: input.namespace,
    serviceAccount: input.serviceAccount,
    podName: input.podName,
    workloadMode: input.modes.workloadMode,
    ports: input.modes.ports.map((p) => ({ port: p.port, mode: p.mode })),
    probes: input.probes.map(({ grpcService, headers, ...probe }) => ({
      ...probe,
      ...(headers ? { headers: headers.map((h) => ({ ...h })) } : {}),
      ...(grpcService ? { service: grpcService } : {}),
    })),
    credentialsDir: CREDENTIALS_DIR,
    credentialFiles: { certChain: CREDENTIAL_FILES.bundle, privateKey: CREDENTIAL_FILES.bundle, trustBundle: CREDENTIAL_FILES.trustBundle },
    sdsDir: PODINFO_DIR,
  };
  const bootstrap = renderBootstrap(bootstrapInput);
  const annotations: Record<string, string> = { [proxyFileAnnotation(BOOTSTRAP_FILE)]: JSON.stringify(bootstrap) };
  for (const file of renderSdsSecrets(bootstrapInput)) annotations[proxyFileAnnotation(file.fileName)] = JSON.stringify(file.document);
  return { annotations, hash: bootstrapHash(bootstrap) };
}
