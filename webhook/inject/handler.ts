import type { V1Pod } from '@kubernetes/client-node';
import type { AdmissionDecision, AdmissionHandler, AdmissionRequest } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { ClusterUnavailableError, type ClusterState } from '../kube/cluster-state.js';
import { decideInjection, podInNamespace } from './decide.js';
import { injectPod, type InjectionContext } from './inject-pod.js';
import { reinjectProbes } from './reinvoke.js';
import type { InjectReason } from './skip-reasons.js';
import type { InjectionTemplates } from './templates.js';

export interface InjectHandlerDeps {
  readonly config: MeshwardConfig;
  readonly templates: InjectionTemplates;
  readonly configHash: string;
  readonly cluster: ClusterState;
  /** Current trust-root fingerprint (recorded in each pod's status annotation). */
  readonly trustRootFingerprint?: () => string | undefined;
}

function allow(reason: InjectReason): AdmissionDecision {
  return { allowed: true, reason };
}

/** POST /mutate: injects opted-in pods on CREATE; every other request passes untouched. */
export function createInjectHandler(deps: InjectHandlerDeps): AdmissionHandler {
  const { config, cluster } = deps;
  return async (request: AdmissionRequest): Promise<AdmissionDecision> => {
    if (request.kind.kind !== 'Pod' || request.subResource || !request.object) return allow('not-a-pod-create');
    const pod = request.object as unknown as V1Pod;
    const namespace = request.namespace || pod.metadata?.namespace || 'default';
    const inNamespace = podInNamespace(pod, namespace);
    try {
      const namespaceObject = await cluster.getNamespace(namespace);
      const decision = decideInjection(inNamespace, namespace, namespaceObject, config.mesh.namespace);
      if (!decision.inject) {
        if (decision.reason === 'invalid-annotation')
          return { allowed: false, code: 400, reason: decision.reason, message: decision.problem };
        if (decision.reason !== 'already-injected' || request.operation !== 'CREATE') return allow(decision.reason);
        const patch = reinjectProbes(inNamespace, deps);
        return patch.length > 0 ? { allowed: true, reason: 'reinvoked-probes', patch } : allow('already-injected');
      }
      if (request.operation !== 'CREATE') return allow('not-a-pod-create');
      const result = injectPod(inNamespace, contextFor(deps));
      if (!result.ok) {
        return { allowed: false, code: 400, reason: result.reason, message: result.problems.map((p) => p.message).join('; ') };
      }
      return { allowed: true, reason: 'injected', patch: result.patch };
    } catch (err) {
      if (!(err instanceof ClusterUnavailableError)) throw err;
      return {
        allowed: false,
        code: 503,
        reason: 'cluster-unavailable',
        message: `meshward cannot inject this pod safely: ${err.message}. Retry once the API server is reachable.`,
      };
    }
  };
}

function contextFor(deps: InjectHandlerDeps): InjectionContext {
  return {
    config: deps.config,
    templates: deps.templates,
    configHash: deps.configHash,
    trustRootFingerprint: deps.trustRootFingerprint?.(),
  };
}
