import { createHash, X509Certificate } from 'node:crypto';
import { PkiInputError } from './errors.js';
import { certificatesToPem, splitPemCertificates } from './pem.js';

export const CLUSTER_TRUST_BUNDLE_API_VERSION = 'certificates.k8s.io/v1';

/** certificates.k8s.io/v1 ClusterTrustBundle (GA in Kubernetes 1.37). */
export interface ClusterTrustBundle {
  readonly apiVersion: typeof CLUSTER_TRUST_BUNDLE_API_VERSION;
  readonly kind: 'ClusterTrustBundle';
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: { readonly signerName: string; readonly trustBundle: string };
}

const SIGNER = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** sha256 over the certificate's DER, lowercase hex: the status annotation's trust-root fingerprint. */
export function fingerprint(certPem: string): string {
  const [der] = splitPemCertificates(certPem, 'certPem');
  if (!der) throw new PkiInputError('certPem', 'contains no CERTIFICATE block');
  return createHash('sha256').update(der).digest('hex');
}

/**
 * Signer-linked bundle name: the signer name with "/" replaced by ":", then ":" and a suffix that
 * must be a DNS subdomain (upstream ValidateClusterTrustBundleName).
 */
export function clusterTrustBundleName(signerName: string, suffix: string): string {
  if (!SIGNER.test(signerName))
    throw new PkiInputError('signerName', `"${signerName}" must look like "<domain>/<name>", e.g. "meshward.io/workload-identity"`);
  if (suffix.length === 0 || suffix.length > 253 || !DNS_SUBDOMAIN.test(suffix)) {
    throw new PkiInputError(
      'suffix',
      `"${suffix}" must be a DNS subdomain: lowercase letters, digits, "-" and ".", starting and ending alphanumeric`,
    );
  }
  return `${signerName.replaceAll('/', ':')}:${suffix}`;
}

export interface BuildClusterTrustBundleInput {
  readonly signerName: string;
  /** PEM text per root; each may hold several certificates. */
  readonly roots: readonly string[];
  /** Default: "roots-" + the first 16 hex digits of the bundle's sha256, so a new root set gets a new object. */
  readonly suffix?: string;
}

/** A ClusterTrustBundle holding the CA roots, de-duplicated, in the order given. */
export function buildClusterTrustBundle(input: BuildClusterTrustBundleInput): ClusterTrustBundle {
  const seen = new Set<string>();
  const ders: Buffer[] = [];
  input.roots.forEach((pem, i) => {
    for (const der of splitPemCertificates(pem, `roots[${i}]`)) {
      if (!new X509Certificate(der).ca)
        throw new PkiInputError(`roots[${i}]`, 'is not a CA certificate; a trust bundle holds CA roots only');
      const fp = createHash('sha256').update(der).digest('hex');
      if (!seen.has(fp)) ders.push(der);
      seen.add(fp);
    }
  });
  if (ders.length === 0) throw new PkiInputError('roots', 'must contain at least one CA certificate');
  const trustBundle = certificatesToPem(ders);
  const suffix = input.suffix ?? `roots-${createHash('sha256').update(trustBundle).digest('hex').slice(0, 16)}`;
  return {
    apiVersion: CLUSTER_TRUST_BUNDLE_API_VERSION,
    kind: 'ClusterTrustBundle',
    metadata: { name: clusterTrustBundleName(input.signerName, suffix), labels: { 'app.kubernetes.io/managed-by': 'meshward' } },
    spec: { signerName: input.signerName, trustBundle },
  };
}
