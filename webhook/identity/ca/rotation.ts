import type { CaFiles } from '../../pki/index.js';
import { certificateFingerprints, pemCertificates, rootsOf, type CaSecretState, type RotationPhase } from './ca-secret.js';

// Root rotation as explicit phases recorded in the CA Secret, each a pure transition:
//   idle --publish--> published --sign--> signing --retire--> idle
// publish: the next CA's root joins the trust bundle (and so the ClusterTrustBundles); the old CA still signs.
// sign:    once kubelets have had time to write the new root into every pod, the next CA signs.
// retire:  once every leaf the old CA signed has expired, its root leaves the trust bundle.

/** Extra time before retiring: the leader may sign with the old CA for a moment after the switch, and clocks drift. */
export const RETIRE_MARGIN_SECONDS = 300;

export interface RotationTimings {
  /** published → signing: at least one kubelet refresh of projected ClusterTrustBundles. */
  readonly propagationSeconds: number;
  /** signing → retired: the longest lifetime of a certificate the old CA signed (credentials.maxExpirationSeconds) plus margin. */
  readonly retireAfterSeconds: number;
}

export type RotationAction = 'publish' | 'sign' | 'retire';

export type RotationStep =
  | {
      readonly kind: 'advanced';
      readonly action: RotationAction;
      readonly to: RotationPhase;
      readonly state: CaSecretState;
      readonly summary: string;
    }
  | { readonly kind: 'pending'; readonly action: RotationAction; readonly until: Date; readonly summary: string };

export function nextAction(phase: RotationPhase): RotationAction {
  return phase === 'idle' ? 'publish' : phase === 'published' ? 'sign' : 'retire';
}

function unionPem(...bundles: string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const block of bundles.flatMap(pemCertificates)) {
    const [fp] = certificateFingerprints(block);
    if (fp !== undefined && !seen.has(fp)) out.push(block);
    if (fp !== undefined) seen.add(fp);
  }
  return out.join('');
}

function phaseStart(state: CaSecretState): Date {
  return new Date(state.rotation.since ?? 0);
}

/** idle → published: the next CA is stored and its root(s) added to the trust bundle. */
export function publish(state: CaSecretState, next: CaFiles, now: Date): RotationStep {
  if (state.rotation.phase !== 'idle') throw new RangeError(`publish needs phase idle, not ${state.rotation.phase}`);
  const trustBundlePem = unionPem(state.trustBundlePem, rootsOf(next, state.trustBundlePem));
  const added = certificateFingerprints(trustBundlePem).length - certificateFingerprints(state.trustBundlePem).length;
  return {
    kind: 'advanced',
    action: 'publish',
    to: 'published',
    state: { ...state, trustBundlePem, next, rotation: { phase: 'published', since: now.toISOString() } },
    summary:
      added > 0
        ? `published ${added} new root(s); the current CA still signs`
        : 'the next CA chains to a root already trusted; the current CA still signs',
  };
}

/** published → signing, once the propagation wait has passed. The old roots are recorded for retirement. */
export function startSigning(state: CaSecretState, now: Date, timings: RotationTimings): RotationStep {
  if (state.rotation.phase !== 'published' || !state.next) throw new RangeError(`sign needs phase published, not ${state.rotation.phase}`);
  const until = new Date(phaseStart(state).getTime() + timings.propagationSeconds * 1000);
  if (now < until) {
    return {
      kind: 'pending',
      action: 'sign',
      until,
      summary: `kubelets are still refreshing pods' trust bundles with the new root (propagation wait ${timings.propagationSeconds}s)`,
    };
  }
  const keep = new Set(certificateFingerprints(rootsOf(state.next, state.trustBundlePem)));
  const retiring = certificateFingerprints(state.trustBundlePem).filter((fp) => !keep.has(fp));
  const { next: _moved, ...rest } = state;
  return {
    kind: 'advanced',
    action: 'sign',
    to: 'signing',
    state: { ...rest, current: state.next, rotation: { phase: 'signing', since: now.toISOString(), retiring } },
    summary: `the new CA signs from now on; ${retiring.length} old root(s) stay trusted until their certificates expire`,
  };
}

/** signing → idle, once every certificate the old CA signed has expired: the old roots leave the bundle. */
export function retire(state: CaSecretState, now: Date, timings: RotationTimings): RotationStep {
  if (state.rotation.phase !== 'signing') throw new RangeError(`retire needs phase signing, not ${state.rotation.phase}`);
  const until = new Date(phaseStart(state).getTime() + timings.retireAfterSeconds * 1000);
  if (now < until) {
    return {
      kind: 'pending',
      action: 'retire',
      until,
      summary: `certificates signed by the old CA are valid until then (retire wait ${timings.retireAfterSeconds}s)`,
    };
  }
  const drop = new Set(state.rotation.retiring ?? []);
  const kept = pemCertificates(state.trustBundlePem).filter((b) => !drop.has(certificateFingerprints(b)[0] ?? ''));
  const trustBundlePem = kept.length > 0 ? kept.join('') : rootsOf(state.current);
  return {
    kind: 'advanced',
    action: 'retire',
    to: 'idle',
    state: { ...state, trustBundlePem, rotation: { phase: 'idle', completedAt: now.toISOString() } },
    summary: `retired ${pemCertificates(state.trustBundlePem).length - pemCertificates(trustBundlePem).length} old root(s); rotation complete`,
  };
}

/** The one transition due from the state's phase; `makeNext` is called only when publishing. */
export function advanceRotation(state: CaSecretState, now: Date, timings: RotationTimings, makeNext: () => CaFiles): RotationStep {
  switch (state.rotation.phase) {
    case 'idle':
      return publish(state, makeNext(), now);
    case 'published':
      return startSigning(state, now, timings);
    case 'signing':
      return retire(state, now, timings);
  }
}
