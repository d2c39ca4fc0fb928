import { QUANTITY, QUANTITY_FORM } from './quantity.js';
import { CREDENTIAL_SOURCES, DEFAULT_AUTHORIZATION_VALUES, KEY_TYPES, LOG_LEVELS } from './types.js';

/** How a config field's raw value (from YAML, env or a flag) is checked and converted. */
export type FieldKind =
  | { type: 'string'; pattern?: RegExp; form?: string; allowEmpty?: boolean }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list'; item: RegExp; form: string };

export interface FieldSpec {
  /** Dotted path in the config object and in the YAML config file. */
  readonly path: string;
  readonly kind: FieldKind;
  readonly default: unknown;
  /** CLI flag (without --) that sets this field, if any. */
  readonly flag?: string;
  readonly help: string;
}

/**
 * The one reading of a boolean written as text by a user (a meshward.io/* label or annotation):
 * "true" or "false", in any case, blanks around ignored; undefined for anything else.
 */
export function parseBooleanValue(raw: unknown): boolean | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.trim().toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HOST_PORT = /^[a-z0-9.-]+:[0-9]{1,5}$/;
export const IMAGE = /^[a-zA-Z0-9][a-zA-Z0-9._\-/:@]*$/;

// etcd's default --max-request-bytes is 1.5 MiB; an UPDATE carries object and oldObject,
// JSON-encoded (larger than etcd's protobuf), so 2 × 1.5 MiB plus 1 MiB envelope slack.
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export const CONFIG_FIELDS: readonly FieldSpec[] = [
  { path: 'server.host', kind: { type: 'string' }, default: '0.0.0.0', flag: 'host', help: 'address to listen on' },
  { path: 'server.port', kind: { type: 'int', min: 0, max: 65535 }, default: 8443, flag: 'port', help: 'HTTPS port (0 = ephemeral)' },
  {
    path: 'server.certFile',
    kind: { type: 'string', allowEmpty: true },
    default: '/etc/meshward/tls/tls.crt',
    flag: 'tls-cert',
    help: 'serving certificate (PEM), reloaded on change',
  },
  {
    path: 'server.keyFile',
    kind: { type: 'string', allowEmpty: true },
    default: '/etc/meshward/tls/tls.key',
    flag: 'tls-key',
    help: 'serving key (PEM), reloaded on change',
  },
  {
    path: 'server.selfSigned',
    kind: { type: 'bool' },
    default: false,
    flag: 'self-signed',
    help: 'development: generate a CA and serving certificate in memory',
  },
  {
    path: 'server.selfSignedDir',
    kind: { type: 'string', allowEmpty: true },
    default: '',
    flag: 'self-signed-dir',
    help: 'where --self-signed writes ca.crt (default: a temp directory)',
  },
  {
    path: 'server.bodyLimitBytes',
    kind: { type: 'int', min: 1024, max: 64 * 1024 * 1024 },
    default: DEFAULT_BODY_LIMIT,
    help: 'largest AdmissionReview body accepted (413 above)',
  },
  {
    path: 'server.shutdownDelayMs',
    kind: { type: 'int', min: 0, max: 120000 },
    default: 5000,
    flag: 'shutdown-delay-ms',
    help: 'after SIGTERM, /readyz fails but admission and xDS go on this long (ms) while endpoints drop the replica',
  },
  {
    path: 'server.shutdownTimeoutMs',
    kind: { type: 'int', min: 0, max: 300000 },
    // With the 5 s delay and the controllers' stop, within the pod's 30 s terminationGracePeriodSeconds.
    default: 20000,
    help: 'how long SIGTERM then waits for in-flight requests (ms)',
  },
  {
    path: 'server.dashboardPort',
    kind: { type: 'int', min: 0, max: 65535 },
    default: 0,
    flag: 'dashboard-port',
    help: 'read-only dashboard port (0 = off)',
  },
  {
    path: 'server.dashboardHost',
    kind: { type: 'string' },
    default: '127.0.0.1',
    flag: 'dashboard-host',
    help: 'dashboard address: plain HTTP, loopback by default (reach it with kubectl port-forward)',
  },
  {
    path: 'kube.offline',
    kind: { type: 'bool' },
    default: false,
    flag: 'offline',
    help: 'no Kubernetes API: namespaces and policies come from --state',
  },
  {
    path: 'kube.stateFile',
    kind: { type: 'string', allowEmpty: true },
    default: '',
    flag: 'state',
    help: 'YAML manifests of Namespaces, MeshTLSPolicies and MeshAuthorizationPolicies (offline mode)',
  },
  {
    path: 'kube.kubeconfig',
    kind: { type: 'string', allowEmpty: true },
    default: '',
    flag: 'kubeconfig',
    help: 'kubeconfig file (default: in-cluster config, then $KUBECONFIG)',
  },
  {
    path: 'mesh.namespace',
    kind: { type: 'string', pattern: DNS_LABEL, form: 'a DNS label such as meshward-system' },
    default: 'meshward-system',
    help: "meshward's own namespace",
  },
  {
    path: 'mesh.trustDomain',
    kind: { type: 'string', pattern: /^[a-z0-9._-]+$/, form: 'lowercase letters, digits, ".", "_" and "-" (SPIFFE trust domain)' },
    default: 'cluster.local',
    flag: 'trust-domain',
    help: 'SPIFFE trust domain',
  },
  {
    path: 'mesh.defaultMode',
    kind: { type: 'enum', values: ['STRICT', 'PERMISSIVE', 'DISABLE'] },
    default: 'PERMISSIVE',
    help: 'mode when no policy or namespace label says otherwise (PERMISSIVE: opting in never cuts off plaintext callers)',
  },
  {
    path: 'mesh.defaultAuthorization',
    kind: { type: 'enum', values: DEFAULT_AUTHORIZATION_VALUES },
    default: 'allow-mesh',
    help: 'mTLS callers of a port no MeshAuthorizationPolicy selects: allow-mesh (any identity of the trust domain) or deny',
  },
  {
    path: 'controlPlane.host',
    kind: { type: 'string' },
    default: '0.0.0.0',
    flag: 'xds-host',
    help: 'address the xDS server listens on',
  },
  {
    path: 'controlPlane.port',
    kind: { type: 'int', min: 0, max: 65535 },
    default: 15012,
    flag: 'xds-port',
    help: 'xDS (ADS, gRPC + mTLS) port (0 = ephemeral)',
  },
  {
    path: 'controlPlane.address',
    kind: { type: 'string', pattern: HOST_PORT, form: 'host:port, such as meshward.meshward-system.svc:15012' },
    default: 'meshward.meshward-system.svc:15012',
    flag: 'xds-address',
    help: 'where proxies reach the xDS server',
  },
  {
    path: 'controlPlane.serviceAccount',
    kind: { type: 'string', pattern: DNS_LABEL, form: 'a ServiceAccount name such as meshward' },
    default: 'meshward',
    help: "meshward's ServiceAccount: proxies accept only its SPIFFE ID from the xDS server",
  },
  { path: 'controlPlane.debounceMs', kind: { type: 'int', min: 0, max: 10000 }, default: 100, help: 'quiet time before a push (ms)' },
  {
    path: 'controlPlane.maxDebounceMs',
    kind: { type: 'int', min: 0, max: 60000 },
    default: 1000,
    help: 'longest a change waits for its push (ms)',
  },
  {
    path: 'proxy.image',
    kind: { type: 'string', pattern: IMAGE, form: 'an image reference' },
    default: 'docker.io/envoyproxy/envoy:v1.36.2',
    flag: 'proxy-image',
    help: 'sidecar image (Envoy)',
  },
  {
    path: 'proxy.allowedImages',
    kind: { type: 'list', item: IMAGE, form: 'an image reference such as registry.internal/envoy:v1.36.2-fips' },
    default: [],
    flag: 'allowed-proxy-images',
    help: 'images pods may ask for with meshward.io/proxy-image, besides proxy.image (which is always allowed)',
  },
  {
    path: 'proxy.initImage',
    kind: { type: 'string', pattern: IMAGE, form: 'an image reference' },
    default: 'ghcr.io/meshward/meshward-init:0.1.0',
    flag: 'init-image',
    help: 'capture init image',
  },
  { path: 'proxy.uid', kind: { type: 'int', min: 1, max: 2147483647 }, default: 1337, help: 'proxy UID (excluded from capture)' },
  { path: 'proxy.gid', kind: { type: 'int', min: 1, max: 2147483647 }, default: 1337, help: 'proxy GID (excluded from capture)' },
  {
    path: 'proxy.cpuRequest',
    kind: { type: 'string', pattern: QUANTITY, form: QUANTITY_FORM },
    default: '100m',
    help: 'proxy CPU request',
  },
  {
    path: 'proxy.memoryRequest',
    kind: { type: 'string', pattern: QUANTITY, form: QUANTITY_FORM },
    default: '64Mi',
    help: 'proxy memory request',
  },
  {
    path: 'proxy.cpuLimit',
    kind: { type: 'string', pattern: QUANTITY, form: QUANTITY_FORM, allowEmpty: true },
    default: '',
    help: 'proxy CPU limit (empty = none)',
  },
  {
    path: 'proxy.memoryLimit',
    kind: { type: 'string', pattern: QUANTITY, form: QUANTITY_FORM, allowEmpty: true },
    default: '256Mi',
    help: 'proxy memory limit (empty = none)',
  },
  {
    path: 'proxy.logLevel',
    kind: { type: 'enum', values: ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] },
    default: 'warning',
    help: 'Envoy log level',
  },
  {
    path: 'proxy.nativeSidecar',
    kind: { type: 'bool' },
    default: true,
    help: 'inject the proxy as a native sidecar (init container, restartPolicy Always)',
  },
  { path: 'proxy.holdApplication', kind: { type: 'bool' }, default: true, help: 'classic mode: start apps only once the proxy is ready' },
  { path: 'proxy.rewriteProbes', kind: { type: 'bool' }, default: true, help: 'rewrite app probes to the proxy status port' },
  { path: 'proxy.concurrency', kind: { type: 'int', min: 1, max: 64 }, default: 2, help: 'Envoy worker threads' },
  {
    path: 'proxy.tlsMinVersion',
    kind: { type: 'enum', values: ['TLSv1_2', 'TLSv1_3'] },
    default: 'TLSv1_2',
    help: 'minimum TLS version between proxies',
  },
  {
    path: 'proxy.cipherSuites',
    kind: { type: 'list', item: /^[A-Z0-9_-]+$/, form: 'an OpenSSL/BoringSSL cipher name such as ECDHE-ECDSA-AES128-GCM-SHA256' },
    default: [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
    help: 'TLS 1.2 cipher suites (TLS 1.3 suites are fixed by BoringSSL)',
  },
  {
    path: 'credentials.source',
    kind: { type: 'enum', values: CREDENTIAL_SOURCES },
    default: 'pod-certificate',
    help: 'pod-certificate (PodCertificateRequest) or secret (fallback)',
  },
  { path: 'credentials.keyType', kind: { type: 'enum', values: KEY_TYPES }, default: 'ECDSAP256', help: 'workload key type' },
  {
    path: 'credentials.maxExpirationSeconds',
    kind: { type: 'int', min: 3600, max: 7862400 },
    default: 86400,
    help: 'workload certificate lifetime',
  },
  {
    path: 'credentials.refreshPercent',
    kind: { type: 'int', min: 0, max: 90 },
    default: 50,
    help: 'when the kubelet begins refreshing a workload certificate, in percent of its lifetime (kept 10 min inside both ends, as the API requires)',
  },
  {
    path: 'credentials.signerName',
    kind: { type: 'string' },
    default: 'meshward.io/workload-identity',
    help: 'PodCertificateRequest signer',
  },
  {
    path: 'serving.mode',
    kind: { type: 'enum', values: ['self-managed', 'files'] },
    default: 'self-managed',
    flag: 'serving-mode',
    help: 'serving certificate: self-managed (CA + Secret + caBundle patching, rotated) or files (watch server.certFile/keyFile only, e.g. cert-manager)',
  },
  {
    path: 'serving.secretName',
    kind: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, form: 'a Secret name such as meshward-webhook-tls' },
    default: 'meshward-webhook-tls',
    help: 'self-managed: Secret (in mesh.namespace) holding tls.crt, tls.key, ca.crt',
  },
  {
    path: 'serving.serviceName',
    kind: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, form: 'a Service name such as meshward' },
    default: 'meshward',
    help: 'self-managed: Service whose <name>.<namespace>.svc[.cluster.local] names the certificate carries',
  },
  {
    path: 'serving.extraDnsNames',
    kind: {
      type: 'list',
      item: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/,
      form: 'a lowercase DNS name such as meshward.example.com',
    },
    default: [],
    help: 'self-managed: more DNS SANs',
  },
  {
    path: 'serving.extraIpAddresses',
    kind: {
      type: 'list',
      item: /^(([0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-fA-F]*:[0-9a-fA-F:.]*)$/,
      form: 'an IPv4 or IPv6 address such as 10.0.0.12',
    },
    default: [],
    help: 'self-managed: IP SANs',
  },
  {
    path: 'serving.validityDays',
    kind: { type: 'int', min: 1, max: 3650 },
    default: 90,
    help: 'self-managed: serving certificate lifetime (renewed at 2/3)',
  },
  {
    path: 'serving.propagationSeconds',
    kind: { type: 'int', min: 0, max: 3600 },
    default: 10,
    help: 'self-managed: wait between patching caBundles and serving the new certificate',
  },
  {
    path: 'serving.retireGraceSeconds',
    kind: { type: 'int', min: 0, max: 86400 },
    default: 300,
    help: 'self-managed: wait after serving the new certificate before older CAs leave the caBundles',
  },
  {
    path: 'serving.mutatingWebhookConfigurations',
    kind: { type: 'list', item: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, form: 'a MutatingWebhookConfiguration name' },
    default: ['meshward-injector'],
    help: 'self-managed: configurations whose caBundles are kept',
  },
  {
    path: 'serving.validatingWebhookConfigurations',
    kind: { type: 'list', item: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, form: 'a ValidatingWebhookConfiguration name' },
    default: ['meshward-gate'],
    help: 'self-managed: configurations whose caBundles are kept',
  },
  {
    path: 'identity.enabled',
    kind: { type: 'bool' },
    default: true,
    help: 'run the in-cluster identity controllers: CA Secret, leader-elected PodCertificateRequest signer, ClusterTrustBundles',
  },
  {
    path: 'identity.caSecretName',
    kind: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, form: 'a Secret name such as meshward-ca' },
    default: 'meshward-ca',
    help: 'Secret (in mesh.namespace) holding the mesh CA and trust bundle',
  },
  {
    path: 'identity.createCa',
    kind: { type: 'bool' },
    default: true,
    help: 'the signer leader creates a self-signed root in the CA Secret when it is missing',
  },
  {
    path: 'identity.leaseName',
    kind: { type: 'string', pattern: /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, form: 'a Lease name such as meshward-signer' },
    default: 'meshward-signer',
    help: 'coordination.k8s.io Lease (in mesh.namespace) electing the one replica that signs',
  },
  {
    path: 'identity.leaseDurationSeconds',
    kind: { type: 'int', min: 2, max: 300 },
    default: 15,
    help: 'how long standby replicas wait for a silent leader before taking over',
  },
  {
    path: 'identity.renewDeadlineSeconds',
    kind: { type: 'int', min: 1, max: 299 },
    default: 10,
    help: 'the leader stops signing when it could not renew for this long (less than leaseDurationSeconds)',
  },
  {
    path: 'identity.retryPeriodSeconds',
    kind: { type: 'int', min: 1, max: 60 },
    default: 2,
    help: 'how often replicas try to acquire or renew the lease (less than renewDeadlineSeconds)',
  },
  {
    path: 'identity.allowedKeyTypes',
    kind: { type: 'list', item: /^(ED25519|ECDSAP256|ECDSAP384|ECDSAP521|RSA3072|RSA4096)$/, form: `one of ${KEY_TYPES.join(', ')}` },
    default: ['ECDSAP256', 'RSA3072', 'RSA4096'],
    help: 'workload key types the signer accepts (others are Denied UnsupportedKeyType); the default is what Envoy serves: RSA and P-256 ECDSA',
  },
  {
    path: 'identity.concurrency',
    kind: { type: 'int', min: 1, max: 64 },
    default: 4,
    help: 'PodCertificateRequest status writes in flight at once',
  },
  {
    path: 'identity.rotationPropagationSeconds',
    kind: { type: 'int', min: 0, max: 604800 },
    default: 300,
    help: 'ca rotate: wait after publishing a new root before signing with it (kubelets refresh trust bundles)',
  },
  { path: 'logLevel', kind: { type: 'enum', values: LOG_LEVELS }, default: 'info', flag: 'log-level', help: 'log level' },
];

/** MESHWARD_SERVER_PORT for server.port, MESHWARD_PROXY_CPU_REQUEST for proxy.cpuRequest. */
export function envName(path: string): string {
  return `MESHWARD_${path
    .replace(/\./g, '_')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase()}`;
}
