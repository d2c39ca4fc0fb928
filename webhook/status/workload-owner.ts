import type { KubeObject } from '../admission/types.js';

// Which workload a pod belongs to, from its controller ownerReference alone (status reads pods,
// not ReplicaSets): a ReplicaSet named `<deployment>-<pod-template-hash>` whose pods carry that
// pod-template-hash label belongs to a Deployment; every other controller is the workload itself.

export interface WorkloadRef {
  readonly kind: string;
  readonly name: string;
}

const TEMPLATE_HASH_LABEL = 'pod-template-hash';

export function workloadOf(pod: KubeObject): WorkloadRef {
  const owners = pod.metadata?.ownerReferences ?? [];
  const controller = owners.find((o) => o.controller === true) ?? (owners.length === 1 ? owners[0] : undefined);
  const podName = pod.metadata?.name ?? pod.metadata?.generateName ?? '<unnamed>';
  if (!controller?.kind || !controller.name) return { kind: 'Pod', name: podName };
  if (controller.kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.[TEMPLATE_HASH_LABEL];
    const suffix = hash ? `-${hash}` : '';
    if (suffix && controller.name.endsWith(suffix) && controller.name.length > suffix.length) {
      return { kind: 'Deployment', name: controller.name.slice(0, -suffix.length) };
    }
  }
  return { kind: controller.kind, name: controller.name };
}

/** `Deployment/web`: how tables and comments name a workload. */
export function formatWorkload(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.name}`;
}

/** The kubectl command that restarts a workload's pods (a bare Pod is deleted and recreated). */
export function restartCommand(ref: WorkloadRef, namespace: string): string {
  const restartable: Record<string, string> = { Deployment: 'deployment', StatefulSet: 'statefulset', DaemonSet: 'daemonset' };
  const resource = restartable[ref.kind];
  if (resource) return `kubectl rollout restart ${resource}/${ref.name} -n ${namespace}`;
  if (ref.kind === 'Pod') return `kubectl delete pod ${ref.name} -n ${namespace} (and create it again)`;
  return `recreate the pods of ${ref.kind}/${ref.name} in ${namespace}`;
}
