// Whether the Secret fallback runs: pure, from the configured credential source and API discovery
// (does the API server serve PodCertificateRequest v1?).
import type { CredentialSource } from '../../config/types.js';

export type FallbackReason = 'forced-by-config' | 'no-pod-certificate-api' | 'pod-certificate-api-served';

export interface FallbackStatus {
  /** The Secret fallback runs (and the injector must project Secrets, i.e. credentials.source=secret). */
  readonly active: boolean;
  readonly reason: FallbackReason;
  /** What the injector should use. */
  readonly effectiveSource: CredentialSource;
}

/** `credentials.source: secret` forces the fallback; otherwise it runs only where the API lacks PodCertificateRequest v1. */
export function decideFallback(configured: CredentialSource, podCertificateRequestsServed: boolean): FallbackStatus {
  if (configured === 'secret') return { active: true, reason: 'forced-by-config', effectiveSource: 'secret' };
  if (!podCertificateRequestsServed) return { active: true, reason: 'no-pod-certificate-api', effectiveSource: 'secret' };
  return { active: false, reason: 'pod-certificate-api-served', effectiveSource: 'pod-certificate' };
}
