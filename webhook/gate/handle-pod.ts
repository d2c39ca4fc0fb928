import type { V1Pod } from '@kubernetes/client-node';
import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { InjectionTemplates } from '../inject/templates.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { allow, deny, denyUnavailable, tryRead } from './decisions.js';
import { podInNamespace } from '../inject/decide.js';
import { injectionIntegrityFindings } from './injection-integrity.js';
import { injectionChangeFindings } from './injection-update.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { podsUngated } from './namespace-mode.js';
import { podFindings } from './pod-rules.js';
import { podViewOf, type PodView } from './pod-template.js';
import { finding, formatFinding, type Finding } from './rules.js';
import { equalJson } from '../json/same-json.js';
import { splitByPrevious } from './update-rules.js';
import { cappedWarnings } from './warnings.js';

// Pods and workload pod templates in STRICT namespaces: the static rules (pod-rules.ts), on
// UPDATE only what changed (MW-SIDECAR-005 for meshward's parts), and on Pod CREATE the
// injection's integrity (MW-SIDECAR-004).

export interface GateDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  /**
   * What the injector renders with: given, a Pod CREATE is also checked against what the
   * injector renders (MW-SIDECAR-004). `meshward serve` always has it; the policy-only CLI paths do not.
   */
  readonly injection?: { readonly templates: InjectionTemplates; readonly configHash: string };
}

function findingsOf(view: PodView, isPod: boolean, config: MeshwardConfig, namespace: KubeObject): Finding[] {
  return podFindings(view, config, { requireInjected: isPod, namespace });
}

/**
 * On UPDATE: a Pod is refused only for what the update introduced (its spec is mostly immutable,
 * so an old violation cannot be fixed in place and must not block finalizer removal) and for any
 * change to meshward's injection; a workload is judged on its new template unless the template
 * did not change.
 */
function judgeUpdate(
  update: { readonly object: KubeObject; readonly view: PodView; readonly old: KubeObject; readonly kind: string },
  findings: Finding[],
  config: MeshwardConfig,
  namespace: KubeObject,
): { refuse: Finding[]; warn: Finding[] } {
  const { object, view, old, kind } = update;
  const oldView = podViewOf(old, kind);
  if (!oldView) return { refuse: findings, warn: [] };
  if (kind === 'Pod') {
    const { introduced, preexisting } = splitByPrevious(findings, findingsOf(oldView, true, config, namespace));
    return { refuse: [...introduced, ...injectionChangeFindings(object, old)], warn: preexisting };
  }
  const unchanged = equalJson([oldView.labels, oldView.annotations, oldView.spec], [view.labels, view.annotations, view.spec]);
  return unchanged ? { refuse: [], warn: findings } : { refuse: findings, warn: [] };
}

export async function gatePodOrWorkload(request: AdmissionRequest, object: KubeObject, deps: GateDeps): Promise<AdmissionDecision> {
  const kind = request.kind.kind;
  const namespace = request.namespace || object.metadata?.namespace || 'default';
  if (podsUngated(namespace, deps.config)) return allow('not-gated');
  const ns = await tryRead(() => deps.cluster.getNamespace(namespace));
  if (ns instanceof Error) return denyUnavailable('metadata.namespace', `namespace ${namespace} is STRICT and this ${kind}`, ns);
  if (!ns) {
    // The API server only admits objects into existing namespaces: a miss is a stale cache.
    return deny([
      finding(
        'MW-GATE-002',
        'metadata.namespace',
        `namespace ${namespace} is not known to meshward yet, so it cannot tell whether it is STRICT (fail closed)`,
      ),
    ]);
  }
  if (!isStrictNamespace(ns)) return allow('not-strict');
  const view = podViewOf(object, kind);
  if (!view) return allow('compliant');
  const findings = findingsOf(view, kind === 'Pod', deps.config, ns);
  const verdict =
    request.operation === 'UPDATE' && request.oldObject
      ? judgeUpdate({ object, view, old: request.oldObject, kind }, findings, deps.config, ns)
      : { refuse: findings, warn: [] };
  const warnings = cappedWarnings(verdict.warn.map((f) => `pre-existing: ${formatFinding(f)}`));
  if (verdict.refuse.length > 0) return deny(verdict.refuse, warnings);
  const { injection } = deps;
  if (kind === 'Pod' && request.operation === 'CREATE' && injection) {
    const integrity = injectionIntegrityFindings(podInNamespace(object as V1Pod, namespace), { config: deps.config, ...injection });
    if (integrity.length > 0) return deny(integrity, warnings);
  }
  return allow(warnings.length > 0 ? 'preexisting-violations' : 'compliant', warnings);
}
