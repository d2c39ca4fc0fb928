// The one retry policy of the controller machinery: exponential, doubling from `baseMs` up to
// `maxMs`, and a short fixed delay after a 409 Conflict (someone else wrote first: re-read soon).
// The informer, the reconcile loop and the signer's per-request retries all use it, each with the
// base and cap that fit how costly a retry is for them.
import { isConflict } from '../errors.js';

export interface BackoffPolicy {
  /** First delay (consecutive = 1). */
  readonly baseMs: number;
  readonly maxMs: number;
}

/** Delay after a write lost a race (409): the next attempt re-reads. */
export const CONFLICT_RETRY_MS = 200;

/** Milliseconds before attempt number `consecutive + 1`, after `consecutive` (≥ 1) failures in a row. */
export function backoffDelayMs(policy: BackoffPolicy, consecutive: number, err?: unknown): number {
  if (err !== undefined && isConflict(err)) return CONFLICT_RETRY_MS;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(consecutive, 1) - 1, 16));
}
