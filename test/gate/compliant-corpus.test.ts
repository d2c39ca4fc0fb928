import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { podFindings } from '../../webhook/gate/pod-rules.js';
import { podViewOf } from '../../webhook/gate/pod-template.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { appTemplate, clone, config, cronJob, deployment, injectedPod, meshwardInit, meshwardProxy, request, strictNs } from './fixtures.js';

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
    'pod-level runAsGroup/fsGroup/supplementalGroups incl. 1337 only as a supplementary group',
    variant((p) => {
      p.spec.securityContext = { runAsUser: 1000, runAsGroup: 3000, fsGroup: 1337, supplementalGroups: [1337, 4000] };
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
  ['app init container after meshward\'s, dropping ALL', variant((p) => p.spec.initContainers.push({ name: 'migrate', image: 'ghcr.io/acme/migrate:3', securityContext: { runAsUser: 10001, capabilities: { drop: ['ALL'] } } }))],
  ['app adds NET_BIND_SERVICE only', variant((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }))],
  ['explicit privileged: false and allowPrivilegeEscalation: true', variant((p) => Object.assign(p.spec.containers[0].securityContext, { privileged: false, allowPrivilegeEscalation: true }))],
  ['meshward.io/inject label "true" and annotation "enabled"', variant((p) => ((p.metadata.labels['meshward.io/inject'] = 'true'), (p.metadata.annotations['meshward.io/inject'] = 'enabled')))],
  [
    'per-pod proxy-image override honoured by the injector',
    variant((p) => {
      p.metadata.annotations['meshward.io/proxy-image'] = 'registry.internal/envoy:v1.36.2-fips';
      p.spec.initContainers[1].image = 'registry.internal/envoy:v1.36.2-fips';
    }),
  ],
  ['outbound exclusions (client side, not refused) and an empty inbound exclusion', variant((p) => Object.assign(p.metadata.annotations, { 'meshward.io/exclude-outbound-cidrs': '169.254.169.254/32', 'meshward.io/exclude-outbound-ports': '5432', 'meshward.io/exclude-inbound-ports': '' }))],
  ['ephemeral debug container without privileges', variant((p) => (p.spec.ephemeralContainers = [{ name: 'debugger', image: 'busybox:1.37', targetContainerName: 'web', securityContext: { runAsUser: 10001 } }]))],
  ['two app containers and hostNetwork: false', variant((p) => ((p.spec.hostNetwork = false), p.spec.containers.push({ name: 'worker', image: 'ghcr.io/acme/worker:2' })))],
  ['Deployment', deployment()],
  ['StatefulSet', workload('StatefulSet', 'apps')],
  ['DaemonSet', workload('DaemonSet', 'apps')],
  ['ReplicaSet', workload('ReplicaSet', 'apps')],
  ['Job', workload('Job', 'batch')],
  ['CronJob', cronJob()],
  ['Deployment asking for injection explicitly', deployment('web', { ...appTemplate(), metadata: { labels: { app: 'web', 'meshward.io/inject': 'true' } } })],
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
