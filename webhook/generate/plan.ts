import type { KubeObject } from '../admission/types.js';
import { POLICY_GROUP, POLICY_KIND, POLICY_VERSION } from '../config/names.js';
import { formatSelector } from '../policy/label-selector.js';
import { policyRef, policyScope, type MeshTLSPolicy, type PortLevelMode } from '../policy/mesh-tls-policy.js';
import { pickWinningPolicy } from '../policy/precedence.js';
import { GenerateInputError, type GenerateRequest } from './request.js';

// Which policy achieves the request: the existing one of the same scope when there is one (the
// namespace-wide policy, or the policy with the identical selector) is updated in place; only when
// there is none is a new one created. A second policy of the same scope is exactly what the gate
// refuses as ambiguous, so generate never writes one.

export type PlanAction = 'create' | 'update' | 'unchanged';

export interface PolicyPlan {
  readonly action: PlanAction;
  /** The policy as it will be. */
  readonly policy: MeshTLSPolicy;
  /** The manifest to print and apply. */
  readonly object: KubeObject;
  /** The stored policy being updated (create: none). */
  readonly existing?: MeshTLSPolicy;
  readonly existingObject?: KubeObject;
  /** One sentence: why this policy and not another. */
  readonly reason: string;
}

function sameSelector(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  return formatSelector(a) === formatSelector(b);
}

/** A DNS-1123 name from a selector's values: {app: web, tier: front} → web-front-mtls. */
export function nameForSelector(selector: Readonly<Record<string, string>>): string {
  const base = Object.keys(selector)
    .sort()
    .map((k) => selector[k]!)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return `${base || 'workload'}-mtls`;
}

function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

/** The manifest of a policy: only the fields meshward reads, labels of the stored object kept. */
export function policyObject(policy: MeshTLSPolicy, stored?: KubeObject): KubeObject {
  const spec: Record<string, unknown> = {};
  if (policy.selector) spec.selector = { matchLabels: { ...policy.selector } };
  if (policy.mode !== 'UNSET') spec.mode = policy.mode;
  if (policy.portLevelMtls.length > 0)
    spec.portLevelMtls = Object.fromEntries(policy.portLevelMtls.map((p) => [String(p.port), { mode: p.mode }]));
  const labels = stored?.metadata?.labels;
  return {
    apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`,
    kind: POLICY_KIND,
    metadata: {
      name: policy.name,
      namespace: policy.namespace,
      ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
    },
    spec,
  };
}

function withPorts(entries: readonly PortLevelMode[], ports: readonly number[], mode: GenerateRequest['mode']): PortLevelMode[] {
  const map = new Map(entries.map((e) => [e.port, e.mode]));
  for (const port of ports) map.set(port, mode);
  return [...map.entries()].map(([port, m]) => ({ port, mode: m })).sort((a, b) => a.port - b.port);
}

function sameContent(a: MeshTLSPolicy, b: MeshTLSPolicy): boolean {
  return a.mode === b.mode && sameSelector(a.selector, b.selector) && JSON.stringify(a.portLevelMtls) === JSON.stringify(b.portLevelMtls);
}

/**
 * Plans the policy for a request over the namespace's stored policies (parsed, and raw by name
 * for the labels and the gate's oldObject). Pure.
 */
export function planPolicy(
  request: GenerateRequest,
  policies: readonly MeshTLSPolicy[],
  stored: ReadonlyMap<string, KubeObject>,
  meshNamespace: string,
): PolicyPlan {
  const own = policies.filter((p) => p.namespace === request.namespace);
  const scopeMatches = own.filter((p) =>
    request.selector ? sameSelector(p.selector, request.selector) : policyScope(p, meshNamespace) !== 'workload',
  );
  const target = request.name ? own.find((p) => p.name === request.name) : pickWinningPolicy(scopeMatches);
  if (request.name && target && !scopeMatches.includes(target)) {
    throw new GenerateInputError(
      `policy ${policyRef(target)} exists with selector ${formatSelector(target.selector)}, not ${formatSelector(request.selector)}; choose another --name`,
    );
  }
  const what = request.selector
    ? `the policy with selector ${formatSelector(request.selector)}`
    : meshNamespace === request.namespace
      ? 'the mesh-wide policy'
      : 'the namespace-wide policy';
  if (target) {
    const next: MeshTLSPolicy = {
      ...target,
      ...(request.ports.length > 0
        ? { portLevelMtls: withPorts(target.portLevelMtls, request.ports, request.mode) }
        : { mode: request.mode }),
    };
    const action: PlanAction = sameContent(next, target) ? 'unchanged' : 'update';
    const existingObject = stored.get(target.name);
    return {
      action,
      policy: next,
      object: policyObject(next, existingObject),
      existing: target,
      ...(existingObject ? { existingObject } : {}),
      reason:
        action === 'unchanged'
          ? `${policyRef(target)} (${what}) already says this: nothing to change`
          : `updates ${policyRef(target)} (${what}) in place instead of adding a second one`,
    };
  }
  const taken = new Set(own.map((p) => p.name));
  const name = request.name ?? uniqueName(request.selector ? nameForSelector(request.selector) : 'default', taken);
  const policy: MeshTLSPolicy = {
    namespace: request.namespace,
    name,
    mode: request.ports.length > 0 ? 'UNSET' : request.mode,
    portLevelMtls: request.ports.map((port) => ({ port, mode: request.mode })),
    ...(request.selector ? { selector: request.selector } : {}),
  };
  return {
    action: 'create',
    policy,
    object: policyObject(policy),
    reason: `creates ${policyRef(policy)}: ${request.namespace} has no ${what.replace(/^the /, '')} yet`,
  };
}
