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

export interface ProxyFiles {
  readonly annotations: Record<string, string>;
  readonly hash: string;
}

// Rendering, serialising and hashing one pod's bootstrap (~25 KB of JSON) is most of an injection's
// CPU time (bench/RESULTS.md), and every replica of a workload renders the same files: they are a
// pure function of the input below, so the last MAX_CACHED results are kept, per config object.
const MAX_CACHED = 256;
const cache = new WeakMap<MeshwardConfig, Map<string, ProxyFiles>>();

function cacheKey(input: ProxyFilesInput): string {
  return JSON.stringify([input.namespace, input.serviceAccount, input.podName, input.modes.workloadMode, input.modes.ports.map((p) => [p.port, p.mode]), input.probes]);
}

/**
 * The proxy's bootstrap and SDS files as pod annotations, which the downward API projects into
 * files in PODINFO_DIR: the proxy config is part of the pod spec, visible and auditable.
 */
export function renderProxyFiles(input: ProxyFilesInput): { annotations: Record<string, string>; hash: string } {
  let entries = cache.get(input.config);
  if (!entries) cache.set(input.config, (entries = new Map()));
  const key = cacheKey(input);
  let files = entries.get(key);
  if (files) entries.delete(key); // re-inserted below: Map order is the LRU order
  else files = renderUncached(input);
  entries.set(key, files);
  if (entries.size > MAX_CACHED) entries.delete(entries.keys().next().value!);
  return { annotations: { ...files.annotations }, hash: files.hash };
}

function renderUncached(input: ProxyFilesInput): ProxyFiles {
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
