import type { KubeObject } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, POLICY_GROUP, POLICY_VERSION } from '../config/names.js';
import { describeSelection, sameSelection } from '../policy/authorization-policy.js';
import type { AuthorizationSource, MeshAuthorizationPolicy } from '../policy/authorization-types.js';
import { policyRef } from '../policy/mesh-tls-policy.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { nameForSelector, type PlanAction } from './plan.js';
import { GenerateInputError } from './request.js';

// Which MeshAuthorizationPolicy lets the callers in: the one that already selects exactly that
// workload and port set gets them added (nothing is removed); only when there is none is a new one
// created. A second policy for the same selection is what the gate refuses as ambiguous
// (MW-AUTHZ-003), so generate never writes one; any other refusal comes from asking the gate.

export interface AuthorizationPlan {
  readonly action: PlanAction;
  readonly policy: MeshAuthorizationPolicy;
  readonly object: KubeObject;
  readonly existing?: MeshAuthorizationPolicy;
  readonly existingObject?: KubeObject;
  readonly reason: string;
}

const SOURCE_KINDS = ['namespaces', 'serviceAccounts', 'identities'] as const;

/** The manifest: only the fields meshward reads, the stored object's labels kept. */
export function authorizationObject(policy: MeshAuthorizationPolicy, stored?: KubeObject): KubeObject {
  const labels = stored?.metadata?.labels;
  return {
    apiVersion: `${POLICY_GROUP}/${POLICY_VERSION}`,
    kind: AUTHZ_POLICY_KIND,
    metadata: {
      name: policy.name,
      namespace: policy.namespace,
      ...(labels && Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}),
    },
    spec: {
      ...(policy.selector ? { selector: { matchLabels: { ...policy.selector } } } : {}),
      ...(policy.ports ? { ports: [...policy.ports] } : {}),
      allow: policy.allow.map((source) => ({ ...source })),
      enforcement: policy.enforcement,
    },
  };
}

/** The requested callers the policy does not list yet (in any of its entries), or undefined. */
function missingCallers(policy: MeshAuthorizationPolicy, wanted: AuthorizationSource): AuthorizationSource | undefined {
  const out: Record<string, string[]> = {};
  for (const kind of SOURCE_KINDS) {
    const listed = new Set(policy.allow.flatMap((source) => source[kind] ?? []));
    const missing = (wanted[kind] ?? []).filter((value) => !listed.has(value));
    if (missing.length > 0) out[kind] = missing;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function uniqueName(wanted: string, taken: ReadonlySet<string>): string {
  if (!taken.has(wanted)) return wanted;
  for (let i = 2; ; i++) if (!taken.has(`${wanted}-${i}`)) return `${wanted}-${i}`;
}

function newName(request: AuthorizationRequest): string {
  const base = request.selector ? nameForSelector(request.selector).replace(/-mtls$/, '') : 'default';
  return `${base}${request.ports.length > 0 ? `-${request.ports.join('-')}` : ''}`.slice(0, 240) + (request.selector ? '-authz' : '');
}

/** Plans the policy over the namespace's stored authorization policies (parsed, and raw by name). Pure. */
export function planAuthorization(
  request: AuthorizationRequest,
  policies: readonly MeshAuthorizationPolicy[],
  stored: ReadonlyMap<string, KubeObject>,
  meshNamespace: string,
): AuthorizationPlan {
  const own = policies.filter((p) => p.namespace === request.namespace).sort((a, b) => (a.name < b.name ? -1 : 1));
  const selection = {
    ...(request.selector ? { selector: request.selector } : {}),
    ...(request.ports.length > 0 ? { ports: request.ports } : {}),
  };
  const requested: MeshAuthorizationPolicy = {
    namespace: request.namespace,
    name: '',
    ...selection,
    allow: [request.allow],
    enforcement: request.enforcement,
  };
  const target = request.name ? own.find((p) => p.name === request.name) : own.find((p) => sameSelection(p, requested));
  if (request.name && target && !sameSelection(target, requested))
    throw new GenerateInputError(
      `policy ${policyRef(target)} exists for ${describeSelection(target, meshNamespace)}, not ${describeSelection(requested, meshNamespace)}; choose another --name`,
    );
  if (target) {
    const missing = missingCallers(target, request.allow);
    const next: MeshAuthorizationPolicy = {
      ...target,
      allow: [...target.allow, ...(missing ? [missing] : [])],
      enforcement: request.enforcement,
    };
    const action: PlanAction = !missing && target.enforcement === request.enforcement ? 'unchanged' : 'update';
    const existingObject = stored.get(target.name);
    const what = `${policyRef(target)} (${describeSelection(target, meshNamespace)})`;
    return {
      action,
      policy: next,
      object: authorizationObject(next, existingObject),
      existing: target,
      ...(existingObject ? { existingObject } : {}),
      reason:
        action === 'unchanged'
          ? `${what} already admits these callers: nothing to change`
          : `adds the callers to ${what} instead of a second policy`,
    };
  }
  const name = request.name ?? uniqueName(newName(request), new Set(own.map((p) => p.name)));
  const policy: MeshAuthorizationPolicy = { ...requested, name };
  return {
    action: 'create',
    policy,
    object: authorizationObject(policy),
    reason: `creates ${policyRef(policy)}: no MeshAuthorizationPolicy of ${request.namespace} is for ${describeSelection(policy, meshNamespace)} yet`,
  };
}
