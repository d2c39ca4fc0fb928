import type { V1Pod } from '@kubernetes/client-node';
import type { AdmissionDecision, AdmissionRequest, KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { InjectionTemplates } from '../inject/templates.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { allow, deny, denyUnavailable, tryRead } from './decisions.js';
import { injectionIntegrityFindings } from './injection-integrity.js';
import { isStrictNamespace, podsUngated } from './namespace-mode.js';
import { podFindings } from './pod-rules.js';
import { podViewOf, type PodView } from './pod-template.js';
import { finding, formatFinding, type Finding } from './rules.js';
import { sameContent, splitByPrevious } from './update-rules.js';
import { cappedWarnings } from './warnings.js';

// Pods (rules 1–5) and workload pod templates (rule 8: rules 1–4) in STRICT namespaces.

export interface GateDeps {
  readonly config: MeshwardConfig;
  readonly cluster: ClusterState;
  /**
   * The injection templates: with them, a Pod CREATE is also checked against what the injector
   * renders (MW-SIDECAR-004). `meshward serve` always has them; the policy-only CLI paths do not.
   */
  readonly templates?: InjectionTemplates;
}

function findingsOf(view: PodView, isPod: boolean, config: MeshwardConfig): Finding[] {
  return podFindings(view, config, { requireInjected: isPod });
}

/**
 * On UPDATE: a Pod is refused only for what the update introduced (its spec is mostly immutable,
 * so an old violation cannot be fixed in place and must not block finalizer removal); a workload
 * is judged on its new template unless the template did not change.
 */
function judgeUpdate(view: PodView, old: KubeObject, kind: string, isPod: boolean, findings: Finding[], config: MeshwardConfig): { refuse: Finding[]; warn: Finding[] } {
  const oldView = podViewOf(old, kind);
  if (!oldView) return { refuse: findings, warn: [] };
  if (isPod) {
    const { introduced, preexisting } = splitByPrevious(findings, findingsOf(oldView, true, config));
    return { refuse: introduced, warn: preexisting };
  }
  const unchanged = sameContent([oldView.labels, oldView.annotations, oldView.spec], [view.labels, view.annotations, view.spec]);
  return unchanged ? { refuse: [], warn: findings } : { refuse: findings, warn: [] };
}

export async function gatePodOrWorkload(request: AdmissionRequest, object: KubeObject, deps: GateDeps): Promise<AdmissionDecision> {
  const isPod = request.kind.kind === 'Pod';
  const namespace = request.namespace || object.metadata?.namespace || 'default';
  if (podsUngated(namespace, deps.config)) return allow('not-gated');
  const ns = await tryRead(() => deps.cluster.getNamespace(namespace));
  if (ns instanceof Error) return denyUnavailable('metadata.namespace', `namespace ${namespace} is STRICT and this ${request.kind.kind}`, ns);
  if (!ns) {
    // The API server only admits objects into existing namespaces: a miss is a stale cache.
    return deny([finding('MW-GATE-002', 'metadata.namespace', `namespace ${namespace} is not known to meshward yet, so it cannot tell whether it is STRICT (fail closed)`)]);
  }
  if (!isStrictNamespace(ns)) return allow('not-strict');
  const view = podViewOf(object, request.kind.kind);
  if (!view) return allow('compliant');
  const findings = findingsOf(view, isPod, deps.config);
  const verdict = request.operation === 'UPDATE' && request.oldObject ? judgeUpdate(view, request.oldObject, request.kind.kind, isPod, findings, deps.config) : { refuse: findings, warn: [] };
  const warnings = cappedWarnings(verdict.warn.map((f) => `pre-existing: ${formatFinding(f)}`));
  if (verdict.refuse.length > 0) return deny(verdict.refuse, warnings);
  if (isPod && request.operation === 'CREATE' && deps.templates) {
    const integrity = await tryRead(() => injectionIntegrityFindings(object as V1Pod, namespace, { ...deps, templates: deps.templates! }));
    if (integrity instanceof Error) return denyUnavailable('metadata.namespace', `the injection of this pod in STRICT namespace ${namespace}`, integrity);
    if (integrity.length > 0) return deny(integrity, warnings);
  }
  return allow(warnings.length > 0 ? 'preexisting-violations' : 'compliant', warnings);
}
