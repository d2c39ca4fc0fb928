// The Secret that holds the webhook's serving certificate (default meshward-webhook-tls in
// meshward's namespace), read into a state the planner decides on, and the pure edits each phase
// makes to it. Keys:
//   tls.crt, tls.key, ca.crt               what is served now, and the CA that issued it
//   pending.crt, pending.key, pending-ca.crt   the next certificate, staged while its CA enters
//                                          every caBundle (never served before that)
// Annotations: meshward.io/pending-trusted-at (every caBundle holds the pending CA since then),
// meshward.io/retire-after (older CAs may leave the caBundles after this instant).
// Type Opaque: kubernetes.io/tls would refuse a Secret that holds only a staged certificate.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { inspectCertificate } from '../../pki/cert-inspect.js';
import type { Secret } from '../../kube/types.js';
import { parseBundle, type BundleCert } from '../../pki/cert-bundle.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../labels.js';

export const SERVING_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  ca: 'ca.crt',
  pendingCert: 'pending.crt',
  pendingKey: 'pending.key',
  pendingCa: 'pending-ca.crt',
} as const;
export const ANNOTATION_PENDING_TRUSTED_AT = 'meshward.io/pending-trusted-at';
export const ANNOTATION_RETIRE_AFTER = 'meshward.io/retire-after';
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** A certificate, its key and its issuing CA, proven consistent. */
export interface ServingMaterial {
  /** The leaf (what tls.crt / pending.crt holds). */
  readonly certPem: string;
  /** PKCS#8 PEM. Secret: never log it. */
  readonly keyPem: string;
  readonly ca: BundleCert;
  readonly leaf: X509Certificate;
  readonly leafFingerprint: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ServingSecretState {
  readonly exists: boolean;
  readonly current?: ServingMaterial;
  /** Why tls.crt/tls.key/ca.crt are unusable (absent on first start). */
  readonly currentProblem?: string;
  readonly pending?: ServingMaterial;
  readonly pendingProblem?: string;
  readonly pendingTrustedAt?: Date;
  readonly retireAfter?: Date;
}

function decode(data: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Checks a cert/key/CA triple: the key matches, the CA issued the leaf. Never includes key text in a problem. */
export function readMaterial(
  certPem: string | undefined,
  keyPem: string | undefined,
  caPem: string | undefined,
  what: string,
): { material?: ServingMaterial; problem?: string } {
  if (certPem === undefined && keyPem === undefined && caPem === undefined) return { problem: `no ${what} certificate` };
  const [leafCert] = parseBundle(certPem);
  if (!leafCert) return { problem: `${what}: the certificate does not parse` };
  const [ca] = parseBundle(caPem);
  if (!ca) return { problem: `${what}: the CA certificate does not parse` };
  const leaf = new X509Certificate(leafCert.pem);
  const caCert = new X509Certificate(ca.pem);
  let keyOk = false;
  try {
    keyOk = leaf.checkPrivateKey(createPrivateKey(keyPem ?? ''));
  } catch {
    return { problem: `${what}: the private key does not parse` };
  }
  if (!keyOk) return { problem: `${what}: the private key does not match the certificate` };
  if (!caCert.ca || !leaf.checkIssued(caCert) || !leaf.verify(caCert.publicKey))
    return { problem: `${what}: the certificate was not issued by its CA` };
  const facts = inspectCertificate(leaf.raw);
  return {
    material: {
      certPem: leafCert.pem,
      keyPem: keyPem ?? '',
      ca,
      leaf,
      leafFingerprint: leafCert.fingerprint,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
    },
  };
}

/** The planner's view of the serving Secret (undefined = it does not exist yet). */
export function readServingSecret(secret: Secret | undefined): ServingSecretState {
  if (!secret) return { exists: false, currentProblem: 'no serving certificate yet' };
  const d = secret.data;
  const current = readMaterial(decode(d, SERVING_KEYS.cert), decode(d, SERVING_KEYS.key), decode(d, SERVING_KEYS.ca), 'tls.crt');
  const hasPending = [SERVING_KEYS.pendingCert, SERVING_KEYS.pendingKey, SERVING_KEYS.pendingCa].some((k) => d?.[k] !== undefined);
  const pending = hasPending
    ? readMaterial(
        decode(d, SERVING_KEYS.pendingCert),
        decode(d, SERVING_KEYS.pendingKey),
        decode(d, SERVING_KEYS.pendingCa),
        'pending.crt',
      )
    : {};
  const a = secret.metadata.annotations ?? {};
  return {
    exists: true,
    current: current.material,
    currentProblem: current.problem,
    pending: pending.material,
    pendingProblem: pending.problem,
    pendingTrustedAt: parseDate(a[ANNOTATION_PENDING_TRUSTED_AT]),
    retireAfter: parseDate(a[ANNOTATION_RETIRE_AFTER]),
  };
}

export interface StagedMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

function withChanges(
  base: Secret | undefined,
  ref: { namespace: string; name: string },
  data: Record<string, string | undefined>,
  annotations: Record<string, string | undefined>,
): Secret {
  const nextData: Record<string, string> = { ...(base?.data ?? {}) };
  for (const [k, v] of Object.entries(data)) {
    if (v === undefined) delete nextData[k];
    else nextData[k] = v;
  }
  const nextAnnotations: Record<string, string> = { ...(base?.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(annotations)) {
    if (v === undefined) delete nextAnnotations[k];
    else nextAnnotations[k] = v;
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...(base?.metadata ?? {}),
      name: ref.name,
      namespace: ref.namespace,
      labels: { ...(base?.metadata.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [COMPONENT_LABEL]: 'webhook-serving-certificate' },
      annotations: nextAnnotations,
    },
    type: base?.type ?? 'Opaque',
    data: nextData,
  };
}

/** Phase (a) begins: the next certificate is stored as pending (not served), its trust clock cleared. */
export function stagedSecret(base: Secret | undefined, ref: { namespace: string; name: string }, staged: StagedMaterial): Secret {
  return withChanges(
    base,
    ref,
    {
      [SERVING_KEYS.pendingCert]: encode(staged.certPem),
      [SERVING_KEYS.pendingKey]: encode(staged.keyPem),
      [SERVING_KEYS.pendingCa]: encode(staged.caPem),
    },
    { [ANNOTATION_PENDING_TRUSTED_AT]: undefined },
  );
}

/** Every caBundle holds the pending CA as of `at`. */
export function trustedSecret(base: Secret, ref: { namespace: string; name: string }, at: Date): Secret {
  return withChanges(base, ref, {}, { [ANNOTATION_PENDING_TRUSTED_AT]: at.toISOString() });
}

/** Phase (b): pending becomes current; older CAs stay trusted until `retireAfter` (phase c). */
export function promotedSecret(base: Secret, ref: { namespace: string; name: string }, retireAfter: Date): Secret {
  const d = base.data ?? {};
  return withChanges(
    base,
    ref,
    {
      [SERVING_KEYS.cert]: d[SERVING_KEYS.pendingCert],
      [SERVING_KEYS.key]: d[SERVING_KEYS.pendingKey],
      [SERVING_KEYS.ca]: d[SERVING_KEYS.pendingCa],
      [SERVING_KEYS.pendingCert]: undefined,
      [SERVING_KEYS.pendingKey]: undefined,
      [SERVING_KEYS.pendingCa]: undefined,
    },
    { [ANNOTATION_PENDING_TRUSTED_AT]: undefined, [ANNOTATION_RETIRE_AFTER]: retireAfter.toISOString() },
  );
}
