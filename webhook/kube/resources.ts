// The resources meshward addresses, each as a small typed descriptor: the API group, version and
// plural that make its REST path, and whether it lives in a namespace. The object type rides along
// as a phantom parameter, so `api.get(SECRETS, …)` returns a Secret without a cast.
import { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } from '../config/names.js';
import type {
  ClusterTrustBundle,
  ConfigMap,
  EndpointSlice,
  KubeResourceObject,
  Lease,
  Namespace,
  Pod,
  PodCertificateRequest,
  Secret,
  Service,
  ServiceAccount,
  WebhookConfiguration,
} from './types.js';

export interface Resource<T extends KubeResourceObject = KubeResourceObject> {
  /** '' for the core group (/api/v1). */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Never set: carries T for type inference only. */
  readonly __object?: T;
}

function resource<T extends KubeResourceObject>(group: string, version: string, plural: string, namespaced: boolean): Resource<T> {
  return { group, version, plural, namespaced };
}

export const SECRETS = resource<Secret>('', 'v1', 'secrets', true);
export const CONFIG_MAPS = resource<ConfigMap>('', 'v1', 'configmaps', true);
export const SERVICE_ACCOUNTS = resource<ServiceAccount>('', 'v1', 'serviceaccounts', true);
export const NAMESPACES = resource<Namespace>('', 'v1', 'namespaces', false);
export const PODS = resource<Pod>('', 'v1', 'pods', true);
export const SERVICES = resource<Service>('', 'v1', 'services', true);
export const ENDPOINT_SLICES = resource<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices', true);
export const LEASES = resource<Lease>('coordination.k8s.io', 'v1', 'leases', true);
export const POD_CERTIFICATE_REQUESTS = resource<PodCertificateRequest>('certificates.k8s.io', 'v1', 'podcertificaterequests', true);
export const CLUSTER_TRUST_BUNDLES = resource<ClusterTrustBundle>('certificates.k8s.io', 'v1', 'clustertrustbundles', false);
export const MUTATING_WEBHOOK_CONFIGURATIONS = resource<WebhookConfiguration>(
  'admissionregistration.k8s.io',
  'v1',
  'mutatingwebhookconfigurations',
  false,
);
export const VALIDATING_WEBHOOK_CONFIGURATIONS = resource<WebhookConfiguration>(
  'admissionregistration.k8s.io',
  'v1',
  'validatingwebhookconfigurations',
  false,
);
export const MESH_TLS_POLICIES = resource<KubeResourceObject>(POLICY_GROUP, POLICY_VERSION, POLICY_PLURAL, true);
export const MESH_AUTHORIZATION_POLICIES = resource<KubeResourceObject>('meshward.io', 'v1alpha1', 'meshauthorizationpolicies', true);

/** The group/version prefix: /api/v1 or /apis/<group>/<version>. */
export function groupVersionPath(r: Pick<Resource, 'group' | 'version'>): string {
  return r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
}

/**
 * The REST path of a collection (no name) or an object. A namespaced resource without a namespace
 * is its all-namespaces collection (lists and watches only).
 */
export function resourcePath(r: Resource, namespace?: string, name?: string, subresource?: string): string {
  const ns = r.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name === undefined ? '' : `/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  return `${groupVersionPath(r)}${ns}/${r.plural}${object}`;
}

/** "secrets", "podcertificaterequests/status": how calls and errors name what was addressed. */
export function resourceName(r: Resource, subresource?: string): string {
  return subresource ? `${r.plural}/${subresource}` : r.plural;
}
