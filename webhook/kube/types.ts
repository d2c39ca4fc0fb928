// The Kubernetes objects meshward reads and writes, as plain JSON: what the API server sends and
// accepts, so the pure plans never see client-node's generated classes (which turn timestamps into
// Dates). One set for every caller; fields are only those meshward uses (the wire may hold more).
import type { KubeObject } from '../admission/types.js';

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences?: readonly OwnerReference[];
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
}

/** Anything with metadata: what KubeApi reads and writes. */
export interface KubeResourceObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
}

/** v1 Secret; `data` values are base64, as on the wire. */
export interface Secret extends KubeResourceObject {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Secret';
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** v1 ConfigMap. */
export interface ConfigMap extends KubeResourceObject {
  readonly apiVersion?: 'v1';
  readonly kind?: 'ConfigMap';
  readonly data?: Readonly<Record<string, string>>;
}

/** v1 ServiceAccount, v1 Namespace: metadata is all meshward reads. */
export interface ServiceAccount extends KubeResourceObject {
  readonly kind?: 'ServiceAccount';
}

export interface Namespace extends KubeResourceObject {
  readonly kind?: 'Namespace';
}

/** v1 Pod: the fields the Secret fallback and the control plane read (status and the gate read pods as KubeObject). */
export interface Pod extends KubeResourceObject {
  readonly spec?: {
    readonly serviceAccountName?: string;
    readonly containers?: ReadonlyArray<PodContainer>;
    readonly initContainers?: ReadonlyArray<PodContainer & { readonly restartPolicy?: string }>;
  };
  readonly status?: {
    readonly phase?: string;
    readonly podIP?: string;
    readonly containerStatuses?: ReadonlyArray<{ readonly name: string; readonly ready?: boolean }>;
    readonly initContainerStatuses?: ReadonlyArray<{ readonly name: string; readonly ready?: boolean }>;
  };
}

export interface PodContainer {
  readonly name: string;
  readonly ports?: ReadonlyArray<{ readonly containerPort: number; readonly protocol?: string; readonly name?: string }>;
  readonly [field: string]: unknown;
}

/** v1 Service: what the control plane routes by. */
export interface Service extends KubeResourceObject {
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port: number; readonly protocol?: string }>;
  };
}

/** discovery.k8s.io/v1 EndpointSlice: a Service's backends (kubernetes.io/service-name label). */
export interface EndpointSlice extends KubeResourceObject {
  readonly addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  readonly endpoints?: ReadonlyArray<{
    readonly addresses: readonly string[];
    readonly conditions?: { readonly ready?: boolean; readonly serving?: boolean; readonly terminating?: boolean };
    readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string; readonly uid?: string };
  }>;
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly port?: number; readonly protocol?: string }>;
}

/** coordination.k8s.io/v1 LeaseSpec; times are RFC 3339 with microseconds (metav1.MicroTime). */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

export interface Lease extends KubeResourceObject {
  readonly apiVersion?: 'coordination.k8s.io/v1';
  readonly kind?: 'Lease';
  readonly spec: LeaseSpec;
}

export interface PodCertificateRequestCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

/** certificates.k8s.io/v1 PodCertificateRequest. */
export interface PodCertificateRequest extends KubeResourceObject {
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly spec: {
    readonly signerName: string;
    readonly podName: string;
    readonly podUID: string;
    readonly serviceAccountName: string;
    readonly serviceAccountUID?: string;
    readonly nodeName: string;
    readonly nodeUID?: string;
    readonly maxExpirationSeconds?: number;
    readonly stubPKCS10Request: string;
    readonly unverifiedUserAnnotations?: Readonly<Record<string, string>>;
  };
  readonly status?: {
    readonly conditions?: readonly PodCertificateRequestCondition[];
    readonly certificateChain?: string;
    readonly notBefore?: string;
    readonly beginRefreshAt?: string;
    readonly notAfter?: string;
  };
}

/** certificates.k8s.io/v1 ClusterTrustBundle. */
export interface ClusterTrustBundle extends KubeResourceObject {
  readonly spec: { readonly signerName?: string; readonly trustBundle: string };
}

/** admissionregistration.k8s.io/v1 Mutating/ValidatingWebhookConfiguration, the fields used. */
export interface WebhookConfiguration extends KubeResourceObject {
  readonly webhooks?: ReadonlyArray<{ readonly name: string; readonly clientConfig?: { readonly caBundle?: string } }>;
}

/** An RFC 6902 JSON Patch operation (application/json-patch+json). */
export interface JsonPatchOp {
  readonly op: 'test' | 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

/**
 * The admission code's view of an object (any JSON), with apiVersion/kind filled in where a list
 * leaves them out. A copy: the admission code may not mutate what a cache holds.
 */
export function asKubeObject(object: KubeResourceObject, apiVersion?: string, kind?: string): KubeObject {
  const copy: KubeObject = {
    ...object,
    metadata: { ...object.metadata, ownerReferences: object.metadata.ownerReferences?.map((o) => ({ ...o })) },
  };
  if (apiVersion !== undefined) copy.apiVersion = apiVersion;
  if (kind !== undefined) copy.kind = kind;
  return copy;
}
