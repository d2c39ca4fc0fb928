// The Kubernetes calls the identity controllers and `meshward ca init|rotate` make, as one small
// interface: kube-identity-api.ts implements it over client-node, unit tests pass a fake object.
// Objects are plain JSON (what the API server sends), so the pure decisions never see client types.
import type { PcrStatus, PodCertificateRequestLike } from '../pki/index.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
}

/** v1 Secret; `data` values are base64, as on the wire. */
export interface SecretObject {
  readonly apiVersion?: 'v1';
  readonly kind?: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type?: string;
  readonly data?: Readonly<Record<string, string>>;
}

/** coordination.k8s.io/v1 LeaseSpec; times are RFC 3339 with microseconds (metav1.MicroTime). */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

export interface LeaseObject {
  readonly apiVersion?: 'coordination.k8s.io/v1';
  readonly kind?: 'Lease';
  readonly metadata: ObjectMeta;
  readonly spec: LeaseSpec;
}

export interface PcrConditionLike {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

/** certificates.k8s.io/v1 PodCertificateRequest as listed/watched. */
export interface PcrObject extends PodCertificateRequestLike {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly namespace: string };
  readonly status?: { readonly conditions?: readonly PcrConditionLike[] } & Partial<Omit<PcrStatus, 'conditions'>>;
}

/** certificates.k8s.io/v1 ClusterTrustBundle. */
export interface TrustBundleObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec: { readonly signerName?: string; readonly trustBundle: string };
}

/** A running list+watch; `stop` ends it (idempotent). */
export interface WatchHandle {
  stop(): Promise<void>;
}

export interface PcrWatchHandlers {
  /** Every object of the initial list, then every ADDED/MODIFIED event (and again after a re-list). */
  onUpsert(pcr: PcrObject): void;
  onDelete(pcr: PcrObject): void;
  /** The watch broke; the implementation restarts it by itself. */
  onError(err: unknown): void;
}

/**
 * Everything meshward's identity code asks of the API server. Errors carry the HTTP status in a
 * numeric `code` (client-node's ApiException does; fakes use ApiStatusError), read with statusOf.
 * Writes of existing objects send metadata.resourceVersion, so a stale write fails with 409.
 */
export interface IdentityApi {
  getSecret(namespace: string, name: string): Promise<SecretObject | undefined>;
  createSecret(secret: SecretObject): Promise<SecretObject>;
  replaceSecret(secret: SecretObject): Promise<SecretObject>;
  /** Calls onChange with the Secret on every change, and with undefined when it is absent or deleted. */
  watchSecret(namespace: string, name: string, onChange: (secret: SecretObject | undefined) => void, onError: (err: unknown) => void): WatchHandle;

  getLease(namespace: string, name: string): Promise<LeaseObject | undefined>;
  createLease(lease: LeaseObject): Promise<LeaseObject>;
  replaceLease(lease: LeaseObject): Promise<LeaseObject>;

  getPcr(namespace: string, name: string): Promise<PcrObject | undefined>;
  /** PUT …/podcertificaterequests/{name}/status with the object (its resourceVersion guards the write). */
  replacePcrStatus(pcr: PcrObject): Promise<PcrObject>;
  /** List+watch of every namespace's PodCertificateRequests for one signer (field selector spec.signerName). */
  watchPcrs(signerName: string, handlers: PcrWatchHandlers): WatchHandle;

  /** ClusterTrustBundles linked to the signer (field selector spec.signerName). */
  listTrustBundles(signerName: string): Promise<TrustBundleObject[]>;
  createTrustBundle(bundle: TrustBundleObject): Promise<TrustBundleObject>;
  replaceTrustBundle(bundle: TrustBundleObject): Promise<TrustBundleObject>;
  deleteTrustBundle(name: string): Promise<void>;
}

/** An HTTP status error in the shape statusOf() reads; used by fakes and by our own wrappers. */
export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiStatusError';
  }
}
