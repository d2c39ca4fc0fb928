// What the control plane reads of the cluster, as plain synchronous lookups: the informer caches
// in a running server (mesh-cache.ts), a fixed set of objects in tests. Every builder in this
// folder takes a MeshView, so a proxy's configuration is a pure function of it.

import type { V1Pod } from '@kubernetes/client-node';
import type { MeshwardConfig } from '../config/types.js';
import { declaredPorts } from '../inject/inject-pod.js';
import type { EndpointSlice, KubeResourceObject, Namespace, Pod, Service } from '../kube/types.js';
import { asKubeObject } from '../kube/types.js';
import { isStrictNamespace } from '../policy/namespace-label.js';
import type { MeshTLSPolicy } from '../policy/mesh-tls-policy.js';
import { parseStoredPolicies } from '../policy/parse-policy.js';
import { resolveWorkloadModes, type WorkloadModes } from '../policy/resolve-modes.js';

export interface MeshView {
  namespace(name: string): Namespace | undefined;
  /** MeshTLSPolicies in one namespace. */
  policies(namespace: string): readonly KubeResourceObject[];
  /** MeshAuthorizationPolicies in one namespace, as stored. */
  authorizationPolicies(namespace: string): readonly KubeResourceObject[];
  /** Injected pods only (the cache holds no others): undefined means "not meshed". */
  pod(namespace: string, name: string): Pod | undefined;
  services(): readonly Service[];
  /** The EndpointSlices of one Service (label kubernetes.io/service-name). */
  endpointSlices(namespace: string, service: string): readonly EndpointSlice[];
}

/**
 * Live modes of pods, memoised for one build: policies are parsed once per namespace, and each pod
 * resolved once, however many Services and proxies ask. Build a new one per rebuild.
 */
export class ModeResolver {
  private readonly parsed = new Map<string, readonly MeshTLSPolicy[]>();
  private readonly byPod = new Map<string, WorkloadModes>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
  ) {}

  modes(pod: Pod): WorkloadModes {
    const ns = pod.metadata.namespace ?? 'default';
    const key = `${ns}/${pod.metadata.name}/${pod.metadata.resourceVersion ?? ''}`;
    let modes = this.byPod.get(key);
    if (!modes) {
      modes = resolveWorkloadModes({
        config: this.config,
        meshPolicies: this.policiesOf(this.config.mesh.namespace),
        namespacePolicies: this.policiesOf(ns),
        namespaceStrict: isStrictNamespace(this.namespaceObject(ns)),
        podLabels: pod.metadata.labels,
        ports: declaredPorts(pod as unknown as V1Pod),
      });
      this.byPod.set(key, modes);
    }
    return modes;
  }

  private namespaceObject(name: string): ReturnType<typeof asKubeObject> | undefined {
    const ns = this.view.namespace(name);
    return ns && asKubeObject(ns, 'v1', 'Namespace');
  }

  private policiesOf(namespace: string): readonly MeshTLSPolicy[] {
    let policies = this.parsed.get(namespace);
    if (!policies) {
      policies = parseStoredPolicies(this.view.policies(namespace).map((p) => asKubeObject(p))).policies;
      this.parsed.set(namespace, policies);
    }
    return policies;
  }
}

/** The mode of one port of a pod: its own entry, else the workload mode. */
export function portMode(modes: WorkloadModes, port: number): WorkloadModes['workloadMode'] {
  return modes.ports.find((p) => p.port === port)?.mode ?? modes.workloadMode;
}
