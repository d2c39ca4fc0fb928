import { buildClusterTrustBundle } from '../../pki/index.js';
import { certificateFingerprints, pemCertificates } from '../ca/ca-secret.js';
import { MANAGED_BY } from '../labels.js';
import type { ClusterTrustBundle } from '../../kube/types.js';

/** What to change so the signer's ClusterTrustBundles hold exactly the trusted roots. */
export interface TrustBundlePlan {
  readonly create: readonly ClusterTrustBundle[];
  readonly update: readonly ClusterTrustBundle[];
  /** Names of bundles we made for roots no longer trusted. */
  readonly delete: readonly string[];
}

/**
 * One signer-linked bundle per root, named `<signer with / → :>:root-<16 hex of its sha256>`: a
 * rotation adds a bundle and later deletes one, and never rewrites the bundle pods already use.
 * Pods select the bundles by signerName, so the kubelet merges them.
 */
export function desiredTrustBundles(signerName: string, trustBundlePem: string): ClusterTrustBundle[] {
  return pemCertificates(trustBundlePem).map((root) => {
    const [fp] = certificateFingerprints(root);
    return buildClusterTrustBundle({ signerName, roots: [root], suffix: `root-${(fp ?? '').slice(0, 16)}` }) as ClusterTrustBundle;
  });
}

function sameRoots(a: string, b: string): boolean {
  return certificateFingerprints(a).sort().join() === certificateFingerprints(b).sort().join();
}

function ours(bundle: ClusterTrustBundle): boolean {
  return Object.entries(MANAGED_BY).every(([k, v]) => bundle.metadata.labels?.[k] === v);
}

/** Pure: compares the desired bundles with those listed for the signer. Others' bundles are left alone. */
export function planTrustBundles(desired: readonly ClusterTrustBundle[], existing: readonly ClusterTrustBundle[]): TrustBundlePlan {
  const byName = new Map(existing.map((b) => [b.metadata.name, b]));
  const wanted = new Set(desired.map((b) => b.metadata.name));
  const create: ClusterTrustBundle[] = [];
  const update: ClusterTrustBundle[] = [];
  for (const want of desired) {
    const have = byName.get(want.metadata.name);
    if (!have) create.push(want);
    else if (!ours(have) || have.spec.signerName !== want.spec.signerName || !sameRoots(have.spec.trustBundle, want.spec.trustBundle)) {
      update.push({ ...want, metadata: { ...want.metadata, resourceVersion: have.metadata.resourceVersion } });
    }
  }
  const remove = existing.filter((b) => ours(b) && !wanted.has(b.metadata.name)).map((b) => b.metadata.name);
  return { create, update, delete: remove };
}

export function isEmptyPlan(plan: TrustBundlePlan): boolean {
  return plan.create.length + plan.update.length + plan.delete.length === 0;
}
