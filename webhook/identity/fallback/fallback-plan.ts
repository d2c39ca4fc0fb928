// The Secret fallback's planner: a pure function from the meshed namespaces, the ServiceAccounts
// that need an identity, what the fallback already wrote, the trust bundle and the time, to the
// Secrets and ConfigMaps to create or update. It never deletes: a Secret goes away with its
// ServiceAccount (owner reference, the garbage collector), and objects meshward did not create
// (no app.kubernetes.io/managed-by=meshward) are reported, never touched.
import { workloadSpiffeId } from '../../pki/index.js';
import { parseBundle, sameBundle } from '../../pki/cert-bundle.js';
import {
  identitySecretName,
  refreshAt,
  type IdentitySecretState,
  type ServiceAccountRef,
  type TrustConfigMapState,
} from './fallback-objects.js';

export interface FallbackObservation {
  /** Namespaces labelled meshward.io/inject=enabled. */
  readonly meshedNamespaces: readonly string[];
  /** Every ServiceAccount of a meshed namespace, and those injected pods run as (anywhere). */
  readonly serviceAccounts: readonly ServiceAccountRef[];
  readonly secrets: readonly IdentitySecretState[];
  readonly configMaps: readonly TrustConfigMapState[];
  /** The mesh roots every workload must trust (ConfigMap ca.crt). */
  readonly trustBundlePem: string;
  readonly trustDomain: string;
  readonly now: Date;
}

export type FallbackAction =
  | {
      readonly type: 'issue-secret';
      readonly serviceAccount: ServiceAccountRef;
      readonly resourceVersion?: string;
      readonly reason: string;
    }
  | { readonly type: 'write-trust-bundle'; readonly namespace: string; readonly resourceVersion?: string; readonly reason: string };

export interface FallbackSkip {
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
}

export interface FallbackPlan {
  readonly actions: readonly FallbackAction[];
  readonly skipped: readonly FallbackSkip[];
  /** The earliest half-life among the Secrets left as they are. */
  readonly nextRefreshAt?: Date;
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Why `existing` must be re-issued for `sa`, or undefined when it is still good. */
function reissueReason(existing: IdentitySecretState, sa: ServiceAccountRef, obs: FallbackObservation): string | undefined {
  if (!existing.leaf) return existing.problem ?? 'unusable bundle';
  const want = workloadSpiffeId(obs.trustDomain, sa.namespace, sa.name);
  if (existing.leaf.spiffeId !== want) return `SPIFFE ID is ${existing.leaf.spiffeId ?? '(none)'}, want ${want}`;
  if (obs.now.getTime() >= existing.leaf.notAfter.getTime()) return `expired at ${existing.leaf.notAfter.toISOString()}`;
  const due = refreshAt(existing.leaf.notBefore, existing.leaf.notAfter);
  if (obs.now.getTime() >= due.getTime()) return `half-life reached at ${due.toISOString()}`;
  return undefined;
}

export function planFallback(obs: FallbackObservation): FallbackPlan {
  const actions: FallbackAction[] = [];
  const skipped: FallbackSkip[] = [];
  let nextRefreshAt: number | undefined;
  const secrets = new Map(obs.secrets.map((s) => [key(s.namespace, s.name), s]));
  const seen = new Set<string>();
  for (const sa of obs.serviceAccounts) {
    const name = identitySecretName(sa.name);
    if (name === undefined) {
      skipped.push({
        namespace: sa.namespace,
        name: sa.name,
        reason: 'the Secret name meshward-identity-<serviceaccount> would exceed 253 characters',
      });
      continue;
    }
    if (seen.has(key(sa.namespace, name))) continue;
    seen.add(key(sa.namespace, name));
    const existing = secrets.get(key(sa.namespace, name));
    if (!existing) {
      actions.push({ type: 'issue-secret', serviceAccount: sa, reason: 'no identity Secret yet' });
      continue;
    }
    if (!existing.managed) {
      skipped.push({ namespace: sa.namespace, name, reason: 'exists and is not managed by meshward (app.kubernetes.io/managed-by)' });
      continue;
    }
    const reason = reissueReason(existing, sa, obs);
    if (reason !== undefined) actions.push({ type: 'issue-secret', serviceAccount: sa, resourceVersion: existing.resourceVersion, reason });
    else {
      const due = refreshAt(existing.leaf!.notBefore, existing.leaf!.notAfter).getTime();
      nextRefreshAt = Math.min(nextRefreshAt ?? due, due);
    }
  }
  const wanted = parseBundle(obs.trustBundlePem);
  const configMaps = new Map(obs.configMaps.map((c) => [c.namespace, c]));
  const namespaces = [...new Set([...obs.meshedNamespaces, ...obs.serviceAccounts.map((s) => s.namespace)])].sort();
  for (const namespace of namespaces) {
    const existing = configMaps.get(namespace);
    if (!existing) actions.push({ type: 'write-trust-bundle', namespace, reason: 'no trust bundle ConfigMap yet' });
    else if (!existing.managed)
      skipped.push({
        namespace,
        name: 'meshward-trust-bundle',
        reason: 'exists and is not managed by meshward (app.kubernetes.io/managed-by)',
      });
    else if (!sameBundle(parseBundle(existing.caPem), wanted))
      actions.push({ type: 'write-trust-bundle', namespace, resourceVersion: existing.resourceVersion, reason: 'the mesh roots changed' });
  }
  return { actions, skipped, ...(nextRefreshAt === undefined ? {} : { nextRefreshAt: new Date(nextRefreshAt) }) };
}
