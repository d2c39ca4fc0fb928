import type { V1Pod } from '@kubernetes/client-node';
import type { PatchOperation } from '../admission/types.js';
import { ANNOTATION_STATUS, INIT_CONTAINER_NAME, PROXY_CONTAINER_NAME } from '../config/names.js';
import { escapePointer } from './json-pointer.js';
import type { InjectionContext, InjectionStatus } from './inject-pod.js';
import { parseBoolAnnotation } from './pod-options.js';
import { rewriteProbes } from './probes.js';
import { renderPodProxyFiles } from './proxy-files.js';

/**
 * Reinvocation (reinvocationPolicy: IfNeeded): a later webhook may have added containers to an
 * injected pod. Their probes are rewritten and the proxy's routes re-rendered (into meshward-init's
 * env); nothing else changes, so a pod with nothing new yields no patch.
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
  const containers = pod.spec?.containers ?? [];
  const initIndex = (pod.spec?.initContainers ?? []).findIndex((c) => c.name === INIT_CONTAINER_NAME);
  if (initIndex < 0) return [];
  const rewrites = rewriteProbes(containers).filter((r) => containers[r.containerIndex]!.name !== PROXY_CONTAINER_NAME);
  if (rewrites.length === 0) return [];
  const probes = [...(status.probes ?? []), ...rewrites.map((r) => r.route)];
  const files = renderPodProxyFiles(pod, context.config, context.modes, probes);
  const next: InjectionStatus = { ...status, probes, proxyConfigHash: files.hash };
  const env = pod.spec!.initContainers![initIndex]!.env ?? [];
  const envPath = `/spec/initContainers/${initIndex}/env`;
  return [
    ...rewrites.map((r): PatchOperation => ({ op: 'replace', path: `/spec/containers/${r.containerIndex}/${r.probe}`, value: r.rewritten })),
    ...(env.length === 0 ? [{ op: 'add' as const, path: envPath, value: [] }] : []),
    ...files.env.map((e): PatchOperation => {
      const at = env.findIndex((x) => x.name === e.name);
      return at < 0 ? { op: 'add', path: `${envPath}/-`, value: { ...e } } : { op: 'replace', path: `${envPath}/${at}`, value: { ...e } };
    }),
    { op: 'add', path: `/metadata/annotations/${escapePointer(ANNOTATION_STATUS)}`, value: JSON.stringify(next) },
  ];
}
