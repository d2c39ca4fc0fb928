import type { KubeObject } from '../admission/types.js';
import { AUTHZ_POLICY_KIND, POLICY_KIND } from '../config/names.js';
import type { ClusterState } from './cluster-state.js';

/** A ClusterState over a fixed set of objects: offline mode (--state), `check`, and tests. */
export class StaticClusterState implements ClusterState {
  private readonly namespaces = new Map<string, KubeObject>();
  private readonly policies: KubeObject[] = [];
  private readonly authorizationPolicies: KubeObject[] = [];
  private readonly pods: KubeObject[] = [];

  constructor(objects: readonly KubeObject[] = []) {
    for (const object of objects) this.add(object);
  }

  add(object: KubeObject): void {
    if (object.kind === 'Namespace' && object.metadata?.name) this.namespaces.set(object.metadata.name, object);
    else if (object.kind === POLICY_KIND) this.policies.push(object);
    else if (object.kind === AUTHZ_POLICY_KIND) this.authorizationPolicies.push(object);
    else if (object.kind === 'Pod') this.pods.push(object);
  }

  async getNamespace(name: string): Promise<KubeObject | undefined> {
    return this.namespaces.get(name);
  }

  async listPolicies(namespace: string): Promise<KubeObject[]> {
    return this.policies.filter((p) => (p.metadata?.namespace ?? 'default') === namespace);
  }

  async listAllPolicies(): Promise<KubeObject[]> {
    return [...this.policies];
  }

  async listAuthorizationPolicies(namespace: string): Promise<KubeObject[]> {
    return this.authorizationPolicies.filter((p) => (p.metadata?.namespace ?? 'default') === namespace);
  }

  async listAllAuthorizationPolicies(): Promise<KubeObject[]> {
    return [...this.authorizationPolicies];
  }

  async listNamespaces(): Promise<KubeObject[]> {
    return [...this.namespaces.values()];
  }

  async listPods(namespace: string): Promise<KubeObject[]> {
    return this.pods.filter((p) => (p.metadata?.namespace ?? 'default') === namespace);
  }
}
