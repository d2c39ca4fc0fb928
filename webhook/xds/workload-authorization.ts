// Each pod's WorkloadAuthorization (who may call each of its ports, by identity) for one build:
// MeshAuthorizationPolicies parsed once per namespace and each pod resolved once by the policy
// folder's resolver (the one the gate, check and generate use), as ModeResolver does for modes.

import type { V1Pod } from '@kubernetes/client-node';
import type { MeshwardConfig } from '../config/types.js';
import { declaredPorts } from '../inject/inject-pod.js';
import { asKubeObject, type Pod } from '../kube/types.js';
import type { MeshAuthorizationPolicy, WorkloadAuthorization } from '../policy/authorization-types.js';
import { parseStoredAuthorizationPolicies } from '../policy/parse-authorization.js';
import { resolveWorkloadAuthorization } from '../policy/resolve-authorization.js';
import type { MeshView } from './mesh-view.js';

/** Memoised for one build: make a new one per rebuild, as the policies it read may have changed. */
export class AuthorizationResolver {
  private readonly parsed = new Map<string, readonly MeshAuthorizationPolicy[]>();
  private readonly byPod = new Map<string, WorkloadAuthorization>();

  constructor(
    private readonly view: MeshView,
    private readonly config: MeshwardConfig,
  ) {}

  authorization(pod: Pod): WorkloadAuthorization {
    const ns = pod.metadata.namespace ?? 'default';
    const key = `${ns}/${pod.metadata.name}/${pod.metadata.resourceVersion ?? ''}`;
    let resolved = this.byPod.get(key);
    if (!resolved) {
      resolved = resolveWorkloadAuthorization({
        config: this.config,
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
      // A stored policy that does not parse (it predates the schema) selects nothing; the gate reports it.
      policies = parseStoredAuthorizationPolicies(this.view.authorizationPolicies(namespace).map((p) => asKubeObject(p))).policies;
      this.parsed.set(namespace, policies);
    }
    return policies;
  }
}
