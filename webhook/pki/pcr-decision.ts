import type { KeyType } from '../config/types.js';
import type { RandomBytes } from './cert-builder.js';
import { isPkiInputError } from './errors.js';
import { issueSvid } from './issue-svid.js';
import { describeKey } from './key-types.js';
import type { MeshCa } from './mesh-ca.js';
import type { PcrDecision, PodCertificateRequestLike } from './pcr-types.js';
import { parseStubPkcs10 } from './pkcs10.js';
import { validatePathSegment } from './spiffe-id.js';
import { MIN_LIFETIME_SECONDS } from './svid-validity.js';

export const DEFAULT_SIGNER_NAME = 'meshward.io/workload-identity';
/** meshward recognizes no userAnnotations yet; every key is denied until one is added here. */
export const KNOWN_USER_ANNOTATIONS: ReadonlySet<string> = new Set<string>();
/**
 * Backdate for PCR-issued leaves. The apiserver refuses status.notBefore more than 5 minutes away
 * from its own clock, so the general 300s default would fail whenever the status write lands late.
 */
export const PCR_BACKDATE_SECONDS = 60;

export interface PcrDecisionOptions {
  readonly ca: MeshCa;
  readonly trustDomain: string;
  readonly allowedKeyTypes: readonly KeyType[];
  /** Desired lifetime (default 86400); the PCR's maxExpirationSeconds caps it. */
  readonly ttlSeconds?: number;
  readonly now: Date;
  readonly signerName?: string;
  readonly knownUserAnnotations?: ReadonlySet<string>;
  readonly backdateSeconds?: number;
  /** credentials.refreshPercent: where in the lifetime the kubelet begins refreshing. */
  readonly refreshPercent?: number;
  readonly randomBytes?: RandomBytes;
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function denied(reason: Extract<PcrDecision, { type: 'Denied' }>['reason'], message: string): PcrDecision {
  return { type: 'Denied', reason, message };
}

function checkUserAnnotations(pcr: PodCertificateRequestLike, known: ReadonlySet<string>): PcrDecision | undefined {
  const keys = Object.keys(pcr.spec.unverifiedUserAnnotations ?? {});
  const unknown = keys.filter((k) => !known.has(k)).sort();
  if (unknown.length === 0) return undefined;
  const accepted = known.size === 0 ? 'meshward recognizes none' : `meshward recognizes ${[...known].sort().join(', ')}`;
  return denied(
    'InvalidUnverifiedUserAnnotations',
    `spec.unverifiedUserAnnotations: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')} (${accepted}); remove them from the pod's podCertificate userAnnotations`,
  );
}

/**
 * Decides a PodCertificateRequest without I/O: Issued (with the chain and the times to copy into
 * status), Denied (the request is unacceptable), Failed (the signer cannot issue), or Ignored
 * (another signer's request).
 */
export function decidePodCertificateRequest(pcr: PodCertificateRequestLike, opts: PcrDecisionOptions): PcrDecision {
  const signerName = opts.signerName ?? DEFAULT_SIGNER_NAME;
  const spec = pcr.spec;
  if (spec.signerName !== signerName) {
    return { type: 'Ignored', reason: 'OtherSigner', message: `spec.signerName is "${spec.signerName}", not "${signerName}"` };
  }
  try {
    validatePathSegment(pcr.metadata?.namespace, 'metadata.namespace');
    validatePathSegment(spec.serviceAccountName, 'spec.serviceAccountName');
  } catch (err) {
    return denied('InvalidRequest', (err as Error).message);
  }
  const annotations = checkUserAnnotations(pcr, opts.knownUserAnnotations ?? KNOWN_USER_ANNOTATIONS);
  if (annotations) return annotations;
  const max = spec.maxExpirationSeconds;
  if (max !== undefined && (!Number.isInteger(max) || max < MIN_LIFETIME_SECONDS)) {
    return denied('InvalidRequest', `spec.maxExpirationSeconds: ${String(max)} is below the API minimum of ${MIN_LIFETIME_SECONDS}`);
  }
  const ttl = opts.ttlSeconds ?? 86_400;
  if (!Number.isInteger(ttl) || ttl < MIN_LIFETIME_SECONDS) {
    return {
      type: 'Failed',
      reason: 'SignerMisconfigured',
      message: `signer ttlSeconds ${String(ttl)} is below 3600; fix credentials.maxExpirationSeconds`,
    };
  }
  const stub = typeof spec.stubPKCS10Request === 'string' ? spec.stubPKCS10Request.replace(/\s+/g, '') : '';
  if (stub.length === 0 || !B64.test(stub)) {
    return denied('InvalidStubPKCS10Request', 'spec.stubPKCS10Request: must be base64-encoded DER PKCS#10');
  }
  let parsed;
  try {
    parsed = parseStubPkcs10(Buffer.from(stub, 'base64'));
  } catch (err) {
    return denied('InvalidStubPKCS10Request', `spec.${(err as Error).message}`);
  }
  if (parsed.keyType === 'unsupported' || !opts.allowedKeyTypes.includes(parsed.keyType)) {
    const got = parsed.keyType === 'unsupported' ? describeKey(parsed.publicKey) : parsed.keyType;
    return denied(
      'UnsupportedKeyType',
      `key type ${got} is not accepted by signer ${signerName}; set the podCertificate keyType to one of ${opts.allowedKeyTypes.join(', ')}`,
    );
  }
  try {
    const svid = issueSvid({
      ca: opts.ca,
      subjectPublicKey: parsed.publicKey,
      trustDomain: opts.trustDomain,
      namespace: pcr.metadata.namespace,
      serviceAccount: spec.serviceAccountName,
      ttlSeconds: ttl,
      maxExpirationSeconds: max,
      now: opts.now,
      backdateSeconds: opts.backdateSeconds ?? PCR_BACKDATE_SECONDS,
      refreshPercent: opts.refreshPercent,
      randomBytes: opts.randomBytes,
    });
    const { certificateChainPem, notBefore, notAfter, beginRefreshAt, spiffeId } = svid;
    return { type: 'Issued', certificateChain: certificateChainPem, notBefore, notAfter, beginRefreshAt, spiffeId };
  } catch (err) {
    const field = isPkiInputError(err) ? err.field : '';
    if (field === 'ca') return { type: 'Failed', reason: 'CAExpiring', message: (err as Error).message };
    if (field === 'trustDomain') return { type: 'Failed', reason: 'SignerMisconfigured', message: `signer ${(err as Error).message}` };
    return { type: 'Failed', reason: 'SigningError', message: `signing failed: ${(err as Error).message}` };
  }
}
