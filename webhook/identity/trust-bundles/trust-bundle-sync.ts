// The trust-bundle controller: applies planTrustBundles (pure) to the cluster.
import type { KubeApi } from '../../kube/api.js';
import { CLUSTER_TRUST_BUNDLES } from '../../kube/resources.js';
import type { ClusterTrustBundle } from '../../kube/types.js';
import { desiredTrustBundles, planTrustBundles, type TrustBundlePlan } from './trust-bundle-plan.js';

/**
 * Makes the signer's ClusterTrustBundles match the trust bundle: creates first, then updates, then
 * deletes, so at no moment is a still-trusted root missing from the cluster. Needs `attest` on the
 * signer (and create/update/delete on clustertrustbundles). Returns what it changed.
 */
export async function syncTrustBundles(
  api: Pick<KubeApi, 'list' | 'create' | 'replace' | 'delete'>,
  signerName: string,
  trustBundlePem: string,
): Promise<TrustBundlePlan> {
  const plan = planTrustBundles(desiredTrustBundles(signerName, trustBundlePem), await listTrustBundles(api, signerName));
  for (const bundle of plan.create) await api.create(CLUSTER_TRUST_BUNDLES, bundle);
  for (const bundle of plan.update) await api.replace(CLUSTER_TRUST_BUNDLES, bundle);
  for (const name of plan.delete) await api.delete(CLUSTER_TRUST_BUNDLES, undefined, name);
  return plan;
}

/** The ClusterTrustBundles linked to the signer (field selector spec.signerName). */
export async function listTrustBundles(api: Pick<KubeApi, 'list'>, signerName: string): Promise<ClusterTrustBundle[]> {
  return (await api.list(CLUSTER_TRUST_BUNDLES, { fieldSelector: `spec.signerName=${signerName}` })).items;
}
