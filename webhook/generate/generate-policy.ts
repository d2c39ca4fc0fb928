import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { parseStoredPolicies } from '../policy/parse-policy.js';
import { computeEffects, type PolicyEffects } from './effects.js';
import { askGate, ruleIdsOf } from './gate-check.js';
import { planPolicy, type PolicyPlan } from './plan.js';
import { renderGenerated } from './render-yaml.js';
import { GenerateInputError, type GenerateRequest } from './request.js';

// `meshward generate` without the CLI: plan the policy over the cluster's current policies, ask
// the real gate about it, and explain its effect with the resolver.

export interface GenerateDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
}

export type GenerateResult =
  | {
      readonly ok: true;
      readonly yaml: string;
      readonly plan: PolicyPlan;
      readonly effects: PolicyEffects;
      readonly advisories: readonly string[];
    }
  | { readonly ok: false; readonly rules: readonly string[]; readonly message: string; readonly plan: PolicyPlan };

export async function generatePolicy(request: GenerateRequest, deps: GenerateDeps): Promise<GenerateResult> {
  const { config, cluster } = deps;
  const namespace = await cluster.getNamespace(request.namespace);
  if (!namespace) throw new GenerateInputError(`namespace ${request.namespace} not found`);
  const meshNamespace = config.mesh.namespace;
  const [rawOwn, rawMesh, pods] = await Promise.all([
    cluster.listPolicies(request.namespace),
    cluster.listPolicies(meshNamespace),
    cluster.listPods(request.namespace),
  ]);
  const namespacePolicies = parseStoredPolicies(rawOwn).policies;
  const meshPolicies = request.namespace === meshNamespace ? namespacePolicies : parseStoredPolicies(rawMesh).policies;
  const stored = new Map<string, KubeObject>(rawOwn.filter((o) => o.metadata?.name).map((o) => [o.metadata!.name!, o]));
  const plan = planPolicy(request, namespacePolicies, stored, meshNamespace);
  // An unchanged policy is judged as if it were new: the gate lets metadata-only updates of a
  // policy that already violates through, but generate must never print a violating policy.
  const decision = await askGate(plan.object, plan.action === 'update' ? (plan.existingObject ?? plan.object) : undefined, config, cluster);
  if (!decision.allowed) {
    return { ok: false, rules: ruleIdsOf(decision.message), message: decision.message ?? decision.reason, plan };
  }
  const live = pods.filter((p) => !['Succeeded', 'Failed'].includes(String((p.status as { phase?: unknown } | undefined)?.phase)));
  const effects = computeEffects({ config, request, meshPolicies, namespacePolicies, planned: plan.policy, pods: live });
  const advisories = decision.warnings ?? [];
  return { ok: true, yaml: renderGenerated({ request, plan, effects, advisories, meshNamespace }), plan, effects, advisories };
}
