import type { KubeObject } from '../webhook/admission/types.js';

// The pods the benchmark sends. They look like what the API server really hands a webhook: the
// ReplicaSet controller's pod for a Deployment, after defaulting (imagePullPolicy, termination
// message fields, dnsPolicy, tolerations, the service-account token volume, ...).

function container(name: string, image: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: `${name.slice(0, 10)}-http`, containerPort: port, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
    ],
    volumeMounts: [{ name: 'kube-api-access-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    ...extra,
  };
}

/**
 * The typical pod of workload `i`: its own Deployment (ReplicaSet name, uid and generateName, app
 * and pod-template-hash labels) and its own ServiceAccount, as a cluster with thousands of distinct
 * workloads sends them. Same containers and probes, so the injector's work per pod is the same.
 */
export function workloadPod(namespace: string, i: number): KubeObject {
  const pod = typicalPod(namespace) as {
    metadata: { generateName?: string; labels: Record<string, string>; ownerReferences: Array<Record<string, unknown>> };
    spec: Record<string, unknown>;
  };
  const hash = (0x5f3a1c7 + i * 7919).toString(36).slice(-9);
  const replicaSet = `wl-${i}-${hash}`;
  pod.spec.serviceAccountName = `wl-${i}`;
  pod.metadata.generateName = `${replicaSet}-`;
  pod.metadata.labels = { ...pod.metadata.labels, app: `wl-${i}`, 'pod-template-hash': hash };
  pod.metadata.ownerReferences = pod.metadata.ownerReferences.map((o) => ({
    ...o,
    name: replicaSet,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  }));
  return pod as unknown as KubeObject;
}

/** A Deployment's pod in `namespace`: 3 containers with HTTP, TCP and gRPC probes (≈4.5 KB of JSON). */
export function typicalPod(namespace: string, extraLabels: Record<string, string> = {}): KubeObject {
  const ownerReferences = [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'checkout-7d9f8c6b5',
      uid: '5b0c9d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'checkout-7d9f8c6b5-',
      namespace,
      labels: { app: 'checkout', 'pod-template-hash': '7d9f8c6b5', 'app.kubernetes.io/version': '2.4.1', ...extraLabels },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:00:00Z' },
      ownerReferences,
    },
    spec: {
      containers: [
        container('checkout', 'registry.example.com/shop/checkout:2.4.1', 8080, {
          readinessProbe: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
            periodSeconds: 5,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          livenessProbe: {
            httpGet: { path: '/live', port: 'checkout-http', scheme: 'HTTP' },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
        }),
        container('pricing-grpc', 'registry.example.com/shop/pricing:1.9.0', 9090, {
          livenessProbe: {
            grpc: { port: 9090, service: 'pricing' },
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          readinessProbe: { tcpSocket: { port: 9090 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        }),
        container('metrics', 'registry.example.com/ops/exporter:0.12.0', 9100, {
          startupProbe: {
            httpGet: { path: '/healthz', port: 9100, scheme: 'HTTP' },
            periodSeconds: 2,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 30,
          },
        }),
      ],
      volumes: [
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'checkout',
      serviceAccount: 'checkout',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {},
  };
}

/** The typical pod with 1000 env vars on its first container: ≈64 KiB of AdmissionReview. */
export function largePod(namespace: string, envVars = 1000): KubeObject {
  const pod = typicalPod(namespace);
  const containers = (pod.spec as { containers: Array<{ env: unknown[] }> }).containers;
  for (let i = 0; i < envVars; i++) {
    containers[0]!.env.push({ name: `CHECKOUT_SETTING_${String(i).padStart(4, '0')}`, value: `value-${i}-${'x'.repeat(20)}` });
  }
  return pod;
}

/** Escapes STRICT twice: host network and the pod-level opt-out label (so it is never injected). */
export function violatingPod(namespace: string): KubeObject {
  const pod = typicalPod(namespace, { 'meshward.io/inject': 'false' });
  (pod.spec as Record<string, unknown>).hostNetwork = true;
  return pod;
}

/** An AdmissionReview v1 for a Pod CREATE, as the API server sends it. */
export function podCreateReview(uid: string, pod: KubeObject, namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace,
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        uid: 'c1d2e3f4',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
      },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}
