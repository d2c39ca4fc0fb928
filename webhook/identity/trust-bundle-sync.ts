import type { IdentityApi } from './identity-api.js';
import { desiredTrustBundles, planTrustBundles, type TrustBundlePlan } from './trust-bundle-plan.js';

/**
 * Makes the signer's ClusterTrustBundles match the trust bundle: creates first, then updates, then
 * deletes, so at no moment is a still-trusted root missing from the cluster. Needs `attest` on the
 * signer (and create/update/delete on clustertrustbundles). Returns what it changed.
 */
export async function syncTrustBundles(
  api: Pick<IdentityApi, 'listTrustBundles' | 'createTrustBundle' | 'replaceTrustBundle' | 'deleteTrustBundle'>,
  signerName: string,
  trustBundlePem: string,
): Promise<TrustBundlePlan> {
  const plan = planTrustBundles(desiredTrustBundles(signerName, trustBundlePem), await api.listTrustBundles(signerName));
  for (const bundle of plan.create) await api.createTrustBundle(bundle);
  for (const bundle of plan.update) await api.replaceTrustBundle(bundle);
  for (const name of plan.delete) await api.deleteTrustBundle(name);
  return plan;
}
