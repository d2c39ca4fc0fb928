import type { KeyType } from '../../config/types.js';
import { buildPcrStatus, decidePodCertificateRequest, type MeshCa, type PcrDecision, type PcrOutcome } from '../../pki/index.js';
import type { PodCertificateRequest } from '../../kube/types.js';

export interface SignerPolicy {
  readonly signerName: string;
  readonly trustDomain: string;
  readonly allowedKeyTypes: readonly KeyType[];
  /** credentials.maxExpirationSeconds: the lifetime we issue (the PCR's own maximum still caps it). */
  readonly ttlSeconds: number;
  /** credentials.refreshPercent: where in the lifetime the kubelet begins refreshing. */
  readonly refreshPercent?: number;
}

/**
 * decidePodCertificateRequest with our policy, where anything thrown (a bug, a CA object gone bad)
 * becomes Failed rather than a request left pending until the API deletes it after 15 minutes.
 */
export function decideSafely(pcr: PodCertificateRequest, ca: MeshCa, policy: SignerPolicy, now: Date): PcrDecision {
  try {
    return decidePodCertificateRequest(pcr, {
      ca,
      trustDomain: policy.trustDomain,
      allowedKeyTypes: policy.allowedKeyTypes,
      ttlSeconds: policy.ttlSeconds,
      refreshPercent: policy.refreshPercent,
      signerName: policy.signerName,
      now,
    });
  } catch (err) {
    return { type: 'Failed', reason: 'SigningError', message: `internal signer error: ${(err as Error).message}` };
  }
}

/** The object to PUT to …/status: the PCR as read (its resourceVersion guards the write) plus the status. */
export function withStatus(pcr: PodCertificateRequest, outcome: PcrOutcome, now: Date): PodCertificateRequest {
  return { ...pcr, status: buildPcrStatus(outcome, now, pcr.metadata.generation) };
}

/**
 * When the API server refuses an Issued status as invalid (422), the request must still end:
 * Failed, carrying the server's words, so the pod's events say why.
 */
export function refusedIssue(apiMessage: string): PcrOutcome {
  return { type: 'Failed', reason: 'SigningError', message: `the API server refused the issued certificate: ${apiMessage}` };
}

/** One log line's fields for a decision; never the certificate or any key. */
export function decisionLogFields(pcr: PodCertificateRequest, outcome: PcrOutcome): Record<string, string> {
  return {
    namespace: pcr.metadata.namespace,
    pcr: pcr.metadata.name,
    pod: pcr.spec.podName,
    serviceAccount: pcr.spec.serviceAccountName,
    decision: outcome.type,
    reason: outcome.type === 'Issued' ? 'Issued' : outcome.reason,
    ...(outcome.type === 'Issued'
      ? { spiffeId: outcome.spiffeId, notAfter: outcome.notAfter.toISOString() }
      : { message: outcome.message }),
  };
}
