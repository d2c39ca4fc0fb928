// The Secret fallback's objects: one Secret per ServiceAccount (meshward-identity-<sa>, key
// credential-bundle.pem = PKCS#8 key, leaf, intermediates) and one ConfigMap per meshed namespace
// (meshward-trust-bundle, key ca.crt). Pure reads (what is there, is it still good) and pure
// builders (what to write). Both carry app.kubernetes.io/managed-by=meshward; nothing without
// that label is ever written over.
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { CREDENTIAL_FILES, FALLBACK_TRUST_CONFIGMAP, fallbackSecretName } from '../../config/names.js';
import { inspectCertificate } from '../../pki/cert-inspect.js';
import type { IssuedSvid } from '../../pki/index.js';
import { parseBundle } from '../../pki/cert-bundle.js';
import type { ConfigMap, Secret } from '../../kube/types.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../labels.js';

export const FALLBACK_COMPONENT = 'workload-identity';
export const FALLBACK_LABELS: Readonly<Record<string, string>> = {
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  'app.kubernetes.io/component': FALLBACK_COMPONENT,
};
/** Label selector for every object the fallback created. */
export const FALLBACK_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},app.kubernetes.io/component=${FALLBACK_COMPONENT}`;
export const ANNOTATIONS = {
  serviceAccount: 'meshward.io/service-account',
  spiffeId: 'meshward.io/spiffe-id',
  expiry: 'meshward.io/expiry',
  refreshAt: 'meshward.io/refresh-at',
  fingerprint: 'meshward.io/fingerprint',
} as const;
const MAX_NAME = 253;

export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What an existing identity Secret holds, checked against the CA that signs now. */
export interface IdentitySecretState {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion?: string;
  readonly managed: boolean;
  /** Present when the bundle is usable: key matches leaf, leaf issued by the signing CA. */
  readonly leaf?: {
    readonly spiffeId: string | undefined;
    readonly notBefore: Date;
    readonly notAfter: Date;
    readonly fingerprint: string;
  };
  /** Why the bundle is not usable (never contains key material). */
  readonly problem?: string;
}

export interface TrustConfigMapState {
  readonly namespace: string;
  readonly resourceVersion?: string;
  readonly managed: boolean;
  readonly caPem: string;
}

function isManaged(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** The Secret name for a ServiceAccount, or undefined when it would exceed 253 characters. */
export function identitySecretName(serviceAccount: string): string | undefined {
  const name = fallbackSecretName(serviceAccount);
  return name.length > MAX_NAME ? undefined : name;
}

/** Reads credential-bundle.pem: PRIVATE KEY first, then the leaf, then intermediates. */
export function readIdentitySecret(secret: Secret, signingCa: X509Certificate): IdentitySecretState {
  const base = {
    namespace: secret.metadata.namespace ?? '',
    name: secret.metadata.name,
    resourceVersion: secret.metadata.resourceVersion,
    managed: isManaged(secret.metadata.labels),
  };
  const raw = secret.data?.[CREDENTIAL_FILES.bundle];
  if (raw === undefined) return { ...base, problem: `no ${CREDENTIAL_FILES.bundle}` };
  const pem = Buffer.from(raw, 'base64').toString('utf8');
  const keyBlock = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(pem)?.[0];
  const [leafCert] = parseBundle(pem);
  if (!keyBlock || !leafCert || pem.indexOf('-----BEGIN PRIVATE KEY-----') > pem.indexOf('-----BEGIN CERTIFICATE-----')) {
    return { ...base, problem: 'the bundle is not a PKCS#8 PRIVATE KEY followed by certificates' };
  }
  const leaf = new X509Certificate(leafCert.pem);
  let keyMatches = false;
  try {
    keyMatches = leaf.checkPrivateKey(createPrivateKey(keyBlock));
  } catch {
    return { ...base, problem: 'the private key does not parse' };
  }
  if (!keyMatches) return { ...base, problem: 'the private key does not match the certificate' };
  if (!leaf.checkIssued(signingCa) || !leaf.verify(signingCa.publicKey))
    return { ...base, problem: 'the certificate was not issued by the current mesh CA' };
  const facts = inspectCertificate(leaf.raw);
  const spiffeId = facts.uris.length === 1 ? facts.uris[0] : undefined;
  return { ...base, leaf: { spiffeId, notBefore: facts.notBefore, notAfter: facts.notAfter, fingerprint: leafCert.fingerprint } };
}

export function readTrustConfigMap(cm: ConfigMap): TrustConfigMapState {
  return {
    namespace: cm.metadata.namespace ?? '',
    resourceVersion: cm.metadata.resourceVersion,
    managed: isManaged(cm.metadata.labels),
    caPem: cm.data?.[CREDENTIAL_FILES.trustBundle] ?? '',
  };
}

/** Half-life: when the fallback re-issues (the kubelet then needs up to a sync period to project it). */
export function refreshAt(notBefore: Date, notAfter: Date): Date {
  return new Date(notBefore.getTime() + Math.floor((notAfter.getTime() - notBefore.getTime()) / 2));
}

/** The identity Secret for `sa`: owned by the ServiceAccount, so deleting the account deletes it. */
export function identitySecretBody(sa: ServiceAccountRef, bundlePem: string, svid: IssuedSvid, resourceVersion?: string): Secret {
  const leafFp = createHash('sha256').update(new X509Certificate(svid.leafPem).raw).digest('hex');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: fallbackSecretName(sa.name),
      namespace: sa.namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { ...FALLBACK_LABELS },
      annotations: {
        [ANNOTATIONS.serviceAccount]: sa.name,
        [ANNOTATIONS.spiffeId]: svid.spiffeId,
        [ANNOTATIONS.expiry]: svid.notAfter.toISOString(),
        [ANNOTATIONS.refreshAt]: refreshAt(svid.notBefore, svid.notAfter).toISOString(),
        [ANNOTATIONS.fingerprint]: leafFp,
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'ServiceAccount', name: sa.name, uid: sa.uid }],
    },
    type: 'Opaque',
    data: { [CREDENTIAL_FILES.bundle]: Buffer.from(bundlePem, 'utf8').toString('base64') },
  };
}

export function trustConfigMapBody(namespace: string, trustBundlePem: string, resourceVersion?: string): ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: FALLBACK_TRUST_CONFIGMAP,
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: { ...FALLBACK_LABELS },
      annotations: { [ANNOTATIONS.fingerprint]: createHash('sha256').update(trustBundlePem).digest('hex') },
    },
    data: { [CREDENTIAL_FILES.trustBundle]: trustBundlePem },
  };
}
