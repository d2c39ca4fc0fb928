import type { V1Pod } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import { ANNOTATION_STATUS, INIT_CONTAINER_NAME } from '../config/names.js';
import { escapePointer } from './json-pointer.js';
import type { InjectionContext, InjectionStatus } from './inject-pod.js';
import { parseBoolAnnotation } from './pod-options.js';
import { podProbeRewrites, probeRewriteOperations } from './probes.js';
import { checkProxyProbes } from './proxy-probes.js';
import { uninjectPod } from './uninject.js';

/**
 * Reinvocation (reinvocationPolicy: IfNeeded): a later webhook may have added containers or
 * native sidecars to an injected pod. Their probes are rewritten and recorded in the status
 * annotation, where the xDS server reads the routes it serves; nothing else changes, so a pod with
 * nothing new yields no patch.
 */
export function reinjectProbes(pod: V1Pod, context: Pick<InjectionContext, 'config'>): PatchOperation[] {
  const annotations = pod.metadata?.annotations ?? {};
  let status: InjectionStatus;
  try {
    status = JSON.parse(annotations[ANNOTATION_STATUS] ?? '') as InjectionStatus;
  } catch {
    return [];
  }
  if (!parseBoolAnnotation(annotations, 'rewrite-probes', context.config.proxy.rewriteProbes, [])) return [];
  if (!(pod.spec?.initContainers ?? []).some((c) => c.name === INIT_CONTAINER_NAME)) return [];
  // Probes already rewritten point at the status port and yield no rewrite: only new ones do.
  const rewrites = podProbeRewrites(pod.spec);
  if (rewrites.length === 0) return [];
  // Every route, in the order a fresh injection records them (so the gate can re-render this pod).
  const probes = podProbeRewrites(uninjectPod(pod, status.probes ?? []).pod.spec).map((r) => r.route);
  checkProxyProbes(probes);
  const next: InjectionStatus = { ...status, probes };
  return [
    ...rewrites.flatMap(probeRewriteOperations),
    { op: 'add', path: `/metadata/annotations/${escapePointer(ANNOTATION_STATUS)}`, value: JSON.stringify(next) },
  ];
}
