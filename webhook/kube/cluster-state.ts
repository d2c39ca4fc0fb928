import type { KubeObject } from '../admission/types.js';

/**
 * The cluster as the decision code sees it: namespaces, MeshTLSPolicies and
 * MeshAuthorizationPolicies, read from informer
 * caches in a cluster (kube/informers) or from YAML manifests offline (kube/static-state).
 * Decisions take this as an argument, so tests pass a static one and need no mocking.
 */
export interface ClusterState {
  /** The Namespace object, or undefined if it does not exist. Throws ClusterUnavailableError. */
  getNamespace(name: string): Promise<KubeObject | undefined>;
  /** MeshTLSPolicies in one namespace. Throws ClusterUnavailableError. */
  listPolicies(namespace: string): Promise<KubeObject[]>;
  /** MeshTLSPolicies in every namespace (for mesh-wide policy checks). */
  listAllPolicies(): Promise<KubeObject[]>;
  /** MeshAuthorizationPolicies in one namespace. Throws ClusterUnavailableError. */
  listAuthorizationPolicies(namespace: string): Promise<KubeObject[]>;
  /** MeshAuthorizationPolicies in every namespace (for mesh-wide checks). */
  listAllAuthorizationPolicies(): Promise<KubeObject[]>;
  /** Namespaces (for mesh-wide checks and status). */
  listNamespaces(): Promise<KubeObject[]>;
  /** Pods in a namespace (warnings when a namespace turns STRICT, status). */
  listPods(namespace: string): Promise<KubeObject[]>;
}

/** The API server could not answer: STRICT decisions fail closed with this message. */
export class ClusterUnavailableError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`cannot read ${what} from the Kubernetes API: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ClusterUnavailableError';
  }
}
