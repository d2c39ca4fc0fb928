import { stringify } from 'yaml';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
import { formatWorkload } from '../status/workload-owner.js';
import { wrap } from '../status/text.js';
import {
  computeAuthorizationEffects,
  describeAuthorization,
  describePrincipals,
  type AuthorizationEffects,
} from './authorization-effects.js';
import { planAuthorization, type AuthorizationPlan } from './authorization-plan.js';
import { describeAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import { askGate, ruleIdsOf } from './gate-check.js';
import { GenerateInputError } from './request.js';

// `meshward generate --allow-*` without the CLI: plan the MeshAuthorizationPolicy over the
// namespace's current ones, ask the real gate (MW-AUTHZ-002/003 come back with their rule IDs),
// and explain the effect with the resolver.

export type AuthorizationGenerateResult =
  | { readonly ok: true; readonly yaml: string; readonly plan: AuthorizationPlan; readonly effects: AuthorizationEffects }
  | { readonly ok: false; readonly rules: readonly string[]; readonly message: string; readonly plan: AuthorizationPlan };

const WIDTH = 100;
const comment = (text: string, indent = ''): string[] => wrap(text, WIDTH, `# ${indent}`, `# ${indent}  `);

function render(request: AuthorizationRequest, plan: AuthorizationPlan, effects: AuthorizationEffects): string {
  const verb = plan.action === 'create' ? 'New policy' : plan.action === 'update' ? 'Update' : 'No change';
  const lines = [
    ...comment(`meshward generate: ${describeAuthorizationRequest(request)}`),
    ...comment(`${verb}: ${plan.reason}.`),
    ...comment('Checked by the gate, as kubectl apply will be: allowed.'),
    '# Effect, by the resolver (before → after):',
  ];
  for (const c of effects.changes)
    lines.push(
      ...comment(
        `${formatWorkload(c.workload)} (${c.pods} pod${c.pods === 1 ? '' : 's'}) port ${c.port}: ${describeAuthorization(c.before)} → ${describeAuthorization(c.after)}`,
        '  ',
      ),
    );
  if (effects.changes.length === 0)
    lines.push(
      ...comment(effects.targetedPods === 0 ? 'no pods are selected yet: new pods get these callers' : 'no pod changes its callers', '  '),
    );
  for (const { port, authorization } of effects.admitted) {
    lines.push(`# Who may call ${port === undefined ? 'the selected ports' : `port ${port}`} after this (every policy that selects it):`);
    for (const principal of describePrincipals(authorization)) lines.push(`#   ${principal}`);
  }
  lines.push('# Running proxies follow over xDS: no restart.');
  return `${lines.join('\n')}\n${stringify(plan.object, { lineWidth: 0 })}`;
}

export async function generateAuthorization(
  request: AuthorizationRequest,
  deps: { readonly config: MeshwardConfig; readonly cluster: ClusterState },
): Promise<AuthorizationGenerateResult> {
  const { config, cluster } = deps;
  if (!(await cluster.getNamespace(request.namespace))) throw new GenerateInputError(`namespace ${request.namespace} not found`);
  const meshNamespace = config.mesh.namespace;
  const [rawOwn, rawMesh, pods] = await Promise.all([
    cluster.listAuthorizationPolicies(request.namespace),
    cluster.listAuthorizationPolicies(meshNamespace),
    cluster.listPods(request.namespace),
  ]);
  const namespacePolicies = parseStoredAuthorizationPolicies(rawOwn).policies;
  const meshPolicies = request.namespace === meshNamespace ? namespacePolicies : parseStoredAuthorizationPolicies(rawMesh).policies;
  const stored = new Map<string, KubeObject>(rawOwn.filter((o) => o.metadata?.name).map((o) => [o.metadata!.name!, o]));
  const plan = planAuthorization(request, namespacePolicies, stored, meshNamespace);
  // An unchanged policy is judged as if it were new: generate never prints one the gate refuses.
  const decision = await askGate(plan.object, plan.action === 'update' ? (plan.existingObject ?? plan.object) : undefined, config, cluster);
  if (!decision.allowed) return { ok: false, rules: ruleIdsOf(decision.message), message: decision.message ?? decision.reason, plan };
  const live = pods.filter((p) => !['Succeeded', 'Failed'].includes(String((p.status as { phase?: unknown } | undefined)?.phase)));
  const effects = computeAuthorizationEffects({ config, request, meshPolicies, namespacePolicies, planned: plan.policy, pods: live });
  return { ok: true, yaml: render(request, plan, effects), plan, effects };
}
