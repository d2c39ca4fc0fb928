import assert from 'node:assert/strict';
import fastJsonPatch from 'fast-json-patch';
import type { AdmissionRequest, KubeObject } from '../../webhook/admission/types.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { createInjectHandler } from '../../webhook/inject/handler.js';
import { resolvePodModes } from '../../webhook/inject/pod-modes.js';
import { typicalPod } from '../../bench/pods.js';
import { ClusterUnavailableError, type ClusterState } from '../../webhook/kube/cluster-state.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { config, templates } from './inject-fixtures.js';

const namespaces: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'meshward.io/inject': 'enabled' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'off', labels: { 'meshward.io/inject': 'disabled' } } },
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'vault', labels: { 'meshward.io/inject': 'enabled', 'meshward.io/mtls': 'STRICT' } },
  },
  // Created before the namespace was labelled STRICT: the label is a floor, so it no longer counts.
  {
    apiVersion: 'meshward.io/v1alpha1',
    kind: 'MeshTLSPolicy',
    metadata: { name: 'relaxed', namespace: 'vault' },
    spec: { mode: 'PERMISSIVE', selector: { matchLabels: { app: 'web' } }, portLevelMtls: { '9090': { mode: 'DISABLE' } } },
  },
];

function request(pod: Record<string, any>, namespace = 'shop', operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace,
    operation,
    userInfo: {},
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', ...pod.metadata },
      spec: { containers: [{ name: 'app', image: 'app:1' }], ...pod.spec },
    },
  };
}

function handler(cluster: ClusterState = new StaticClusterState(namespaces)) {
  return createInjectHandler({ config, templates, configHash: injectionConfigHash(config), cluster });
}

describe('injector admission handler', () => {
  it('injects a pod in an opted-in namespace', async () => {
    const decision = await handler()(request({}));
    assert.equal(decision.allowed, true);
    assert.equal(decision.reason, 'injected');
    assert.ok(decision.patch!.length > 0);
  });

  const skips: Array<[string, Record<string, any>, string, string]> = [
    ['a namespace that did not opt in', {}, 'legacy', 'namespace-not-enabled'],
    // The pod webhook's objectSelector only sends the label "true": an annotation, or another spelling, never arrives.
    [
      'a pod opting in by annotation where the namespace did not',
      { metadata: { annotations: { 'meshward.io/inject': 'true' } } },
      'legacy',
      'namespace-not-enabled',
    ],
    [
      'a pod opting in with label "TRUE" where the namespace did not',
      { metadata: { labels: { 'meshward.io/inject': 'TRUE' } } },
      'legacy',
      'namespace-not-enabled',
    ],
    ['a namespace that opted out', { metadata: { labels: { 'meshward.io/inject': 'true' } } }, 'off', 'namespace-disabled'],
    ['a pod that opts out by label', { metadata: { labels: { 'meshward.io/inject': 'false' } } }, 'shop', 'pod-opted-out'],
    ['a pod that opts out by annotation', { metadata: { annotations: { 'meshward.io/inject': 'False' } } }, 'shop', 'pod-opted-out'],
    ['a hostNetwork pod', { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'a' }] } }, 'shop', 'host-network'],
    ['kube-system', {}, 'kube-system', 'system-namespace'],
    ["meshward's namespace", {}, 'meshward-system', 'meshward-namespace'],
    ['a mirror pod', { metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } } }, 'shop', 'mirror-pod'],
  ];
  for (const [what, pod, ns, reason] of skips) {
    it(`leaves ${what} untouched (reason ${reason})`, async () => {
      const decision = await handler()(request(pod, ns));
      assert.deepEqual(
        { allowed: decision.allowed, reason: decision.reason, patch: decision.patch },
        { allowed: true, reason, patch: undefined },
      );
    });
  }

  it('injects a pod that opts in where the namespace did not', async () => {
    const decision = await handler()(request({ metadata: { labels: { 'meshward.io/inject': 'true' } } }, 'legacy'));
    assert.equal(decision.reason, 'injected');
  });

  it('denies invalid annotations, naming each annotation, the value and the accepted form', async () => {
    const decision = await handler()(
      request({
        metadata: {
          annotations: {
            'meshward.io/proxy-cpu': 'lots',
            'meshward.io/exclude-outbound-ports': '80,http',
            'meshward.io/native-sidecar': 'yes',
          },
        },
      }),
    );
    assert.equal(decision.allowed, false);
    assert.match(decision.message!, /meshward\.io\/proxy-cpu.*"lots".*quantity/);
    assert.match(decision.message!, /meshward\.io\/exclude-outbound-ports.*"80,http"/);
    assert.match(decision.message!, /meshward\.io\/native-sidecar.*"yes".*"true" or "false"/);
  });

  it("denies a pod that declares one of the proxy's own ports, naming the field", async () => {
    const decision = await handler()(
      request({ spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }, { containerPort: 15001 }] }] } }),
    );
    assert.equal(decision.allowed, false);
    assert.equal(decision.reason, 'reserved-port');
    assert.match(
      decision.message!,
      /\[MW-PORT-002\] spec\.containers\[0\]\.ports\[1\]\.containerPort: 15001 is reserved.*Fix: use another port/,
    );
  });

  it('puts no mode in the injection; the modes the xDS server sends are STRICT on every port of a STRICT namespace, whatever an older policy says', async () => {
    const pod = (namespace: string): AdmissionRequest =>
      request(
        {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }, { containerPort: 9090 }] }] },
        },
        namespace,
      );
    const strict = await handler()(pod('vault'));
    assert.equal(strict.reason, 'injected');
    assert.deepEqual(strict.patch, (await handler()(pod('shop'))).patch, 'the same injection in a STRICT namespace and elsewhere');
    const object = pod('vault').object as any;
    const modes = await resolvePodModes(object, namespaces[3], config, new StaticClusterState(namespaces));
    assert.deepEqual(
      [modes.workloadMode, modes.ports.map((p) => [p.port, p.mode])],
      [
        'STRICT',
        [
          [8080, 'STRICT'],
          [9090, 'STRICT'],
        ],
      ],
    );
  });

  it("keeps the typical pod's patch under 6 KB: no proxy configuration, one capture rule set", async () => {
    const decision = await handler()({ ...request({}), object: typicalPod('shop') });
    assert.equal(decision.reason, 'injected');
    const size = JSON.stringify(decision.patch).length;
    assert.ok(size <= 6000, `${size} bytes`);
    const init = (decision.patch!.find((op) => op.path === '/spec/initContainers')!.value as any[])[0];
    assert.deepEqual(
      init.env.map((e: any) => e.name),
      ['MESHWARD_IPTABLES'],
    );
  });

  it('denies a proxy image off the allow-list, naming the annotation and the allowed images', async () => {
    const denied = await handler()(request({ metadata: { annotations: { 'meshward.io/proxy-image': 'evil.example/envoy:1' } } }));
    assert.equal(denied.allowed, false);
    assert.match(
      denied.message!,
      /\[MW-IMAGE-001\] metadata\.annotations\["meshward\.io\/proxy-image"\]: "evil\.example\/envoy:1" is not on the proxy allow-list \(docker\.io\/envoyproxy\/envoy:v1\.36\.2, registry\.example\.com\/envoy:v1\.36\.2-custom\)\. Fix: .*proxy\.allowedImages/,
    );
    const allowed = await handler()(
      request({ metadata: { annotations: { 'meshward.io/proxy-image': 'registry.example.com/envoy:v1.36.2-custom' } } }),
    );
    assert.equal(allowed.reason, 'injected');
  });

  it("denies probes aimed at the proxy's ports, and leaves probes that name a host to the kubelet", async () => {
    const denied = await handler()(
      request({ spec: { containers: [{ name: 'app', image: 'app:1', livenessProbe: { tcpSocket: { port: 15000 } } }] } }),
    );
    assert.equal(denied.allowed, false);
    assert.match(
      denied.message!,
      /\[MW-PROBE-001\] spec\.containers\[0\]\.livenessProbe\.tcpSocket\.port: 15000 is one of meshward's proxy ports.*Fix: probe the app's own port/,
    );
    const hosted = await handler()(
      request({
        spec: {
          containers: [{ name: 'app', image: 'app:1', readinessProbe: { httpGet: { host: 'db.internal', path: '/', port: 5432 } } }],
        },
      }),
    );
    assert.equal(hosted.reason, 'injected');
    assert.ok(!hosted.patch!.some((op) => op.path.includes('readinessProbe')), 'not rewritten: the proxy never relays to another host');
  });

  it('denies an invalid inject label value instead of guessing', async () => {
    const decision = await handler()(request({ metadata: { labels: { 'meshward.io/inject': 'yes' } } }));
    assert.equal(decision.allowed, false);
    assert.match(decision.message!, /meshward\.io\/inject.*"yes".*"true" or "false"/);
  });

  it('fails closed (never a silently unmeshed pod) when the API server cannot be read', async () => {
    const broken: ClusterState = {
      getNamespace: async () => {
        throw new ClusterUnavailableError('namespace shop', new Error('connection refused'));
      },
      listPolicies: async () => [],
      listAllPolicies: async () => [],
      listAuthorizationPolicies: async () => [],
      listAllAuthorizationPolicies: async () => [],
      listNamespaces: async () => [],
      listPods: async () => [],
    };
    const decision = await handler(broken)(request({}));
    assert.equal(decision.allowed, false);
    assert.equal(decision.reason, 'cluster-unavailable');
    assert.match(decision.message!, /connection refused/);
  });

  it('is idempotent and, on reinvocation, rewrites only the probes of containers added since', async () => {
    const h = handler();
    const original = request({});
    const first = await h(original);
    const injected = fastJsonPatch.applyPatch(structuredClone(original.object), first.patch as any, true, false).newDocument as any;
    const again = await h({ ...original, object: injected });
    assert.equal(again.reason, 'already-injected');
    assert.equal(again.patch, undefined);
    // A later webhook adds a container with an HTTP readiness probe.
    injected.spec.containers.push({ name: 'late', image: 'late:1', readinessProbe: { httpGet: { path: '/ok', port: 8081 } } });
    const reinvoked = await h({ ...original, object: injected });
    assert.equal(reinvoked.reason, 'reinvoked-probes');
    const after = fastJsonPatch.applyPatch(structuredClone(injected), reinvoked.patch as any, true, false).newDocument as any;
    assert.deepEqual(after.spec.containers.at(-1).readinessProbe, { httpGet: { path: '/app-health/late/readyz', port: 15020 } });
    // The xDS server routes the status port by the routes the annotation records.
    const status = JSON.parse(after.metadata.annotations['meshward.io/status']);
    assert.deepEqual(status.probes, [{ path: '/app-health/late/readyz', kind: 'http', port: 8081, scheme: 'HTTP', originalPath: '/ok' }]);
    assert.ok(
      reinvoked.patch!.every(
        (op) => op.path.startsWith('/spec/containers/1/readinessProbe/') || op.path.startsWith('/metadata/annotations/'),
      ),
      'nothing else changes',
    );
    const third = await h({ ...original, object: after });
    assert.equal(third.reason, 'already-injected');
  });

  it('injects a pod with 1000 env vars (~64 KiB)', async () => {
    const env = Array.from({ length: 1000 }, (_, i) => ({ name: `VAR_${i}`, value: 'x'.repeat(40) }));
    const decision = await handler()(request({ spec: { containers: [{ name: 'big', image: 'big:1', env }] } }));
    assert.equal(decision.reason, 'injected');
    assert.ok(!JSON.stringify(decision.patch).includes('VAR_999'), 'the patch does not copy the pod');
  });
});
