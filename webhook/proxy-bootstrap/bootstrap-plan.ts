// The proxy bootstrap's planner, per namespace: a pure function from whether the namespace opts in,
// the content this configuration wants and the ConfigMap that is there, to one action. Only
// meshward's own ConfigMap (app.kubernetes.io/managed-by=meshward) is ever written or deleted; a
// foreign one of the same name is reported instead, since the proxies of that namespace would run
// whatever it holds.

import type { ProxyBootstrapData, ProxyConfigMapState } from './bootstrap-configmap.js';

export interface ProxyBootstrapObservation {
  /** Labelled meshward.io/inject=enabled (and not a system namespace). */
  readonly optedIn: boolean;
  readonly desired: ProxyBootstrapData;
  /** The ConfigMap meshward-proxy in that namespace, if any. */
  readonly existing: ProxyConfigMapState | undefined;
}

export type ProxyBootstrapAction =
  | { readonly type: 'create'; readonly reason: string }
  | { readonly type: 'update'; readonly resourceVersion?: string; readonly reason: string }
  | { readonly type: 'delete'; readonly reason: string }
  | { readonly type: 'none'; readonly foreign: boolean; readonly reason: string };

export const FOREIGN_REASON = 'a ConfigMap of that name exists and is not managed by meshward (app.kubernetes.io/managed-by)';

export function planProxyBootstrap(obs: ProxyBootstrapObservation): ProxyBootstrapAction {
  const { existing } = obs;
  if (!obs.optedIn) {
    if (existing?.managed) return { type: 'delete', reason: 'the namespace no longer opts in' };
    return {
      type: 'none',
      foreign: false,
      reason: existing ? 'not ours, and the namespace does not opt in' : 'the namespace does not opt in',
    };
  }
  if (!existing) return { type: 'create', reason: 'no proxy bootstrap yet' };
  if (!existing.managed) return { type: 'none', foreign: true, reason: FOREIGN_REASON };
  if (sameData(existing.data, obs.desired)) return { type: 'none', foreign: false, reason: 'up to date' };
  return {
    type: 'update',
    ...(existing.resourceVersion !== undefined ? { resourceVersion: existing.resourceVersion } : {}),
    reason: 'the content differs from what this configuration renders',
  };
}

/** Exactly the same keys and texts: a hand edit, a stray key or a new configuration all differ. */
function sameData(a: ProxyBootstrapData, b: ProxyBootstrapData): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}
