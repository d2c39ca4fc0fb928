import type { V1Pod } from '@kubernetes/client-node';
import fastJsonPatch from 'fast-json-patch';
import type { KubeObject } from '../admission/types.js';
import { LABEL_INJECT } from '../config/names.js';
import type { MeshwardConfig } from '../config/types.js';
import { decideInjection } from './decide.js';
import { injectPod, type InjectionContext } from './inject-pod.js';
import type { AnnotationProblem } from './pod-options.js';
import type { InjectReason } from './skip-reasons.js';
import type { InjectionTemplates } from './templates.js';
import { podTemplateOf } from './workloads.js';

export interface OfflineInjectDeps {
  readonly config: MeshwardConfig;
  readonly templates: InjectionTemplates;
  readonly configHash: string;
  /** Namespace of objects that name none (like `kubectl apply -n`). Default "default". */
  readonly defaultNamespace?: string;
}

export type ObjectOutcome =
  | { readonly object: KubeObject; readonly injected: true }
  | { readonly object: KubeObject; readonly injected: false; readonly reason: InjectReason | 'not-a-workload' }
  | {
      readonly object: KubeObject;
      readonly injected: false;
      readonly reason: 'invalid-annotation' | 'reserved-port';
      readonly problems: AnnotationProblem[];
    };

// `meshward inject` is an explicit request to inject: the namespace label is not required.
const ENABLED_NAMESPACE: KubeObject = { metadata: { labels: { [LABEL_INJECT]: 'enabled' } } };

/**
 * Injects a Pod or a workload's pod template, offline (`meshward inject`): the same engine as
 * the webhook, applied to the object with fast-json-patch. Other objects pass through unchanged.
 */
export async function injectObject(object: KubeObject, deps: OfflineInjectDeps): Promise<ObjectOutcome> {
  const namespace = object.metadata?.namespace || deps.defaultNamespace || 'default';
  const found = object.kind === 'Pod' ? { path: [] as string[], template: object as Record<string, any> } : podTemplateOf(object);
  if (!found) return { object, injected: false, reason: 'not-a-workload' };
  const pod = { metadata: { ...found.template.metadata, namespace }, spec: found.template.spec } as V1Pod;
  const decision = decideInjection(pod, namespace, ENABLED_NAMESPACE, deps.config.mesh.namespace);
  if (!decision.inject) {
    if (decision.reason === 'invalid-annotation') {
      return {
        object,
        injected: false,
        reason: 'invalid-annotation',
        problems: [{ field: 'metadata', value: '', message: decision.problem ?? '' }],
      };
    }
    return { object, injected: false, reason: decision.reason };
  }
  const context: InjectionContext = { config: deps.config, templates: deps.templates, configHash: deps.configHash };
  const result = injectPod(pod, context);
  if (!result.ok) return { object, injected: false, reason: result.reason, problems: result.problems };
  const target = structuredClone({ metadata: found.template.metadata ?? {}, spec: found.template.spec ?? {} });
  const patched = fastJsonPatch.applyPatch(target, result.patch as fastJsonPatch.Operation[], true, false).newDocument;
  if (found.path.length === 0) {
    // A Pod keeps its own namespace field as given.
    const { namespace: _ns, ...metadata } = patched.metadata as Record<string, unknown>;
    return {
      object: { ...object, metadata: object.metadata?.namespace ? patched.metadata : metadata, spec: patched.spec },
      injected: true,
    };
  }
  const copy = structuredClone(object) as Record<string, any>;
  let parent = copy;
  for (const key of found.path.slice(0, -1)) parent = parent[key];
  parent[found.path[found.path.length - 1]!] = {
    ...parent[found.path[found.path.length - 1]!],
    metadata: patched.metadata,
    spec: patched.spec,
  };
  return { object: copy as KubeObject, injected: true };
}
