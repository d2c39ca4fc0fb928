import { podCreateReview } from '../../bench/pods.js';
import type { AdmissionHandler, KubeObject } from '../../webhook/admission/types.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { buildConfig } from '../../webhook/config/load.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { createInjectHandler } from '../../webhook/inject/handler.js';
import { loadTemplates } from '../../webhook/inject/templates.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

// The REAL injector and gate, wired as webhook/cli/wire-handlers.ts does in --offline mode, over a
// fixed cluster: a STRICT namespace, an opted-in one, one that did not opt in, and a policy.

export const STRICT_NS = 'hard-strict';
export const SHOP_NS = 'hard-shop';
export const PLAIN_NS = 'hard-plain';

export function clusterObjects(): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: STRICT_NS, labels: { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' } },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SHOP_NS, labels: { 'meshward.io/inject': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLAIN_NS } },
    {
      apiVersion: 'meshward.io/v1alpha1',
      kind: 'MeshTLSPolicy',
      metadata: { name: 'shop-permissive-metrics', namespace: SHOP_NS },
      spec: { selector: { matchLabels: { app: 'web' } }, mode: 'STRICT', portLevelMtls: { '9100': { mode: 'PERMISSIVE' } } },
    },
  ];
}

export function realHandlers(): { mutate: AdmissionHandler; validate: AdmissionHandler } {
  const config = buildConfig({ flags: { 'self-signed': true, offline: true } });
  const cluster = new StaticClusterState(clusterObjects());
  return {
    mutate: createInjectHandler({ config, templates: loadTemplates(), configHash: injectionConfigHash(config), cluster }),
    validate: createGateHandler({ config, cluster }),
  };
}

/** An in-process meshward server (real TLS on 127.0.0.1, ephemeral port) with the real handlers. */
export function startRealServer(flags: Record<string, string | boolean> = {}): Promise<TestServer> {
  return startTestServer(realHandlers(), flags);
}

/** A Deployment-like pod: three containers, HTTP/TCP/gRPC probes. */
export function typicalPod(namespace: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-5d8f9-', namespace, labels: { app: 'web', ...labels } },
    spec: {
      serviceAccountName: 'web',
      containers: [
        {
          name: 'web',
          image: 'web:1',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          livenessProbe: { tcpSocket: { port: 8080 } },
        },
        { name: 'rpc', image: 'rpc:1', ports: [{ containerPort: 9090 }], livenessProbe: { grpc: { port: 9090 } } },
        { name: 'metrics', image: 'exporter:1', ports: [{ containerPort: 9100 }] },
      ],
    },
  };
}

/** A Pod CREATE review (bench/pods.ts builds it as the API server sends it), with fields overridden. */
export function review(uid: string, object: unknown, namespace: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = podCreateReview(uid, object as KubeObject, namespace) as { request: Record<string, unknown> };
  return { ...base, request: { ...base.request, ...extra } };
}
