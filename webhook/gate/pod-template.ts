import type { KubeObject } from '../admission/types.js';

// Where the pod spec lives in each kind the gate checks. Pods are checked as they are; workloads
// through their pod template, so a STRICT violation is refused when the workload is applied,
// not later when its controller fails to create pods.

export interface WorkloadKind {
  readonly group: string;
  /** Path from the object to the pod template. */
  readonly templatePath: readonly string[];
}

export const WORKLOAD_KINDS: Readonly<Record<string, WorkloadKind>> = {
  Deployment: { group: 'apps', templatePath: ['spec', 'template'] },
  StatefulSet: { group: 'apps', templatePath: ['spec', 'template'] },
  DaemonSet: { group: 'apps', templatePath: ['spec', 'template'] },
  ReplicaSet: { group: 'apps', templatePath: ['spec', 'template'] },
  ReplicationController: { group: '', templatePath: ['spec', 'template'] },
  Job: { group: 'batch', templatePath: ['spec', 'template'] },
  CronJob: { group: 'batch', templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
};

/** The part of a pod (or pod template) the rules read, and the field prefix for messages. */
export interface PodView {
  readonly labels: Readonly<Record<string, unknown>>;
  readonly annotations: Readonly<Record<string, unknown>>;
  readonly spec: Readonly<Record<string, unknown>>;
  /** '' for a Pod, 'spec.template.' for a Deployment, 'spec.jobTemplate.spec.template.' for a CronJob. */
  readonly prefix: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function viewOf(template: Record<string, unknown>, prefix: string): PodView {
  const metadata = asRecord(template.metadata);
  return { labels: asRecord(metadata.labels), annotations: asRecord(metadata.annotations), spec: asRecord(template.spec), prefix };
}

export function isWorkloadKind(group: string, kind: string): boolean {
  return WORKLOAD_KINDS[kind]?.group === group;
}

/** The pod itself, or a workload's pod template; undefined when a workload has no template. */
export function podViewOf(object: KubeObject, kind: string | undefined = object.kind): PodView | undefined {
  if (kind === 'Pod') return viewOf(object, '');
  const workload = kind ? WORKLOAD_KINDS[kind] : undefined;
  if (!workload) return undefined;
  let node: unknown = object;
  for (const key of workload.templatePath) node = isRecord(node) ? node[key] : undefined;
  return isRecord(node) ? viewOf(node, `${workload.templatePath.join('.')}.`) : undefined;
}
