import { ANNOTATION_STATUS, LABEL_INJECTED, PROXY_CONTAINER_NAME } from '../webhook/config/names.js';
import type { EndpointSlice, KubeResourceObject, Namespace, Pod, Service } from '../webhook/kube/types.js';
import type { MeshView } from '../webhook/xds/mesh-view.js';

// The synthetic mesh the control-plane bench serves: S Services spread over K namespaces, each
// backed by R meshed pods (injected, proxy ready, distinct IPs, one ServiceAccount per Service),
// as the informer caches would hold them, behind a MeshView with indexed lookups (the tests'
// staticView scans every object per call, which a mesh of thousands would turn into the bench's
// own bottleneck). It can change the way the cluster does: a MeshTLSPolicy created or edited, an
// endpoint added or removed. The harness and the server process build the same mesh from the same
// shape, so the harness knows, without asking, which proxy is which pod.

export interface MeshShape {
  readonly services: number;
  readonly namespaces: number;
  /** Meshed endpoints (pods) per Service. */
  readonly replicas: number;
}

export interface ProxyIdentity {
  readonly namespace: string;
  readonly pod: string;
  readonly serviceAccount: string;
}

const SERVICE_PORT = 80;
const TARGET_PORT = 8080;
// What the injector records for a typical pod: its readiness and liveness probes, rewritten to
// the proxy's status port (so each proxy has its probe routes and clusters, as in a real mesh).
const STATUS_ANNOTATION = JSON.stringify({
  probes: [
    { path: '/app-health/app/readyz', kind: 'http', port: TARGET_PORT, scheme: 'HTTP', originalPath: '/ready' },
    { path: '/app-health/app/livez', kind: 'http', port: TARGET_PORT, scheme: 'HTTP', originalPath: '/healthz' },
  ],
});

export const namespaceName = (i: number): string => `ns-${i}`;
export const serviceName = (i: number): string => `svc-${i}`;

function ipv4(base: number, i: number): string {
  const n = base + i;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
// Pods from 10.64.0.1 up, Service ClusterIPs from 10.96.0.1 up: disjoint for any size the bench uses.
const POD_BASE = (10 << 24) | (64 << 16);
const SERVICE_BASE = (10 << 24) | (96 << 16);

/** The proxies the bench's clients play: replica ⌊j / S⌋ of Service j mod S, so any N spreads over every namespace. */
export function proxyIdentities(shape: MeshShape, n: number): ProxyIdentity[] {
  if (n > shape.services * shape.replicas) throw new Error(`${n} proxies need ${n} pods; the mesh has ${shape.services * shape.replicas}`);
  return Array.from({ length: n }, (_, j) => {
    const s = j % shape.services;
    return {
      namespace: namespaceName(s % shape.namespaces),
      pod: `${serviceName(s)}-${Math.floor(j / shape.services)}`,
      serviceAccount: serviceName(s),
    };
  });
}

function meshedPod(namespace: string, name: string, serviceAccount: string, ip: string): Pod {
  const probe = (path: string): Record<string, unknown> => ({ httpGet: { path, port: 15020 }, periodSeconds: 10, timeoutSeconds: 1 });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace,
      name,
      resourceVersion: '1',
      labels: { app: serviceAccount, [LABEL_INJECTED]: 'true' },
      annotations: { [ANNOTATION_STATUS]: STATUS_ANNOTATION },
    },
    spec: {
      serviceAccountName: serviceAccount,
      containers: [
        {
          name: 'app',
          ports: [{ containerPort: TARGET_PORT }],
          readinessProbe: probe('/app-health/app/readyz'),
          livenessProbe: probe('/app-health/app/livez'),
        },
      ],
      initContainers: [{ name: PROXY_CONTAINER_NAME, restartPolicy: 'Always' }],
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], initContainerStatuses: [{ name: PROXY_CONTAINER_NAME, ready: true }] },
  } as Pod;
}

/** A MeshView over the synthetic mesh, with the changes the bench makes to it. */
export class SyntheticMesh implements MeshView {
  private readonly namespaces = new Map<string, Namespace>();
  private readonly policiesByNs = new Map<string, KubeResourceObject[]>();
  private readonly pods = new Map<string, Pod>();
  private readonly serviceList: Service[] = [];
  /** Endpoints per Service index: pod names and IPs, in order. */
  private readonly backends: Array<Array<{ pod: string; ip: string }>> = [];
  private readonly slices = new Map<string, readonly EndpointSlice[]>();
  private nextIp: number;
  private revision = 1;

  constructor(readonly shape: MeshShape) {
    for (let k = 0; k < shape.namespaces; k++) {
      const name = namespaceName(k);
      this.namespaces.set(name, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'meshward.io/inject': 'enabled' } } });
    }
    let ip = 0;
    for (let s = 0; s < shape.services; s++) {
      const ns = namespaceName(s % shape.namespaces);
      const name = serviceName(s);
      this.serviceList.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: ns, name },
        spec: {
          clusterIP: ipv4(SERVICE_BASE, s + 1),
          clusterIPs: [ipv4(SERVICE_BASE, s + 1)],
          ports: [{ name: 'http', port: SERVICE_PORT }],
        },
      });
      const list: Array<{ pod: string; ip: string }> = [];
      for (let r = 0; r < shape.replicas; r++) {
        const pod = `${name}-${r}`;
        const address = ipv4(POD_BASE, ++ip);
        this.pods.set(`${ns}/${pod}`, meshedPod(ns, pod, name, address));
        list.push({ pod, ip: address });
      }
      this.backends.push(list);
      this.writeSlice(s);
    }
    this.nextIp = ip + 1;
  }

  get podCount(): number {
    return this.pods.size;
  }

  namespace(name: string): Namespace | undefined {
    return this.namespaces.get(name);
  }

  policies(namespace: string): readonly KubeResourceObject[] {
    return this.policiesByNs.get(namespace) ?? [];
  }

  /** The synthetic mesh has no authorization policies: every port follows the mesh default. */
  authorizationPolicies(): readonly KubeResourceObject[] {
    return [];
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  services(): readonly Service[] {
    return this.serviceList;
  }

  endpointSlices(namespace: string, service: string): readonly EndpointSlice[] {
    return this.slices.get(`${namespace}/${service}`) ?? [];
  }

  /** Creates or edits the selector-less MeshTLSPolicy "bench" of a namespace (in the mesh namespace: mesh-wide). */
  setPolicy(namespace: string, mode: string): void {
    const policy: KubeResourceObject & { spec: unknown } = {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { namespace, name: 'bench', resourceVersion: String(++this.revision), creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { mode },
    };
    this.policiesByNs.set(namespace, [policy]);
  }

  /** One more meshed endpoint (a new pod of the Service), or one fewer (the newest goes; never below one). */
  changeEndpoint(serviceIndex: number, op: 'add' | 'remove'): { pod: string; endpoints: number } {
    const service = this.serviceList[serviceIndex];
    const list = this.backends[serviceIndex];
    if (!service || !list) throw new Error(`no service ${serviceIndex}`);
    const ns = service.metadata.namespace!;
    if (op === 'add') {
      const pod = `${service.metadata.name}-x${this.nextIp}`;
      const ip = ipv4(POD_BASE, this.nextIp++);
      this.pods.set(`${ns}/${pod}`, meshedPod(ns, pod, service.metadata.name, ip));
      list.push({ pod, ip });
      this.writeSlice(serviceIndex);
      return { pod, endpoints: list.length };
    }
    if (list.length <= 1) throw new Error(`service ${service.metadata.name} has one endpoint left`);
    const gone = list.pop()!;
    this.pods.delete(`${ns}/${gone.pod}`);
    this.writeSlice(serviceIndex);
    return { pod: gone.pod, endpoints: list.length };
  }

  /** A new EndpointSlice object, as the API server would send it after the change. */
  private writeSlice(s: number): void {
    const service = this.serviceList[s]!;
    const ns = service.metadata.namespace!;
    const name = service.metadata.name;
    this.slices.set(`${ns}/${name}`, [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          namespace: ns,
          name: `${name}-0`,
          resourceVersion: String(++this.revision),
          labels: { 'kubernetes.io/service-name': name },
        },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: TARGET_PORT, protocol: 'TCP' }],
        endpoints: this.backends[s]!.map((b) => ({
          addresses: [b.ip],
          conditions: { ready: true },
          targetRef: { kind: 'Pod', namespace: ns, name: b.pod },
        })),
      },
    ]);
  }
}
