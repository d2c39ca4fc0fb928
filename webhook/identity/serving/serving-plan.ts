// The serving-certificate planner: a pure function from what the API holds (the serving Secret,
// meshward's webhook configurations) and the time to the next steps. The manager runs the steps,
// re-reads, and plans again, so every decision is made on fresh state and a crash at any point
// (or a leader change) resumes where the cluster says it is.
//
// Rotation, so the API server never meets a certificate it does not trust:
//   stage     a new CA + serving certificate are generated; stored as *pending*, not served
//   trust     (a) every webhook's caBundle := what it holds ∪ current CA ∪ pending CA;
//             then the time is recorded (pending-trusted-at)
//   propagate wait propagationMs, so every API server has seen the new caBundle
//   promote   (b) pending becomes current: the Secret's tls.crt, and the running server
//   retire    (c) after retireGraceMs (every replica and the kubelet's Secret volume caught up)
//             each caBundle := exactly the current CA
// Renewal is due at renewFraction (2/3) of the certificate's lifetime.
import type { X509Certificate } from 'node:crypto';
import { bundleContains, bundleUnion, sameBundle, type BundleCert } from '../../pki/cert-bundle.js';
import type { ServingMaterial, ServingSecretState } from './serving-secret.js';

export type WebhookConfigKind = 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';

export interface ObservedWebhook {
  readonly name: string;
  readonly caBundle: readonly BundleCert[];
}

export interface ObservedWebhookConfig {
  readonly kind: WebhookConfigKind;
  readonly name: string;
  readonly resourceVersion?: string;
  readonly webhooks: readonly ObservedWebhook[];
}

export interface ServingPolicy {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Renew when this fraction of the lifetime has passed (2/3). */
  readonly renewFraction: number;
  /** From "every caBundle holds the new CA" to serving the new certificate. */
  readonly propagationMs: number;
  /** From serving the new certificate to dropping older CAs from the caBundles. */
  readonly retireGraceMs: number;
}

export interface ServingObservation {
  readonly secret: ServingSecretState;
  /** The configurations that exist (a missing one is not patched, and does not block). */
  readonly configs: readonly ObservedWebhookConfig[];
  readonly now: Date;
  /** rotateNow(): rotate even though renewal is not due. */
  readonly forceRotation: boolean;
}

export interface WebhookBundlePatch {
  readonly index: number;
  readonly name: string;
  readonly caBundle: readonly BundleCert[];
}

export type ServingAction =
  | { readonly type: 'stage'; readonly reason: string }
  | {
      readonly type: 'patch-ca-bundle';
      readonly kind: WebhookConfigKind;
      readonly name: string;
      readonly resourceVersion?: string;
      readonly webhooks: readonly WebhookBundlePatch[];
      readonly reason: string;
    }
  | { readonly type: 'mark-trusted'; readonly at: Date }
  | { readonly type: 'promote'; readonly retireAfter: Date };

export type ServingPhase = 'stage' | 'trust' | 'propagate' | 'promote' | 'retire-wait' | 'steady';

export interface ServingPlan {
  readonly phase: ServingPhase;
  /** Run in order; at most one Secret write, always last. */
  readonly actions: readonly ServingAction[];
  /** When planning again could change something (the caller also re-plans periodically). */
  readonly nextCheckAt?: Date;
}

export const RENEW_FRACTION = 2 / 3;

export function renewAt(material: Pick<ServingMaterial, 'notBefore' | 'notAfter'>, fraction: number = RENEW_FRACTION): Date {
  const start = material.notBefore.getTime();
  return new Date(start + Math.floor((material.notAfter.getTime() - start) * fraction));
}

/** Why `leaf`'s SANs are not exactly the wanted DNS names and IPs, or undefined when they are. */
export function sanMismatch(leaf: X509Certificate, dnsNames: readonly string[], ipAddresses: readonly string[]): string | undefined {
  const entries = (leaf.subjectAltName ?? '').split(', ').filter((e) => e !== '');
  const wanted = new Set(dnsNames).size + new Set(ipAddresses).size;
  const missingDns = dnsNames.find((d) => leaf.checkHost(d, { subject: 'never', wildcards: false }) === undefined);
  const missingIp = ipAddresses.find((ip) => leaf.checkIP(ip) === undefined);
  if (missingDns !== undefined) return `the certificate lacks the name ${missingDns}`;
  if (missingIp !== undefined) return `the certificate lacks the address ${missingIp}`;
  if (entries.length !== wanted) return `the certificate has ${entries.length} SAN entries, the configuration wants ${wanted}`;
  return undefined;
}

function earliest(...dates: ReadonlyArray<Date | undefined>): Date | undefined {
  const ms = dates.filter((d): d is Date => d !== undefined).map((d) => d.getTime());
  return ms.length === 0 ? undefined : new Date(Math.min(...ms));
}

function rotationReason(obs: ServingObservation, policy: ServingPolicy): string | undefined {
  const cur = obs.secret.current;
  if (!cur) return obs.secret.currentProblem ?? 'no serving certificate yet';
  if (obs.forceRotation) return 'rotation requested';
  if (obs.now.getTime() >= cur.notAfter.getTime()) return `the certificate expired at ${cur.notAfter.toISOString()}`;
  const due = renewAt(cur, policy.renewFraction);
  if (obs.now.getTime() >= due.getTime()) return `renewal was due at ${due.toISOString()}`;
  return sanMismatch(cur.leaf, policy.dnsNames, policy.ipAddresses);
}

/** One patch per configuration whose webhooks' bundles `want` says to change. */
function bundlePatches(
  configs: readonly ObservedWebhookConfig[],
  want: (existing: readonly BundleCert[]) => readonly BundleCert[] | undefined,
  reason: string,
): ServingAction[] {
  const out: ServingAction[] = [];
  for (const config of configs) {
    const webhooks: WebhookBundlePatch[] = [];
    config.webhooks.forEach((w, index) => {
      const next = want(w.caBundle);
      if (next && !sameBundle(next, w.caBundle)) webhooks.push({ index, name: w.name, caBundle: next });
    });
    if (webhooks.length > 0)
      out.push({
        type: 'patch-ca-bundle',
        kind: config.kind,
        name: config.name,
        resourceVersion: config.resourceVersion,
        webhooks,
        reason,
      });
  }
  return out;
}

function planPending(obs: ServingObservation, pending: ServingMaterial, policy: ServingPolicy): ServingPlan {
  const required = bundleUnion(obs.secret.current ? [obs.secret.current.ca] : [], [pending.ca]);
  const patches = bundlePatches(
    obs.configs,
    (existing) => (required.every((c) => bundleContains(existing, c)) ? undefined : bundleUnion(existing, required)),
    '(a) trust the next serving CA alongside the current one',
  );
  // A patch (even a repair after the trust clock started) restarts the propagation wait.
  if (patches.length > 0) return { phase: 'trust', actions: [...patches, { type: 'mark-trusted', at: obs.now }] };
  const trustedAt = obs.secret.pendingTrustedAt;
  if (!trustedAt) return { phase: 'trust', actions: [{ type: 'mark-trusted', at: obs.now }] };
  const promoteAt = new Date(trustedAt.getTime() + policy.propagationMs);
  if (obs.now.getTime() < promoteAt.getTime()) return { phase: 'propagate', actions: [], nextCheckAt: promoteAt };
  return { phase: 'promote', actions: [{ type: 'promote', retireAfter: new Date(obs.now.getTime() + policy.retireGraceMs) }] };
}

function planServed(obs: ServingObservation, current: ServingMaterial, policy: ServingPolicy): ServingPlan {
  const retireAfter = obs.secret.retireAfter;
  const retiring = retireAfter !== undefined && obs.now.getTime() < retireAfter.getTime();
  const due = renewAt(current, policy.renewFraction);
  if (retiring) {
    const actions = bundlePatches(
      obs.configs,
      (existing) => (bundleContains(existing, current.ca) ? undefined : bundleUnion(existing, [current.ca])),
      'trust the current serving CA',
    );
    return { phase: 'retire-wait', actions, nextCheckAt: earliest(due, retireAfter) };
  }
  const actions = bundlePatches(obs.configs, () => [current.ca], '(c) trust only the current serving CA');
  return { phase: 'steady', actions, nextCheckAt: due };
}

/** The next steps toward "a valid, trusted certificate is served, and only its CA is trusted". */
export function planServing(obs: ServingObservation, policy: ServingPolicy): ServingPlan {
  const pending = obs.secret.pending;
  if (pending && obs.now.getTime() < pending.notAfter.getTime()) return planPending(obs, pending, policy);
  const reason = rotationReason(obs, policy);
  if (reason !== undefined || obs.secret.pendingProblem !== undefined) {
    return { phase: 'stage', actions: [{ type: 'stage', reason: reason ?? obs.secret.pendingProblem ?? 'stage' }] };
  }
  return planServed(obs, obs.secret.current as ServingMaterial, policy);
}
