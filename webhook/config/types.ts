// The one configuration object: built once at start-up (load.ts), validated, then frozen.

export const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];
/** A resolved mode never inherits. */
export type ResolvedMode = Exclude<MtlsMode, 'UNSET'>;

/** What a port no MeshAuthorizationPolicy selects admits over mTLS (the same values as policy/authorization-types.ts). */
export const DEFAULT_AUTHORIZATION_VALUES = ['allow-mesh', 'deny'] as const;
export type DefaultAuthorizationValue = (typeof DEFAULT_AUTHORIZATION_VALUES)[number];

export const KEY_TYPES = ['ED25519', 'ECDSAP256', 'ECDSAP384', 'ECDSAP521', 'RSA3072', 'RSA4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

export const CREDENTIAL_SOURCES = ['pod-certificate', 'secret'] as const;
export type CredentialSource = (typeof CREDENTIAL_SOURCES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly certFile: string;
  readonly keyFile: string;
  readonly selfSigned: boolean;
  /** Where --self-signed writes the CA bundle it generated. */
  readonly selfSignedDir: string;
  readonly bodyLimitBytes: number;
  /** After SIGTERM: readiness fails, serving goes on this long, so traffic moves away before the listeners close. */
  readonly shutdownDelayMs: number;
  /** Then: how long in-flight requests may take before their connections are cut. */
  readonly shutdownTimeoutMs: number;
  readonly dashboardPort: number;
  /** The dashboard's address (plain HTTP): loopback unless an operator opens it up. */
  readonly dashboardHost: string;
}

export interface KubeConfig {
  readonly offline: boolean;
  readonly stateFile: string;
  readonly kubeconfig: string;
}

export interface MeshConfig {
  readonly namespace: string;
  readonly trustDomain: string;
  readonly defaultMode: ResolvedMode;
  /** allow-mesh: any identity of the trust domain; deny: no mTLS caller. Read live by the control plane. */
  readonly defaultAuthorization: DefaultAuthorizationValue;
}

/** The xDS control plane (webhook/xds): where it listens, how proxies reach it, how it batches pushes. */
export interface ControlPlaneConfig {
  readonly host: string;
  /** gRPC + mTLS port of the ADS server (0 = ephemeral, for tests). */
  readonly port: number;
  /** host:port the proxies dial (the meshward Service). */
  readonly address: string;
  /** meshward's own ServiceAccount: the proxies require spiffe://<trust-domain>/ns/<mesh.namespace>/sa/<this>. */
  readonly serviceAccount: string;
  /** Quiet time after a change before a push; pushes never wait longer than maxDebounceMs. */
  readonly debounceMs: number;
  readonly maxDebounceMs: number;
}

export interface ProxyConfig {
  readonly image: string;
  /** Images meshward.io/proxy-image may name besides `image`: whatever runs as the proxy holds the workload key. */
  readonly allowedImages: readonly string[];
  readonly initImage: string;
  readonly uid: number;
  readonly gid: number;
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  readonly cpuLimit: string;
  readonly memoryLimit: string;
  readonly logLevel: string;
  readonly nativeSidecar: boolean;
  readonly holdApplication: boolean;
  readonly rewriteProbes: boolean;
  readonly concurrency: number;
  readonly tlsMinVersion: 'TLSv1_2' | 'TLSv1_3';
  readonly cipherSuites: readonly string[];
}

export interface CredentialsConfig {
  readonly source: CredentialSource;
  readonly keyType: KeyType;
  readonly maxExpirationSeconds: number;
  /** Where in a certificate's lifetime its holder begins refreshing (beginRefreshAt), in percent. */
  readonly refreshPercent: number;
  readonly signerName: string;
}

export const SERVING_MODES = ['self-managed', 'files'] as const;
export type ServingMode = (typeof SERVING_MODES)[number];

/** The webhook's own serving certificate (webhook/identity/serving/). */
export interface ServingConfig {
  readonly mode: ServingMode;
  readonly secretName: string;
  readonly serviceName: string;
  readonly extraDnsNames: readonly string[];
  readonly extraIpAddresses: readonly string[];
  readonly validityDays: number;
  readonly propagationSeconds: number;
  readonly retireGraceSeconds: number;
  readonly mutatingWebhookConfigurations: readonly string[];
  readonly validatingWebhookConfigurations: readonly string[];
}

/** In-cluster identity controllers (webhook/identity): CA Secret, leader-elected signer, ClusterTrustBundles. */
export interface IdentityConfig {
  readonly enabled: boolean;
  readonly caSecretName: string;
  readonly createCa: boolean;
  readonly leaseName: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  readonly allowedKeyTypes: readonly KeyType[];
  readonly concurrency: number;
  readonly rotationPropagationSeconds: number;
}

export interface MeshwardConfig {
  readonly server: ServerConfig;
  readonly kube: KubeConfig;
  readonly mesh: MeshConfig;
  readonly controlPlane: ControlPlaneConfig;
  readonly proxy: ProxyConfig;
  readonly credentials: CredentialsConfig;
  readonly identity: IdentityConfig;
  readonly serving: ServingConfig;
  readonly logLevel: LogLevel;
}
