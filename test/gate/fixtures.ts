import type { AdmissionRequest, KubeObject, Operation } from '../../webhook/admission/types.js';
import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import { ClusterUnavailableError, type ClusterState } from '../../webhook/kube/cluster-state.js';

// Shared fixtures for the gate tests: a config, realistic injected pods, and request builders.
// Every builder returns a fresh object, so a test can mutate it freely.

/** An operator's allow-listed proxy build, besides the default proxy image. */
export const FIPS_PROXY_IMAGE = 'registry.internal/envoy:v1.36.2-fips';
// The gate's tests are about STRICT: under a STRICT mesh default, as they were written. Tests that
// show a weaker default build their own config (mesh.defaultMode is PERMISSIVE out of the box).
export const config: MeshwardConfig = buildConfig({
  flags: { 'self-signed': true, 'allowed-proxy-images': FIPS_PROXY_IMAGE },
  file: { mesh: { defaultMode: 'STRICT' } },
});
export const PROXY_IMAGE = config.proxy.image;
export const INIT_IMAGE = config.proxy.initImage;

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export const strictNs = (name = 'shop'): KubeObject => namespace(name, { 'meshward.io/mtls': 'STRICT', 'meshward.io/inject': 'enabled' });

export function meshwardInit(): Record<string, unknown> {
  return {
    name: 'meshward-init',
    image: INIT_IMAGE,
    args: [
      '--inbound-port',
      '15006',
      '--outbound-port',
      '15001',
      '--proxy-uid',
      '1337',
      '--proxy-gid',
      '1337',
      '--exclude-inbound',
      '15020,15021,15090',
    ],
    securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] } },
  };
}

export function meshwardProxy(native = true, image = PROXY_IMAGE): Record<string, unknown> {
  return {
    name: 'meshward-proxy',
    image,
    ...(native ? { restartPolicy: 'Always' } : {}),
    ports: [{ name: 'mw-status', containerPort: 15020 }],
    startupProbe: { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 1, failureThreshold: 600 },
    securityContext: {
      runAsUser: 1337,
      runAsGroup: 1337,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'meshward-credentials', mountPath: '/var/run/meshward/credentials', readOnly: true }],
  };
}

export function credentialsVolume(): Record<string, unknown> {
  return {
    name: 'meshward-credentials',
    projected: {
      sources: [
        { podCertificate: { signerName: 'meshward.io/workload-identity', keyType: 'ECDSAP256', credentialBundlePath: 'credentials.pem' } },
        { clusterTrustBundle: { signerName: 'meshward.io/workload-identity', labelSelector: {}, path: 'trust-bundle.pem' } },
      ],
    },
  };
}

/** A realistic pod after injection in native-sidecar mode: compliant in a STRICT namespace. */
export function injectedPod(name = 'web-7d9c8'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: 'web', 'meshward.io/injected': 'true' },
      annotations: { 'meshward.io/status': '{"containers":["meshward-init","meshward-proxy"]}' },
    },
    spec: {
      serviceAccountName: 'web',
      securityContext: { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [meshwardInit(), meshwardProxy()],
      containers: [
        {
          name: 'web',
          image: 'ghcr.io/acme/web:1.4.2',
          ports: [{ containerPort: 8080 }],
          securityContext: { runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
      volumes: [credentialsVolume()],
    },
  };
}

/** The pod template a user writes (not injected): compliant as a workload template. */
export function appTemplate(): Record<string, unknown> {
  return {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [
        { name: 'web', image: 'ghcr.io/acme/web:1.4.2', ports: [{ containerPort: 8080 }], securityContext: { runAsUser: 10001 } },
      ],
    },
  };
}

export function deployment(name = 'web', template = appTemplate()): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
  };
}

export function cronJob(name = 'nightly', template = appTemplate()): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'shop' },
    spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template } } },
  };
}

export function policy(name: string, spec: Record<string, unknown>, ns = 'shop', creationTimestamp?: string): KubeObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshTLSPolicy',
    metadata: { name, namespace: ns, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
  };
}

const GROUPS: Record<string, [string, string, string]> = {
  Pod: ['', 'v1', 'pods'],
  Namespace: ['', 'v1', 'namespaces'],
  Deployment: ['apps', 'v1', 'deployments'],
  StatefulSet: ['apps', 'v1', 'statefulsets'],
  DaemonSet: ['apps', 'v1', 'daemonsets'],
  ReplicaSet: ['apps', 'v1', 'replicasets'],
  Job: ['batch', 'v1', 'jobs'],
  CronJob: ['batch', 'v1', 'cronjobs'],
  MeshTLSPolicy: ['meshward.io', 'v1alpha1', 'meshtlspolicies'],
  MeshAuthorizationPolicy: ['meshward.io', 'v1alpha1', 'meshauthorizationpolicies'],
  ConfigMap: ['', 'v1', 'configmaps'],
};

export function request(
  object: KubeObject,
  options: { operation?: Operation; oldObject?: KubeObject; dryRun?: boolean; subResource?: string } = {},
): AdmissionRequest {
  const [group, version, resource] = GROUPS[String(object.kind)]!;
  const operation = options.operation ?? 'CREATE';
  return {
    uid: 'uid-1',
    kind: { group, version, kind: String(object.kind) },
    resource: { group, version, resource },
    ...(options.subResource ? { subResource: options.subResource } : {}),
    ...(object.kind === 'Namespace' ? {} : { namespace: object.metadata?.namespace ?? 'shop' }),
    name: object.metadata?.name ?? '',
    operation,
    userInfo: { username: 'alice' },
    object: operation === 'DELETE' ? null : object,
    oldObject: options.oldObject ?? null,
    dryRun: options.dryRun ?? false,
  };
}

/** A ClusterState whose chosen reads fail as if the API server were down. */
export function failingCluster(
  base: ClusterState,
  failing: ReadonlyArray<keyof ClusterState> = [
    'getNamespace',
    'listPolicies',
    'listAllPolicies',
    'listAuthorizationPolicies',
    'listAllAuthorizationPolicies',
    'listNamespaces',
    'listPods',
  ],
): ClusterState {
  const fail = (what: string) => (): Promise<never> =>
    Promise.reject(new ClusterUnavailableError(what, new Error('connect ECONNREFUSED 10.96.0.1:443')));
  return {
    getNamespace: failing.includes('getNamespace') ? fail('namespace') : (n) => base.getNamespace(n),
    listPolicies: failing.includes('listPolicies') ? fail('MeshTLSPolicies') : (n) => base.listPolicies(n),
    listAllPolicies: failing.includes('listAllPolicies') ? fail('MeshTLSPolicies') : () => base.listAllPolicies(),
    listAuthorizationPolicies: failing.includes('listAuthorizationPolicies')
      ? fail('MeshAuthorizationPolicies')
      : (n) => base.listAuthorizationPolicies(n),
    listAllAuthorizationPolicies: failing.includes('listAllAuthorizationPolicies')
      ? fail('MeshAuthorizationPolicies')
      : () => base.listAllAuthorizationPolicies(),
    listNamespaces: failing.includes('listNamespaces') ? fail('namespaces') : () => base.listNamespaces(),
    listPods: failing.includes('listPods') ? fail('pods') : (n) => base.listPods(n),
  };
}

type Spec = Record<string, any>;

/** A Deployment in `ns` whose pods use the host network. */
export function hostNetDeployment(ns = 'shop'): KubeObject {
  const d = deployment('web', { ...appTemplate(), spec: { ...(appTemplate() as Spec).spec, hostNetwork: true } }) as Spec;
  d.metadata.namespace = ns;
  return d as KubeObject;
}

/** An injected pod with meshward's init containers and volumes taken out. */
export function uninjectedPod(): KubeObject {
  const p = injectedPod('bare') as Spec;
  p.spec.initContainers = [];
  p.spec.volumes = [];
  return p as KubeObject;
}
