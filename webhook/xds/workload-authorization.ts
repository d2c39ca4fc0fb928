// Each pod's WorkloadAuthorization (who may call each of its ports, by identity) for one build:
// MeshAuthorizationPolicies parsed once per namespace and each pod resolved once, like ModeResolver
// does for modes. The parser and the resolver belong to webhook/policy; the control plane takes them
// as an AuthorizationSource so that the inbound listener depends on the resolver's output only.

import type { V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../admission/types.js';
import type { MeshwardConfig } from '../config/types.js';
import { declaredPorts } from '../inject/inject-pod.js';
import { asKubeObject, type Pod } from '../kube/types.js';
import type { MeshAuthorizationPolicy, WorkloadAuthorization } from '../policy/authorization-types.js';
import type { MeshView } from './mesh-view.js';

/** What the resolver is asked for one pod (the same facts ModeResolver hands resolveWorkloadModes). */
export interface AuthorizationInput {
  readonly config: MeshwardConfig;
  readonly namespace: string;
  /** Policies of the mesh namespace (config.mesh.namespace): the mesh-wide ones live there. */
  readonly meshPolicies: readonly MeshAuthorizationPolicy[];
  /** Policies of the pod's own namespace. */
  readonly namespacePolicies: readonly MeshAuthorizationPolicy[];
  readonly podLabels: Readonly<Record<string, string>> | undefined;
  /** The pod's declared TCP ports, ascending. */
  readonly ports: readonly number[];
}

/** The policy folder's parser and resolver, as the control plane calls them. */
export interface AuthorizationSource {
  /** Stored MeshAuthorizationPolicy objects of one namespace → the shared shape. */
  parse(objects: readonly KubeObject[]): readonly MeshAuthorizationPolicy[];
  resolve(input: AuthorizationInput): WorkloadAuthorization;
}

/**
 * The source `meshward serve` uses. The policy resolver plugs in here
 * ({ parse: its stored-policy parser, resolve: resolveWorkloadAuthorization }); without one every
 * port admits the whole mesh and the inbound listener carries no RBAC filter.
 */
export const POLICY_AUTHORIZATION: AuthorizationSource | undefined = undefined;

/** Memoised for one build: make a new one per rebuild, as the policies it read may have changed. */
export class AuthorizationResolver {
  private readonly parsed = new Map<string, readonly MeshAuthorizationPolicy[]>();
  private readonly byPod = new Map<string, WorkloadAuthorization>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
    private readonly source: AuthorizationSource | undefined,
  ) {}

  /** undefined without a source: the proxy renders no authorization at all. */
  authorization(pod: Pod): WorkloadAuthorization | undefined {
    if (!this.source) return undefined;
    const ns = pod.metadata.namespace ?? 'default';
    const key = `${ns}/${pod.metadata.name}/${pod.metadata.resourceVersion ?? ''}`;
    let resolved = this.byPod.get(key);
    if (!resolved) {
      resolved = this.source.resolve({
        config: this.config,
        namespace: ns,
        meshPolicies: this.policiesOf(this.config.mesh.namespace),
        namespacePolicies: this.policiesOf(ns),
        podLabels: pod.metadata.labels,
        ports: declaredPorts(pod as unknown as V1Pod),
      });
      this.byPod.set(key, resolved);
    }
    return resolved;
  }

  private policiesOf(namespace: string): readonly MeshAuthorizationPolicy[] {
    let policies = this.parsed.get(namespace);
    if (!policies) {
      policies = this.source!.parse(this.view.authorizationPolicies(namespace).map((p) => asKubeObject(p)));
      this.parsed.set(namespace, policies);
    }
    return policies;
  }
}
