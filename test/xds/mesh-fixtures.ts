// A small mesh as plain objects, and a MeshView over any set of them: the control plane's builders
// are pure functions of a view, so the tests need no cluster.

import { buildConfig } from '../../webhook/config/load.js';
import type { MeshwardConfig } from '../../webhook/config/types.js';
import type { EndpointSlice, KubeResourceObject, Namespace, Pod, Service } from '../../webhook/kube/types.js';
import type { MeshView } from '../../webhook/xds/mesh-view.js';

export const config: MeshwardConfig = buildConfig({ flags: { 'self-signed': true } });

export interface PodOptions {
  readonly sa?: string;
  readonly ip?: string;
  readonly ready?: boolean;
  readonly injected?: boolean;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly ports?: number[];
}

export function pod(namespace: string, name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      resourceVersion: '1',
      labels: { app: name.split('-')[0]!, ...(o.injected === false ? {} : { 'meshward.io/injected': 'true' }), ...o.labels },
      annotations: { ...o.annotations },
    },
    spec: {
      serviceAccountName: o.sa ?? name.split('-')[0],
      containers: [{ name: 'app', ports: (o.ports ?? [8080]).map((containerPort) => ({ containerPort })) }],
      initContainers: [{ name: 'meshward-proxy', restartPolicy: 'Always' }],
    },
    status: {
      podIP: o.ip ?? '10.1.0.1',
      initContainerStatuses: [{ name: 'meshward-proxy', ready: o.ready ?? true }],
    },
  } as Pod;
}

export function service(namespace: string, name: string, clusterIP: string, ports: Array<{ port: number; name?: string }>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { clusterIP, clusterIPs: clusterIP === 'None' ? undefined : [clusterIP], ports },
  } as Service;
}

export function slice(
  namespace: string,
  svc: string,
  targetPort: number,
  backends: Array<{ ip: string; pod?: string; ready?: boolean }>,
  portName?: string,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name: `${svc}-abc`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ port: targetPort, protocol: 'TCP', ...(portName ? { name: portName } : {}) }],
    endpoints: backends.map((b) => ({
      addresses: [b.ip],
      conditions: { ready: b.ready ?? true },
      ...(b.pod ? { targetRef: { kind: 'Pod', namespace, name: b.pod } } : {}),
    })),
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'meshward.io/inject': 'enabled', ...labels } } };
}

export function policy(ns: string, name: string, spec: Record<string, unknown>): KubeResourceObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshTLSPolicy',
    metadata: { namespace: ns, name, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  } as KubeResourceObject;
}

export function authorizationPolicy(ns: string, name: string, spec: Record<string, unknown>): KubeResourceObject {
  return {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshAuthorizationPolicy',
    metadata: { namespace: ns, name, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec,
  } as KubeResourceObject;
}

/** In the shop mesh: only the pay api's port 8080, only for shop's web ServiceAccount. */
export function apiCallersPolicy(): KubeResourceObject {
  return authorizationPolicy('pay', 'api-callers', {
    selector: { matchLabels: { app: 'api' } },
    ports: [8080],
    allow: [{ serviceAccounts: ['shop/web'] }],
  });
}

/** A MeshView over fixed objects; only injected pods are visible, as in the real cache. */
export function staticView(objects: readonly KubeResourceObject[]): MeshView {
  const of = <T extends KubeResourceObject>(kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
  return {
    namespace: (name) => of<Namespace>('Namespace').find((n) => n.metadata.name === name),
    policies: (ns) => of('MeshTLSPolicy').filter((p) => p.metadata.namespace === ns),
    authorizationPolicies: (ns) => of('MeshAuthorizationPolicy').filter((p) => p.metadata.namespace === ns),
    pod: (ns, name) =>
      of<Pod>('Pod').find(
        (p) => p.metadata.namespace === ns && p.metadata.name === name && p.metadata.labels?.['meshward.io/injected'] === 'true',
      ),
    services: () => of<Service>('Service'),
    endpointSlices: (ns, svc) =>
      of<EndpointSlice>('EndpointSlice').filter(
        (s) => s.metadata.namespace === ns && s.metadata.labels?.['kubernetes.io/service-name'] === svc,
      ),
  };
}

/** The shop mesh: web → api (meshed, STRICT by label), kube-dns and a legacy namespace unmeshed. */
export function shopMesh(): KubeResourceObject[] {
  return [
    namespace('shop'),
    namespace('pay', { 'meshward.io/mtls': 'STRICT' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
    pod('shop', 'web-1', { ip: '10.1.0.10' }),
    pod('pay', 'api-1', { ip: '10.1.0.20', sa: 'payments' }),
    pod('pay', 'api-2', { ip: '10.1.0.21', sa: 'payments' }),
    pod('legacy', 'old-1', { ip: '10.1.0.30', injected: false }),
    service('pay', 'api', '10.96.0.20', [{ port: 80, name: 'http' }]),
    slice(
      'pay',
      'api',
      8080,
      [
        { ip: '10.1.0.20', pod: 'api-1' },
        { ip: '10.1.0.21', pod: 'api-2' },
      ],
      'http',
    ),
    service('default', 'kubernetes', '10.96.0.1', [{ port: 443, name: 'https' }]),
    slice('default', 'kubernetes', 6443, [{ ip: '172.18.0.2' }], 'https'),
    service('kube-system', 'kube-dns', '10.96.0.10', [{ port: 53, name: 'dns-tcp' }]),
    slice('kube-system', 'kube-dns', 53, [{ ip: '10.1.0.2', pod: 'coredns-1' }], 'dns-tcp'),
    service('legacy', 'old', '10.96.0.30', [{ port: 80 }]),
    slice('legacy', 'old', 8080, [{ ip: '10.1.0.30', pod: 'old-1' }]),
  ];
}
