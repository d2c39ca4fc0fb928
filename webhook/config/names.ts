// User-facing names: labels, annotations, container and volume names that users and their
// manifests depend on. Stable once released, and shared by every part.

export const LABEL_INJECT = 'meshward.io/inject';
export const LABEL_MTLS = 'meshward.io/mtls';
export const LABEL_INJECTED = 'meshward.io/injected';
export const ANNOTATION_STATUS = 'meshward.io/status';
export const ANNOTATION_PREFIX = 'meshward.io/';
/** On every object meshward's controllers create, and checked before writing over one: nothing without it is replaced. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'meshward';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** Per-pod annotations, without the meshward.io/ prefix. */
export const POD_ANNOTATIONS = [
  'inject',
  'exclude-inbound-ports',
  'exclude-outbound-ports',
  'exclude-outbound-cidrs',
  'include-outbound-cidrs',
  'proxy-cpu',
  'proxy-memory',
  'proxy-cpu-limit',
  'proxy-memory-limit',
  'proxy-image',
  'proxy-log-level',
  'native-sidecar',
  'hold-application',
  'rewrite-probes',
] as const;
export type PodAnnotation = (typeof POD_ANNOTATIONS)[number];

export const INIT_CONTAINER_NAME = 'meshward-init';
export const PROXY_CONTAINER_NAME = 'meshward-proxy';
export const CREDENTIALS_VOLUME_NAME = 'meshward-credentials';
export const CONFIG_VOLUME_NAME = 'meshward-config';
export const RUNTIME_VOLUME_NAME = 'meshward-runtime';
/** What meshward injects, by name: only meshward's own containers may touch these volumes. */
export const MESHWARD_CONTAINER_NAMES: ReadonlySet<string> = new Set([INIT_CONTAINER_NAME, PROXY_CONTAINER_NAME]);
export const MESHWARD_VOLUME_NAMES: ReadonlySet<string> = new Set([CREDENTIALS_VOLUME_NAME, CONFIG_VOLUME_NAME, RUNTIME_VOLUME_NAME]);

export const PORTS = {
  outbound: 15001,
  inbound: 15006,
  status: 15020,
  readiness: 15021,
  metrics: 15090,
  admin: 15000,
} as const;
/** Every port the proxy listens on: no app may declare or probe one. */
export const RESERVED_PORTS: ReadonlySet<number> = new Set(Object.values(PORTS));
/** Ports the proxy serves itself: never captured inbound. */
export const PROXY_OWN_PORTS: readonly number[] = [PORTS.status, PORTS.readiness, PORTS.metrics];

export const POLICY_GROUP = 'meshward.io';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_KIND = 'MeshTLSPolicy';
export const POLICY_PLURAL = 'meshtlspolicies';
/** Who may call a workload and a port (same group and version as MeshTLSPolicy). */
export const AUTHZ_POLICY_KIND = 'MeshAuthorizationPolicy';
export const AUTHZ_POLICY_PLURAL = 'meshauthorizationpolicies';

/** Namespaces the injector never touches. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

// Shared by the injector (the credentials volume) and the Secret fallback controller (what it writes).
/**
 * File names inside the proxy's credentials directory, the same in both credential sources. The key and chain sit
 * in one file (PRIVATE KEY, then leaf, then intermediates), which the kubelet replaces
 * atomically, so a rotation can never pair a new key with an old certificate.
 */
export const CREDENTIAL_FILES = {
  bundle: 'credential-bundle.pem',
  trustBundle: 'ca.crt',
} as const;

/**
 * The proxy's static bootstrap (envoy.json and its two SDS files): a ConfigMap of this name in every
 * opted-in namespace (webhook/proxy-bootstrap), mounted read-only by the proxy at PROXY_CONFIG_DIR.
 */
export const PROXY_BOOTSTRAP_CONFIGMAP = 'meshward-proxy';
export const PROXY_CONFIG_DIR = '/etc/meshward/proxy';
export const PROXY_BOOTSTRAP_FILE = 'envoy.json';
/** Where the proxy finds its credentials (the meshward-credentials volume). */
export const PROXY_CREDENTIALS_DIR = '/var/run/meshward/credentials';

/** Secret-fallback names: one Secret per ServiceAccount and a per-namespace trust ConfigMap. */
export function fallbackSecretName(serviceAccount: string): string {
  return `meshward-identity-${serviceAccount}`;
}
export const FALLBACK_TRUST_CONFIGMAP = 'meshward-trust-bundle';
