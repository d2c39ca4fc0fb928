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
import type { MeshAuthorizationPolicy, WorkloadAuthorization } from '../policy/authorization-types.js';
import { parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
import { resolveWorkloadAuthorization } from '../policy/resolve-authorization.js';

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
 * What the policies say about each pod, for one build: its live mTLS modes and who may call its
 * ports, each resolved once per pod however many Services and proxies ask, from the policies of
 * its namespace and the mesh namespace parsed once per namespace. Build a new one per rebuild.
 */
export class PodPolicies {
  private readonly perNamespace = new Map<string, NamespacePolicies>();
  private readonly perPod = new Map<string, { modes?: WorkloadModes; authorization?: WorkloadAuthorization }>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
  ) {}

  modes(pod: Pod): WorkloadModes {
    const entry = this.entry(pod);
    entry.modes ??= resolveWorkloadModes({
      config: this.config,
      meshPolicies: this.of(this.config.mesh.namespace).tls,
      namespacePolicies: this.of(namespaceOf(pod)).tls,
      namespaceStrict: this.of(namespaceOf(pod)).strict,
      podLabels: pod.metadata.labels,
      ports: declaredPorts(pod as unknown as V1Pod),
    });
    return entry.modes;
  }

  authorization(pod: Pod): WorkloadAuthorization {
    const entry = this.entry(pod);
    entry.authorization ??= resolveWorkloadAuthorization({
      config: this.config,
      meshPolicies: this.of(this.config.mesh.namespace).authorization,
      namespacePolicies: this.of(namespaceOf(pod)).authorization,
      podLabels: pod.metadata.labels,
      ports: declaredPorts(pod as unknown as V1Pod),
    });
    return entry.authorization;
  }

  private entry(pod: Pod): { modes?: WorkloadModes; authorization?: WorkloadAuthorization } {
    const key = `${namespaceOf(pod)}/${pod.metadata.name}/${pod.metadata.resourceVersion ?? ''}`;
    let entry = this.perPod.get(key);
    if (!entry) this.perPod.set(key, (entry = {}));
    return entry;
  }

  // A stored policy that does not parse (it predates the CRD's schema) selects nothing; the gate reports it.
  private of(namespace: string): NamespacePolicies {
    let policies = this.perNamespace.get(namespace);
    if (!policies) {
      const ns = this.view.namespace(namespace);
      policies = {
        tls: parseStoredPolicies(this.view.policies(namespace).map((p) => asKubeObject(p))).policies,
        authorization: parseStoredAuthorizationPolicies(this.view.authorizationPolicies(namespace).map((p) => asKubeObject(p))).policies,
        strict: isStrictNamespace(ns && asKubeObject(ns, 'v1', 'Namespace')),
      };
      this.perNamespace.set(namespace, policies);
    }
    return policies;
  }
}

interface NamespacePolicies {
  readonly tls: readonly MeshTLSPolicy[];
  readonly authorization: readonly MeshAuthorizationPolicy[];
  readonly strict: boolean;
}

const namespaceOf = (pod: Pod): string => pod.metadata.namespace ?? 'default';

/** The mode of one port of a pod: its own entry, else the workload mode. */
export function portMode(modes: WorkloadModes, port: number): WorkloadModes['workloadMode'] {
  return modes.ports.find((p) => p.port === port)?.mode ?? modes.workloadMode;
}
