import type { KubeObject } from '../admission/types.js';

/** Where each workload kind keeps its pod template (JSON path segments from the object root). */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The pod template of a workload object, or undefined for other kinds or a missing template. */
export function podTemplateOf(object: KubeObject): { path: readonly string[]; template: Record<string, any> } | undefined {
  const path = typeof object.kind === 'string' ? POD_TEMPLATE_PATHS[object.kind] : undefined;
  if (!path) return undefined;
  let cur: unknown = object;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'object' && cur !== null ? { path, template: cur as Record<string, any> } : undefined;
}
