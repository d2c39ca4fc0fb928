import type { V1Pod } from '@kubernetes/client-node';
import type { MeshwardConfig } from '../config/types.js';
import type { WorkloadModes } from '../policy/resolve-modes.js';
import { bootstrapHash, renderBootstrap, renderSdsSecrets, type BootstrapInput } from '../proxy/index.js';
import type { ProbeRoute } from './probes.js';
import { packProxyConfig } from './proxy-config-env.js';
import { RenderCache } from './render-cache.js';
import { sameJson } from '../json/same-json.js';
import { CREDENTIAL_FILES } from '../config/names.js';
import { BOOTSTRAP_FILE, CREDENTIALS_DIR, PROXY_CONFIG_DIR } from './volumes.js';

export interface ProxyFilesInput {
  readonly config: MeshwardConfig;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly modes: WorkloadModes;
  readonly probes: readonly ProbeRoute[];
}

export interface ProxyFiles {
  /** meshward-init's env entries that carry the files (proxy-config-env.ts). */
  readonly env: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** The bootstrap's fingerprint (status annotation). */
  readonly hash: string;
}

// Rendering, serialising, compressing and hashing one pod's bootstrap (~16 KB of JSON) would be
// most of an injection's CPU time (bench/RESULTS.md), and every replica of a workload renders the
// same files: they are a pure function of the input below. The probe routes, often most of that
// input, are compared as values rather than serialised and hashed into the key on every admission.
interface Rendered {
  readonly probes: readonly ProbeRoute[];
  readonly files: ProxyFiles;
}
// At most 128 × 4 renders are kept (~5 KB each, with their containers).
const cache = new RenderCache<Rendered[]>(128);
const VARIANTS_PER_KEY = 4;

/**
 * The proxy's bootstrap and SDS files, packed into meshward-init's env: meshward-init writes them
 * to PROXY_CONFIG_DIR, where the proxy reads them. The returned object is shared: do not mutate it.
 */
export function renderProxyFiles(input: ProxyFilesInput): ProxyFiles {
  // Names come from the pod, unvalidated at this point: quoted, so no two inputs share a key.
  let key = `${JSON.stringify(input.namespace)}${JSON.stringify(input.serviceAccount)}${JSON.stringify(input.modes.workloadMode)}`;
  for (const p of input.modes.ports) key += `${JSON.stringify(p.port)}${JSON.stringify(p.mode)}`;
  const variants = cache.get(input.config, key, () => [])!;
  for (const v of variants) if (sameJson(v.probes, input.probes)) return v.files;
  const files = renderUncached(input);
  if (variants.unshift({ probes: structuredClone(input.probes), files }) > VARIANTS_PER_KEY) variants.pop();
  return files;
}

/**
 * The files for this pod, as the injector renders them: identity from its namespace and
 * ServiceAccount. The pod's name is left out (the proxy's --service-node names it at run time),
 * so every replica of a workload, generateName or not, gets the same files.
 */
export function renderPodProxyFiles(pod: V1Pod, config: MeshwardConfig, modes: WorkloadModes, probes: readonly ProbeRoute[]): ProxyFiles {
  return renderProxyFiles({
    config,
    namespace: pod.metadata?.namespace ?? 'default',
    serviceAccount: pod.spec?.serviceAccountName || 'default',
    modes,
    probes,
  });
}

function renderUncached(input: ProxyFilesInput): ProxyFiles {
  const bootstrapInput: BootstrapInput = {
    config: input.config,
    namespace: input.namespace,
    serviceAccount: input.serviceAccount,
    workloadMode: input.modes.workloadMode,
    ports: input.modes.ports.map((p) => ({ port: p.port, mode: p.mode })),
    probes: input.probes.map(({ grpcService, headers, ...probe }) => ({
      ...probe,
      ...(headers ? { headers: headers.map((h) => ({ ...h })) } : {}),
      ...(grpcService ? { service: grpcService } : {}),
    })),
    credentialsDir: CREDENTIALS_DIR,
    credentialFiles: { certChain: CREDENTIAL_FILES.bundle, privateKey: CREDENTIAL_FILES.bundle, trustBundle: CREDENTIAL_FILES.trustBundle },
    sdsDir: PROXY_CONFIG_DIR,
  };
  const bootstrap = renderBootstrap(bootstrapInput);
  const files = [
    { name: BOOTSTRAP_FILE, text: JSON.stringify(bootstrap) },
    ...renderSdsSecrets(bootstrapInput).map((f) => ({ name: f.fileName, text: JSON.stringify(f.document) })),
  ];
  return Object.freeze({
    env: Object.freeze(packProxyConfig(files, PROXY_CONFIG_DIR).map((e) => Object.freeze(e))),
    hash: bootstrapHash(bootstrap),
  });
}
