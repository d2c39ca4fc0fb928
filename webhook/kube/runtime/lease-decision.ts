// Leader election's pure half: from the Lease as read, acquire, renew or stand by (client-go's
// rules). leader-elector.ts reads, writes and keeps time around it.
import type { Lease, LeaseSpec } from '../types.js';

/**
 * When this candidate first saw the lease record it holds now. Expiry is measured on our own clock
 * from that moment (as client-go's leaderelection does), never from the holder's renewTime, so
 * clock skew between replicas cannot make two of them leader at once.
 */
export interface LeaseObservation {
  /** holderIdentity + renewTime + leaseTransitions: any change means the holder is alive. */
  readonly record: string;
  readonly at: Date;
}

export interface LeaseDecisionInput {
  readonly lease: Lease | undefined;
  readonly identity: string;
  readonly now: Date;
  readonly leaseDurationSeconds: number;
  readonly observed: LeaseObservation | undefined;
}

export type LeaseAction =
  | { readonly action: 'create'; readonly spec: LeaseSpec }
  | { readonly action: 'acquire'; readonly reason: 'Released' | 'Expired'; readonly spec: LeaseSpec; readonly previousHolder: string }
  | { readonly action: 'renew'; readonly spec: LeaseSpec }
  | { readonly action: 'standby'; readonly holder: string; readonly expiresAt: Date };

export type LeaseDecision = LeaseAction & { readonly observed: LeaseObservation | undefined };

/** metav1.MicroTime: RFC 3339 with exactly six fractional digits, as the API server parses it. */
export function microTime(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

export function leaseRecord(spec: LeaseSpec | undefined): string {
  return JSON.stringify([spec?.holderIdentity ?? '', spec?.renewTime ?? '', spec?.leaseTransitions ?? 0]);
}

/**
 * Acquire, renew or stand by, from the current Lease (undefined when it does not exist yet).
 * Pure: the caller writes `spec` with the lease's resourceVersion, so of two candidates racing for
 * the same expired lease exactly one write succeeds (the other gets 409 and stands by).
 */
export function decideLease(input: LeaseDecisionInput): LeaseDecision {
  const { lease, identity, now, leaseDurationSeconds } = input;
  const stamp = microTime(now);
  if (!lease) {
    return {
      action: 'create',
      spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
      observed: undefined,
    };
  }
  const spec = lease.spec ?? {};
  const record = leaseRecord(spec);
  const observed = input.observed?.record === record ? input.observed : { record, at: now };
  const holder = spec.holderIdentity ?? '';
  if (holder === identity) {
    return { action: 'renew', spec: { ...spec, leaseDurationSeconds, renewTime: stamp }, observed };
  }
  const transitions = (spec.leaseTransitions ?? 0) + 1;
  const taken: LeaseSpec = {
    holderIdentity: identity,
    leaseDurationSeconds,
    acquireTime: stamp,
    renewTime: stamp,
    leaseTransitions: transitions,
  };
  if (holder === '') return { action: 'acquire', reason: 'Released', spec: taken, previousHolder: '', observed };
  const durationMs = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  const expiresAt = new Date(observed.at.getTime() + durationMs);
  if (now.getTime() >= expiresAt.getTime()) return { action: 'acquire', reason: 'Expired', spec: taken, previousHolder: holder, observed };
  return { action: 'standby', holder, expiresAt, observed };
}

/**
 * What the leader writes when it stops: no holder and a 1 s duration, so a standby replica takes
 * over at its next retry instead of waiting out the whole lease (client-go's ReleaseOnCancel).
 */
export function releasedLeaseSpec(spec: LeaseSpec, now: Date): LeaseSpec {
  const { holderIdentity: _released, ...rest } = spec;
  return { ...rest, leaseDurationSeconds: 1, renewTime: microTime(now) };
}
