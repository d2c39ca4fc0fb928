import { buildConfig, ConfigError, readConfigFile } from '../config/load.js';
import { KEY_TYPES, type KeyType, type MeshwardConfig } from '../config/types.js';
import { loadKubeConfig } from '../kube/kube-client.js';
import { caFilesOf, createRootCa, isPkiInputError, PkiInputError, readCaDir, type CaFiles, type CaPemPair } from '../pki/index.js';
import type { SecretRef } from '../identity/ca/ca-secret.js';
import type { KubeApi } from '../kube/api.js';
import { kubeApi } from '../kube/client-api.js';

/** The calls `meshward ca init|rotate` make: the CA Secret and the ClusterTrustBundles. */
export type ClusterCaApi = Pick<KubeApi, 'get' | 'list' | 'create' | 'replace' | 'delete'>;

/** What `meshward ca init|rotate` run against a cluster share. */
export interface ClusterCaContext {
  readonly config: MeshwardConfig;
  readonly api: ClusterCaApi;
  readonly ref: SecretRef;
  readonly signerName: string;
  readonly now: Date;
}

export interface ClusterCaDeps {
  readonly now?: () => Date;
  /** Replaces the client-node API built from --kubeconfig (tests). */
  readonly api?: ClusterCaApi;
  /** Default process.env (MESHWARD_* config variables). */
  readonly env?: Record<string, string | undefined>;
}

/** Flags every cluster-mode ca subcommand takes (node:util parseArgs options). */
export const CLUSTER_FLAGS = {
  kubeconfig: { type: 'string' },
  config: { type: 'string' },
  namespace: { type: 'string' },
  secret: { type: 'string' },
} as const;

/** Flags that shape a newly made CA. */
export const NEW_CA_FLAGS = {
  from: { type: 'string' },
  'key-type': { type: 'string' },
  'trust-domain': { type: 'string' },
  'common-name': { type: 'string' },
  'validity-days': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

/** The config (file from --config, then MESHWARD_* env), the API and the Secret the command works on. */
export function clusterContext(values: Values, deps: ClusterCaDeps): ClusterCaContext {
  let config: MeshwardConfig;
  try {
    const file = typeof values.config === 'string' ? values.config : undefined;
    config = buildConfig({ file: file ? readConfigFile(file) : undefined, fileName: file, env: deps.env ?? process.env });
  } catch (err) {
    if (err instanceof ConfigError) throw new PkiInputError('--config', err.message);
    throw err;
  }
  const namespace = typeof values.namespace === 'string' ? values.namespace : config.mesh.namespace;
  const name = typeof values.secret === 'string' ? values.secret : config.identity.caSecretName;
  const api = deps.api ?? kubeApi(loadKubeConfig(typeof values.kubeconfig === 'string' ? values.kubeconfig : ''));
  return { config, api, ref: { namespace, name }, signerName: config.credentials.signerName, now: (deps.now ?? (() => new Date()))() };
}

function keyTypeOf(value: unknown): KeyType {
  const v = typeof value === 'string' ? value : 'ECDSAP256';
  if (!(KEY_TYPES as readonly string[]).includes(v)) throw new PkiInputError('--key-type', `"${v}" is not one of ${KEY_TYPES.join(', ')}`);
  return v as KeyType;
}

/**
 * The CA to store: the user's CA directory as it is (--from DIR: an intermediate from their own CA,
 * with chain.crt up to the root, or a root), or a new meshward root.
 */
export async function newCaFiles(values: Values, trustDomain: string, now: Date): Promise<{ files: CaFiles; source: string }> {
  const from = values.from;
  if (typeof from === 'string') {
    try {
      return { files: caFilesOf(await readCaDir(from, now)), source: `the CA in ${from}` };
    } catch (err) {
      if (isPkiInputError(err)) throw new PkiInputError('--from', `${from}: ${err.message}`);
      throw err;
    }
  }
  const days = values['validity-days'] === undefined ? undefined : Number(values['validity-days']);
  const td = typeof values['trust-domain'] === 'string' ? values['trust-domain'] : trustDomain;
  const commonName = typeof values['common-name'] === 'string' ? values['common-name'] : undefined;
  try {
    const pair: CaPemPair = createRootCa({ keyType: keyTypeOf(values['key-type']), trustDomain: td, commonName, validityDays: days, now });
    return { files: { ...pair, chainPem: '' }, source: 'a new self-signed root' };
  } catch (err) {
    if (isPkiInputError(err) && err.field === 'validityDays')
      throw new PkiInputError('--validity-days', err.message.slice('validityDays: '.length));
    if (isPkiInputError(err) && err.field === 'trustDomain')
      throw new PkiInputError('--trust-domain', err.message.slice('trustDomain: '.length));
    throw err;
  }
}
