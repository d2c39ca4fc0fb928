import { parseArgs } from 'node:util';
import { isConflict, isNotFound, statusOf } from '../kube/errors.js';
import { SECRETS } from '../kube/resources.js';
import { fingerprint, PkiInputError } from '../pki/index.js';
import { initialCaState } from '../identity/ca/ca-bootstrap.js';
import {
  CLUSTER_FLAGS,
  clusterContext,
  NEW_CA_FLAGS,
  newCaFiles,
  type ClusterCaContext,
  type ClusterCaDeps,
} from './ca-cluster-context.js';
import { encodeCaSecret, rootsOf, type CaSecretState } from '../identity/ca/ca-secret.js';
import type { CommandIo } from './io.js';
import { syncTrustBundles } from '../identity/trust-bundles/trust-bundle-sync.js';

/** Publishes the trust bundle; a CLI user without `attest` is told the running signer will do it. */
export async function publishBundles(ctx: ClusterCaContext, state: CaSecretState, io: CommandIo): Promise<void> {
  try {
    const plan = await syncTrustBundles(ctx.api, ctx.signerName, state.trustBundlePem);
    for (const b of plan.create) io.stdout.write(`created ClusterTrustBundle ${b.metadata.name}\n`);
    for (const b of plan.update) io.stdout.write(`updated ClusterTrustBundle ${b.metadata.name}\n`);
    for (const n of plan.delete) io.stdout.write(`deleted ClusterTrustBundle ${n}\n`);
  } catch (err) {
    io.stderr.write(
      `note: could not update ClusterTrustBundles (HTTP ${statusOf(err) ?? '-'}: ${(err as Error).message.split('\n')[0]}); the running meshward signer publishes them\n`,
    );
  }
}

/** `meshward ca init --kubeconfig K [--from DIR] [--force]`: the CA Secret in meshward's namespace. */
export async function runInitCluster(args: string[], io: CommandIo, deps: ClusterCaDeps): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...CLUSTER_FLAGS, ...NEW_CA_FLAGS, force: { type: 'boolean', default: false } },
  });
  const ctx = clusterContext(values, deps);
  const { namespace, name } = ctx.ref;
  const existing = await ctx.api.get(SECRETS, namespace, name);
  if (existing && !values.force) {
    throw new PkiInputError(
      '--force',
      `Secret ${namespace}/${name} already holds a CA; use "meshward ca rotate" to replace it safely, or pass --force to overwrite it (pods then stop trusting certificates the old CA issued)`,
    );
  }
  const { files, source } = await newCaFiles(values, ctx.config.mesh.trustDomain, ctx.now);
  const state = initialCaState(files);
  const secret = encodeCaSecret(ctx.ref, state, existing);
  try {
    if (existing) await ctx.api.replace(SECRETS, secret);
    else await ctx.api.create(SECRETS, secret);
  } catch (err) {
    if (isNotFound(err)) throw new Error(`namespace ${namespace} does not exist; apply meshward's manifests first, or pass --namespace`);
    if (isConflict(err)) throw new Error(`Secret ${namespace}/${name} changed while writing; run the command again`);
    throw err;
  }
  io.stdout.write(
    `${existing ? 'replaced' : 'created'} Secret ${namespace}/${name} from ${source} (ca.crt, ca.key${files.chainPem ? ', chain.crt' : ''}, trust-bundle.crt)\n`,
  );
  io.stdout.write(`trust root sha256 fingerprint: ${fingerprint(rootsOf(files))}\n`);
  await publishBundles(ctx, state, io);
  return 0;
}
