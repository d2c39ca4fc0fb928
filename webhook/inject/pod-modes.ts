import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import type { ClusterState } from '../kube/cluster-state.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import { parseStoredPolicies } from '../policy/parse-policy.js';
import { resolveWorkloadModes, type WorkloadModes } from '../policy/resolve-modes.js';
import { declaredPorts } from './inject-pod.js';

// The modes a pod's proxy enforces, read from the cluster: the policies in the mesh and pod
// namespaces under the namespace's STRICT label. Nothing of it is in the injection any more; the
// xDS server resolves it live for each proxy (webhook/xds may import inject for this).

/** The modes the pod's proxy enforces: the policies in the mesh and pod namespaces, under the namespace's STRICT label. */
export async function resolvePodModes(
  pod: V1Pod,
  namespace: KubeObject | undefined,
  config: MeshwardConfig,
  cluster: ClusterState,
): Promise<WorkloadModes> {
  const name = pod.metadata?.namespace ?? 'default';
  const [mesh, local] = await Promise.all([
    cluster.listPolicies(config.mesh.namespace),
    name === config.mesh.namespace ? Promise.resolve([]) : cluster.listPolicies(name),
  ]);
  return resolveWorkloadModes({
    config,
    meshPolicies: parseStoredPolicies(mesh).policies,
    namespacePolicies: parseStoredPolicies(name === config.mesh.namespace ? mesh : local).policies,
    namespaceStrict: isStrictNamespace(namespace),
    podLabels: pod.metadata?.labels,
    ports: declaredPorts(pod),
  });
}
