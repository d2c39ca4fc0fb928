import type { V1Pod } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import { ANNOTATION_STATUS, INIT_CONTAINER_NAME } from '../config/names.js';
import { escapePointer } from './json-pointer.js';
import type { InjectionContext, InjectionStatus } from './inject-pod.js';
import { parseBoolAnnotation } from './pod-options.js';
import { podProbeRewrites } from './probes.js';
import { uninjectPod } from './uninject.js';
import { renderPodProxyFiles } from './proxy-files.js';

/**
 * Reinvocation (reinvocationPolicy: IfNeeded): a later webhook may have added containers or
 * native sidecars to an injected pod. Their probes are rewritten and the proxy's routes
 * re-rendered (into meshward-init's env); nothing else changes, so a pod with nothing new yields
 * no patch.
 */
export function reinjectProbes(pod: V1Pod, context: InjectionContext): PatchOperation[] {
  const annotations = pod.metadata?.annotations ?? {};
  let status: InjectionStatus;
  try {
    status = JSON.parse(annotations[ANNOTATION_STATUS] ?? '') as InjectionStatus;
  } catch {
    return [];
  }
  if (!parseBoolAnnotation(annotations, 'rewrite-probes', context.config.proxy.rewriteProbes, [])) return [];
  const initIndex = (pod.spec?.initContainers ?? []).findIndex((c) => c.name === INIT_CONTAINER_NAME);
  if (initIndex < 0) return [];
  // Probes already rewritten point at the status port and yield no rewrite: only new ones do.
  const rewrites = podProbeRewrites(pod.spec);
  if (rewrites.length === 0) return [];
  // Every route, in the order a fresh injection records them (so the gate can re-render this pod).
  const probes = podProbeRewrites(uninjectPod(pod, status.probes ?? []).pod.spec).map((r) => r.route);
  const files = renderPodProxyFiles(pod, context.config, context.modes, probes);
  const next: InjectionStatus = { ...status, probes, proxyConfigHash: files.hash };
  const env = pod.spec!.initContainers![initIndex]!.env ?? [];
  const envPath = `/spec/initContainers/${initIndex}/env`;
  return [
    ...rewrites.map((r): PatchOperation => ({ op: 'replace', path: r.pointer, value: r.rewritten })),
    ...(env.length === 0 ? [{ op: 'add' as const, path: envPath, value: [] }] : []),
    ...files.env.map((e): PatchOperation => {
      const at = env.findIndex((x) => x.name === e.name);
      return at < 0 ? { op: 'add', path: `${envPath}/-`, value: { ...e } } : { op: 'replace', path: `${envPath}/${at}`, value: { ...e } };
    }),
    { op: 'add', path: `/metadata/annotations/${escapePointer(ANNOTATION_STATUS)}`, value: JSON.stringify(next) },
  ];
}
