import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { podFindings } from '../../webhook/gate/pod-rules.js';
import { podViewOf } from '../../webhook/gate/pod-template.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import {
  appTemplate,
  clone,
  config,
  cronJob,
  FIPS_PROXY_IMAGE,
  deployment,
  injectedPod,
  meshwardInit,
  meshwardProxy,
  request,
  strictNs,
} from './fixtures.js';

// Realistic objects that must pass in a STRICT namespace: no false positives.

type Spec = Record<string, any>;

function variant(mutate: (p: Spec) => void): KubeObject {
  const p = injectedPod() as Spec;
  mutate(p);
  return p;
}

function workload(kind: string, group: string, template = appTemplate()): KubeObject {
  const spec = kind === 'Job' ? { template } : { selector: { matchLabels: { app: 'web' } }, template };
  return { apiVersion: group ? `${group}/v1` : 'v1', kind, metadata: { name: kind.toLowerCase(), namespace: 'shop' }, spec };
}

const corpus: Array<[string, KubeObject]> = [
  ['native-sidecar injected pod', injectedPod()],
  [
    'classic-mode injected pod (proxy in containers)',
    variant((p) => {
      p.spec.initContainers = [meshwardInit()];
      p.spec.containers.push(meshwardProxy(false));
    }),
  ],
  [
    'pod-level runAsGroup/fsGroup/supplementalGroups other than the proxy GID',
    variant((p) => {
      p.spec.securityContext = { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 1338] };
      delete p.spec.containers[0].securityContext.runAsUser;
      delete p.spec.containers[0].securityContext.runAsGroup;
    }),
  ],
  [
    'pod-level runAsUser 1337 that every app container overrides (the proxy inherits it legitimately)',
    variant((p) => {
      p.spec.securityContext.runAsUser = 1337;
      p.spec.securityContext.runAsGroup = 1337;
      delete p.spec.initContainers[1].securityContext.runAsUser;
      delete p.spec.initContainers[1].securityContext.runAsGroup;
    }),
  ],
  [
    "app init container after meshward's, dropping ALL",
    variant((p) =>
      p.spec.initContainers.push({
        name: 'migrate',
        image: 'ghcr.io/acme/migrate:3',
        securityContext: { runAsUser: 10001, capabilities: { drop: ['ALL'] } },
      }),
    ),
  ],
  [
    'app adds NET_BIND_SERVICE only',
    variant((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['NET_BIND_SERVICE'], drop: ['ALL'] })),
  ],
  [
    'explicit privileged: false and allowPrivilegeEscalation: true',
    variant((p) => Object.assign(p.spec.containers[0].securityContext, { privileged: false, allowPrivilegeEscalation: true })),
  ],
  [
    'meshward.io/inject label "true" and annotation "TRUE"',
    variant((p) => ((p.metadata.labels['meshward.io/inject'] = 'true'), (p.metadata.annotations['meshward.io/inject'] = 'TRUE'))),
  ],
  [
    'per-pod proxy-image override naming an allow-listed image',
    variant((p) => {
      p.metadata.annotations['meshward.io/proxy-image'] = FIPS_PROXY_IMAGE;
      p.spec.initContainers[1].image = FIPS_PROXY_IMAGE;
    }),
  ],
  [
    'outbound exclusions (client side, not refused) and an empty inbound exclusion',
    variant((p) =>
      Object.assign(p.metadata.annotations, {
        'meshward.io/exclude-outbound-cidrs': '169.254.169.254/32',
        'meshward.io/exclude-outbound-ports': '5432',
        'meshward.io/exclude-inbound-ports': '',
      }),
    ),
  ],
  [
    'ephemeral debug container without privileges',
    variant(
      (p) =>
        (p.spec.ephemeralContainers = [
          { name: 'debugger', image: 'busybox:1.37', targetContainerName: 'web', securityContext: { runAsUser: 10001 } },
        ]),
    ),
  ],
  [
    'two app containers and hostNetwork: false',
    variant((p) => ((p.spec.hostNetwork = false), p.spec.containers.push({ name: 'worker', image: 'ghcr.io/acme/worker:2' }))),
  ],
  ['a root app without extra capabilities', variant((p) => (p.spec.containers[0].securityContext = { runAsUser: 0 }))],
  [
    'an init container running as root without extra capabilities',
    variant((p) => p.spec.initContainers.push({ name: 'chown', image: 'busybox:1.37', securityContext: { runAsUser: 0 } })),
  ],
  [
    'every probe kind (httpGet, tcpSocket, grpc, exec), rewritten or not',
    variant((p) => {
      Object.assign(p.spec.containers[0], {
        livenessProbe: { httpGet: { path: '/app-health/web/livez', port: 15020, scheme: 'HTTP' } },
        readinessProbe: { tcpSocket: { port: 8080 } },
        startupProbe: { exec: { command: ['true'] } },
      });
      p.spec.containers.push({ name: 'rpc', image: 'rpc:1', ports: [{ containerPort: 9090 }], readinessProbe: { grpc: { port: 9090 } } });
    }),
  ],
  [
    'an app terminating its own TLS (HTTPS probe on 8443)',
    variant((p) =>
      Object.assign(p.spec.containers[0], {
        ports: [{ containerPort: 8443 }],
        readinessProbe: { httpGet: { path: '/healthz', port: 8443, scheme: 'HTTPS' } },
      }),
    ),
  ],
  [
    'a plain kubectl debug container (profile general: SYS_PTRACE, no shared process namespace)',
    variant(
      (p) =>
        (p.spec.ephemeralContainers = [
          {
            name: 'debugger-x7',
            image: 'busybox:1.37',
            targetContainerName: 'web',
            securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
          },
        ]),
    ),
  ],
  ['Deployment', deployment()],
  [
    'StatefulSet with an ordinary fsGroup',
    workload('StatefulSet', 'apps', { ...appTemplate(), spec: { ...(appTemplate().spec as object), securityContext: { fsGroup: 2000 } } }),
  ],
  [
    'Job with a native sidecar',
    workload('Job', 'batch', {
      ...appTemplate(),
      spec: {
        ...(appTemplate().spec as object),
        restartPolicy: 'Never',
        initContainers: [{ name: 'log-shipper', image: 'fluent-bit:3', restartPolicy: 'Always' }],
      },
    }),
  ],
  [
    'CronJob with a native sidecar',
    cronJob('nightly', {
      ...appTemplate(),
      spec: {
        ...(appTemplate().spec as object),
        restartPolicy: 'OnFailure',
        initContainers: [{ name: 'log-shipper', image: 'fluent-bit:3', restartPolicy: 'Always' }],
      },
    }),
  ],
  ['StatefulSet', workload('StatefulSet', 'apps')],
  ['DaemonSet', workload('DaemonSet', 'apps')],
  ['ReplicaSet', workload('ReplicaSet', 'apps')],
  ['Job', workload('Job', 'batch')],
  ['CronJob', cronJob()],
  [
    'Deployment asking for injection explicitly',
    deployment('web', { ...appTemplate(), metadata: { labels: { app: 'web', 'meshward.io/inject': 'true' } } }),
  ],
];

describe('gate compliant corpus: no false positives in a STRICT namespace', () => {
  const handler = createGateHandler({ config, cluster: new StaticClusterState([strictNs()]) });
  for (const [name, object] of corpus) {
    it(`${name}: no findings, and admitted as compliant`, async () => {
      const view = podViewOf(object);
      assert.ok(view);
      assert.deepEqual(podFindings(view, config, { requireInjected: object.kind === 'Pod' }), []);
      const decision = await handler(request(clone(object)));
      assert.equal(decision.allowed, true, decision.message);
      assert.equal(decision.reason, 'compliant');
    });
  }
});
