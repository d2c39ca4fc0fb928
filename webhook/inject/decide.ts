import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import {
  ANNOTATION_PREFIX,
  INIT_CONTAINER_NAME,
  LABEL_INJECT,
  MIRROR_POD_ANNOTATION,
  PROXY_CONTAINER_NAME,
  SYSTEM_NAMESPACES,
} from '../config/names.js';
import { parseBooleanValue } from '../config/fields.js';
import { namespaceInjection } from '../policy/namespace-label.js';
import type { InjectReason } from './skip-reasons.js';

export type InjectDecision = { inject: true } | { inject: false; reason: InjectReason; problem?: string };

/**
 * The one reading of a meshward.io/inject value (label or annotation, injector, gate and check):
 * "true" or "false" in any case; undefined for anything else.
 */
export function parseInjectValue(raw: unknown): boolean | undefined {
  return parseBooleanValue(raw);
}

/** The pod's own opt-in/out: label preferred, annotation accepted. */
export function podInjectOverride(pod: V1Pod): { value?: boolean; problem?: string } {
  const fromLabel = pod.metadata?.labels?.[LABEL_INJECT];
  const raw = fromLabel ?? pod.metadata?.annotations?.[LABEL_INJECT];
  if (raw === undefined) return {};
  const value = parseInjectValue(raw);
  if (value !== undefined) return { value };
  const field = fromLabel !== undefined ? `metadata.labels["${LABEL_INJECT}"]` : `metadata.annotations["${ANNOTATION_PREFIX}inject"]`;
  return { problem: `${field}: ${JSON.stringify(raw)} is not valid; use "true" or "false"` };
}

/**
 * Whether the API server sends a pod with these labels to the injector (the injector webhooks'
 * selectors): its namespace opted in, or, in a namespace that neither opted in nor out, the pod
 * is labelled exactly "true". An annotation never opts a pod in: selectors do not read them.
 */
export function optedIn(namespaceObject: KubeObject | undefined, podLabels: Readonly<Record<string, unknown>> | undefined): boolean {
  const injection = namespaceInjection(namespaceObject);
  return injection === 'enabled' || (injection !== 'disabled' && podLabels?.[LABEL_INJECT] === 'true');
}

/** The pod as seen in `namespace` (the API server may leave metadata.namespace unset on CREATE). */
export function podInNamespace(pod: V1Pod, namespace: string): V1Pod {
  return pod.metadata?.namespace === namespace ? pod : { ...pod, metadata: { ...pod.metadata, namespace } };
}

/** True when meshward already injected the pod (proxy in either placement, or its init container). */
export function isInjected(pod: V1Pod): boolean {
  return (
    (pod.spec?.containers ?? []).some((c) => c.name === PROXY_CONTAINER_NAME) ||
    (pod.spec?.initContainers ?? []).some((c) => c.name === PROXY_CONTAINER_NAME || c.name === INIT_CONTAINER_NAME)
  );
}

/**
 * Whether to inject a pod being created in `namespace`. The webhook's namespaceSelector already
 * did the first cut; this is the authoritative decision (also used offline by `meshward inject`).
 */
export function decideInjection(
  pod: V1Pod,
  namespace: string,
  namespaceObject: KubeObject | undefined,
  meshNamespace: string,
): InjectDecision {
  if (SYSTEM_NAMESPACES.includes(namespace)) return { inject: false, reason: 'system-namespace' };
  if (namespace === meshNamespace) return { inject: false, reason: 'meshward-namespace' };
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { inject: false, reason: 'mirror-pod' };
  if (isInjected(pod)) return { inject: false, reason: 'already-injected' };
  const override = podInjectOverride(pod);
  if (override.problem) return { inject: false, reason: 'invalid-annotation', problem: override.problem };
  if (override.value === false) return { inject: false, reason: 'pod-opted-out' };
  if (pod.spec?.hostNetwork === true) return { inject: false, reason: 'host-network' };
  if (namespaceInjection(namespaceObject) === 'disabled') return { inject: false, reason: 'namespace-disabled' };
  return optedIn(namespaceObject, pod.metadata?.labels) ? { inject: true } : { inject: false, reason: 'namespace-not-enabled' };
}
