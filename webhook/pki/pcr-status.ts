import type { PcrOutcome } from './pcr-types.js';

/** metav1.Condition as the PodCertificateRequest status carries it. */
export interface PcrCondition {
  readonly type: 'Issued' | 'Denied' | 'Failed';
  readonly status: 'True';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

/** The exact body of `status` for PUT …/podcertificaterequests/<name>/status. */
export interface PcrStatus {
  readonly conditions: readonly PcrCondition[];
  readonly certificateChain?: string;
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly beginRefreshAt?: string;
}

const MAX_MESSAGE_BYTES = 32_768;

/** RFC 3339 at second precision, as metav1.Time serialises ("2026-01-02T03:04:05Z"). */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

function clip(message: string): string {
  if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES) return message;
  return `${Buffer.from(message)
    .subarray(0, MAX_MESSAGE_BYTES - 3)
    .toString()
    .replace(/\uFFFD$/, '')}...`;
}

/**
 * Builds the status update for a terminal decision. Upstream validation requires exactly one of
 * Issued/Denied/Failed with status "True"; Denied and Failed carry nothing else; Issued carries the
 * chain and notBefore/notAfter equal to the leaf's, with beginRefreshAt inside the refresh window.
 */
export function buildPcrStatus(decision: PcrOutcome, now: Date, observedGeneration?: number): PcrStatus {
  const base = {
    status: 'True' as const,
    lastTransitionTime: rfc3339(now),
    ...(observedGeneration === undefined ? {} : { observedGeneration }),
  };
  if (decision.type !== 'Issued') {
    return { conditions: [{ type: decision.type, reason: decision.reason, message: clip(decision.message), ...base }] };
  }
  return {
    conditions: [{ type: 'Issued', reason: 'Issued', message: clip(`issued ${decision.spiffeId}`), ...base }],
    certificateChain: decision.certificateChain,
    notBefore: rfc3339(decision.notBefore),
    notAfter: rfc3339(decision.notAfter),
    beginRefreshAt: rfc3339(decision.beginRefreshAt),
  };
}
