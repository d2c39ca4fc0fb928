// What the Secret fallback asks of the API server, as one small interface (unit tests pass a
// fake; fallback-kube-api.ts implements it over client-node), and the discovery decision.
import type { CredentialSource } from '../config/types.js';
import type { ConfigMapObject, ServiceAccountRef } from './fallback-objects.js';
import type { SecretObject } from './serving-secret.js';

export interface PodServiceAccount {
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * Errors carry the HTTP status in a numeric `code` (client-node's ApiException does). Writes of
 * existing objects send metadata.resourceVersion, so a stale write fails with 409.
 */
export interface FallbackApi {
  /** GET /apis/certificates.k8s.io/v1: does it list podcertificaterequests? (404 → false) */
  podCertificateRequestsServed(): Promise<boolean>;
  listNamespaceNames(labelSelector: string): Promise<string[]>;
  listServiceAccounts(namespace: string): Promise<ServiceAccountRef[]>;
  getServiceAccount(namespace: string, name: string): Promise<ServiceAccountRef | undefined>;
  /** Pods in every namespace matching the selector, as (namespace, spec.serviceAccountName || "default"). */
  listPodServiceAccounts(labelSelector: string): Promise<PodServiceAccount[]>;
  listSecrets(labelSelector: string): Promise<SecretObject[]>;
  listConfigMaps(labelSelector: string): Promise<ConfigMapObject[]>;
  createSecret(secret: SecretObject): Promise<void>;
  replaceSecret(secret: SecretObject): Promise<void>;
  createConfigMap(configMap: ConfigMapObject): Promise<void>;
  replaceConfigMap(configMap: ConfigMapObject): Promise<void>;
}

export type FallbackReason = 'forced-by-config' | 'no-pod-certificate-api' | 'pod-certificate-api-served';

export interface FallbackStatus {
  /** The Secret fallback runs (and the injector must project Secrets, i.e. credentials.source=secret). */
  readonly active: boolean;
  readonly reason: FallbackReason;
  /** What the injector should use. */
  readonly effectiveSource: CredentialSource;
}

/** `credentials.source: secret` forces the fallback; otherwise it runs only where the API lacks PodCertificateRequest v1. */
export function decideFallback(configured: CredentialSource, podCertificateRequestsServed: boolean): FallbackStatus {
  if (configured === 'secret') return { active: true, reason: 'forced-by-config', effectiveSource: 'secret' };
  if (!podCertificateRequestsServed) return { active: true, reason: 'no-pod-certificate-api', effectiveSource: 'secret' };
  return { active: false, reason: 'pod-certificate-api-served', effectiveSource: 'pod-certificate' };
}

/** From an APIResourceList (GET /apis/certificates.k8s.io/v1). */
export function listsPodCertificateRequests(list: { readonly resources?: ReadonlyArray<{ readonly name?: string }> } | undefined): boolean {
  return (list?.resources ?? []).some((r) => r.name === 'podcertificaterequests');
}
