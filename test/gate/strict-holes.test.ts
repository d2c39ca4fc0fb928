import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { checkObjects } from '../../webhook/gate/check-objects.js';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { appTemplate, clone, config, deployment, injectedPod, namespace, request, strictNs } from './fixtures.js';

// Each way a pod author could get plaintext in or take the proxy's place in a STRICT namespace,
// refused by the webhook (with its rule, field and fix) and by `meshward check` alike. Pod rows
// start from a compliant injected pod; template rows from a compliant Deployment.

type Spec = Record<string, any>;
type Row = [what: string, object: () => KubeObject, expected: Array<[rule: string, field: string]>];

function pod(mutate: (p: Spec) => void): () => KubeObject {
  return () => {
    const p = injectedPod() as Spec;
    mutate(p);
    return p;
  };
}

function template(mutate: (t: Spec) => void): () => KubeObject {
  return () => {
    const t = appTemplate() as Spec;
    mutate(t);
    return deployment('web', t);
  };
}

const app = (p: Spec): Spec => p.spec.containers[0];
const T = 'spec.template.';

const rows: Row[] = [
  // Ephemeral containers (kubectl debug) and the proxy's process.
  [
    'kubectl debug --target=meshward-proxy',
    pod((p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', targetContainerName: 'meshward-proxy' }])),
    [['MW-EPHEMERAL-001', 'spec.ephemeralContainers[0].targetContainerName']],
  ],
  [
    'kubectl debug --profile=netadmin',
    pod(
      (p) =>
        (p.spec.ephemeralContainers = [
          { name: 'dbg', image: 'busybox', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } },
        ]),
    ),
    [['MW-CAPS-001', 'spec.ephemeralContainers[0].securityContext.capabilities.add']],
  ],
  [
    'kubectl debug --profile=sysadmin',
    pod((p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', securityContext: { privileged: true } }])),
    [['MW-PRIV-001', 'spec.ephemeralContainers[0].securityContext.privileged']],
  ],
  [
    'an ephemeral container mounting the workload key',
    pod(
      (p) =>
        (p.spec.ephemeralContainers = [
          { name: 'dbg', image: 'busybox', volumeMounts: [{ name: 'meshward-credentials', mountPath: '/k' }] },
        ]),
    ),
    [['MW-VOLUME-001', 'spec.ephemeralContainers[0].volumeMounts[0].name']],
  ],
  [
    'SYS_PTRACE in a pod sharing its process namespace',
    pod((p) => ((p.spec.shareProcessNamespace = true), (app(p).securityContext.capabilities = { add: ['SYS_PTRACE'] }))),
    [['MW-PTRACE-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  // Someone else's proxy.
  [
    'a proxy image off the allow-list',
    pod(
      (p) => (
        (p.metadata.annotations['meshward.io/proxy-image'] = 'evil.example/envoy:1'),
        (p.spec.initContainers[1].image = 'evil.example/envoy:1')
      ),
    ),
    [
      ['MW-GID-001', 'spec.initContainers[1].securityContext.runAsGroup'],
      ['MW-IMAGE-001', 'metadata.annotations["meshward.io/proxy-image"]'],
      ['MW-IMAGE-001', 'spec.initContainers[1].image'],
      ['MW-PORT-002', 'spec.initContainers[1].ports[0].containerPort'],
      ['MW-PROBE-001', 'spec.initContainers[1].startupProbe.httpGet.port'],
      ['MW-UID-001', 'spec.initContainers[1].securityContext.runAsUser'],
      ['MW-VOLUME-001', 'spec.initContainers[1].volumeMounts[0].name'],
    ],
  ],
  [
    'a template asking for a proxy image off the allow-list',
    template((t) => (t.metadata.annotations = { 'meshward.io/proxy-image': 'evil.example/envoy:1' })),
    [['MW-IMAGE-001', `${T}metadata.annotations["meshward.io/proxy-image"]`]],
  ],
  // Apps touching meshward's volumes.
  [
    'an app mounting meshward-credentials',
    pod((p) => (app(p).volumeMounts = [{ name: 'meshward-credentials', mountPath: '/creds' }])),
    [['MW-VOLUME-001', 'spec.containers[0].volumeMounts[0].name']],
  ],
  [
    'a native sidecar mounting meshward-config',
    pod((p) =>
      p.spec.initContainers.push({
        name: 'side',
        image: 'side:1',
        restartPolicy: 'Always',
        volumeMounts: [{ name: 'meshward-config', mountPath: '/cfg' }],
      }),
    ),
    [['MW-VOLUME-001', 'spec.initContainers[2].volumeMounts[0].name']],
  ],
  [
    'a template mounting meshward-runtime',
    template((t) => (t.spec.containers[0].volumeMounts = [{ name: 'meshward-runtime', mountPath: '/rt' }])),
    [['MW-VOLUME-001', `${T}spec.containers[0].volumeMounts[0].name`]],
  ],
  // The proxy's group.
  [
    'supplementalGroups with the proxy GID',
    pod((p) => (p.spec.securityContext.supplementalGroups = [4000, 1337])),
    [['MW-GID-002', 'spec.securityContext.supplementalGroups[1]']],
  ],
  ['fsGroup the proxy GID', pod((p) => (p.spec.securityContext.fsGroup = 1337)), [['MW-GID-002', 'spec.securityContext.fsGroup']]],
  [
    'a template whose container runs as the proxy group',
    template((t) => (t.spec.containers[0].securityContext.runAsGroup = 1337)),
    [['MW-GID-001', `${T}spec.containers[0].securityContext.runAsGroup`]],
  ],
  // Probes aimed at the proxy.
  [
    'an httpGet probe on the admin port',
    template((t) => (t.spec.containers[0].readinessProbe = { httpGet: { path: '/config_dump', port: 15000 } })),
    [['MW-PROBE-001', `${T}spec.containers[0].readinessProbe.httpGet.port`]],
  ],
  [
    'a tcpSocket probe on the inbound capture port',
    template((t) => (t.spec.containers[0].livenessProbe = { tcpSocket: { port: 15006 } })),
    [['MW-PROBE-001', `${T}spec.containers[0].livenessProbe.tcpSocket.port`]],
  ],
  [
    'a grpc probe on the metrics port',
    template((t) => (t.spec.containers[0].startupProbe = { grpc: { port: 15090 } })),
    [['MW-PROBE-001', `${T}spec.containers[0].startupProbe.grpc.port`]],
  ],
  [
    'a named port resolving to the readiness port',
    template(
      (t) => (
        (t.spec.containers[0].ports = [
          { name: 'h', containerPort: 8080 },
          { name: 'r', containerPort: 15021 },
        ]),
        (t.spec.containers[0].readinessProbe = { httpGet: { port: 'r' } })
      ),
    ),
    [
      ['MW-PORT-002', `${T}spec.containers[0].ports[1].containerPort`],
      ['MW-PROBE-001', `${T}spec.containers[0].readinessProbe.httpGet.port`],
    ],
  ],
  // Ports that are never captured.
  [
    'a UDP server port',
    template((t) => t.spec.containers[0].ports.push({ containerPort: 5353, protocol: 'UDP' })),
    [['MW-PORT-001', `${T}spec.containers[0].ports[1].protocol`]],
  ],
  [
    'an SCTP server port',
    template((t) => t.spec.containers[0].ports.push({ containerPort: 3868, protocol: 'SCTP' })),
    [['MW-PORT-001', `${T}spec.containers[0].ports[1].protocol`]],
  ],
  [
    'an app declaring the status port',
    pod((p) => app(p).ports.push({ containerPort: 15020 })),
    [['MW-PORT-002', 'spec.containers[0].ports[1].containerPort']],
  ],
  // The node's namespaces.
  ['hostPID', pod((p) => (p.spec.hostPID = true)), [['MW-HOSTPID-001', 'spec.hostPID']]],
  ['hostIPC', template((t) => (t.spec.hostIPC = true)), [['MW-HOSTIPC-001', `${T}spec.hostIPC`]]],
];

describe('STRICT without holes: the webhook and meshward check refuse each class', () => {
  const strict = strictNs();
  const gate = createGateHandler({ config, cluster: new StaticClusterState([strict]) });

  for (const [what, build, expected] of rows) {
    it(`${what}: ${expected.map(([rule]) => rule).join(', ')}`, async () => {
      const decision = await gate(request(build()));
      assert.equal(decision.allowed, false);
      for (const [rule, field] of expected)
        assert.ok(decision.message!.includes(`[${rule}] ${field}: `), `${rule} at ${field} in: ${decision.message}`);
      assert.match(decision.message!, /Fix: /);
      const offline = await checkObjects([strict, build()], { config, requireInjected: true });
      assert.deepEqual(offline.map((v) => [v.rule, v.field]).sort(), [...expected].sort());
    });
  }
});

describe('MW-INJECT-002: a STRICT namespace the injector never sees', () => {
  const noInject = namespace('vault', { 'meshward.io/mtls': 'STRICT' });
  const optedOut = namespace('legacy', { 'meshward.io/mtls': 'STRICT', 'meshward.io/inject': 'disabled' });
  const gate = createGateHandler({ config, cluster: new StaticClusterState([noInject, optedOut]) });
  const inNamespace = (object: KubeObject, ns: string): KubeObject => ({
    ...clone(object),
    metadata: { ...object.metadata, namespace: ns },
  });

  it('refuses a Deployment there at admission, and check agrees', async () => {
    const decision = await gate(request(inNamespace(deployment(), 'vault')));
    assert.equal(decision.allowed, false);
    assert.match(
      decision.message!,
      /\[MW-INJECT-002\] spec\.template\.metadata\.labels\["meshward\.io\/inject"\]: namespace vault is not opted in/,
    );
    const offline = await checkObjects([noInject, inNamespace(deployment(), 'vault')], { config });
    assert.deepEqual(
      offline.map((v) => v.rule),
      ['MW-INJECT-002'],
    );
  });

  it('admits a pod that opts in with the label the injector webhook selects on, but not with an annotation', async () => {
    const labelled = deployment('web', { ...appTemplate(), metadata: { labels: { app: 'web', 'meshward.io/inject': 'true' } } });
    assert.deepEqual(await checkObjects([noInject, inNamespace(labelled, 'vault')], { config }), []);
    const annotated = deployment('web', {
      ...appTemplate(),
      metadata: { labels: { app: 'web' }, annotations: { 'meshward.io/inject': 'true' } },
    });
    assert.deepEqual(
      (await checkObjects([noInject, inNamespace(annotated, 'vault')], { config })).map((v) => v.rule),
      ['MW-INJECT-002'],
    );
  });

  it('says how to fix a namespace that opted out', async () => {
    const decision = await gate(request(inNamespace(injectedPod(), 'legacy')));
    assert.equal(decision.allowed, true, 'an already-injected pod is not judged by the namespace it would not be injected in');
    const offline = await checkObjects([optedOut, inNamespace(deployment(), 'legacy')], { config });
    assert.deepEqual(
      offline.map((v) => [v.rule, v.message.replace(/.*Fix: /, '')]),
      [['MW-INJECT-002', 'remove meshward.io/inject=disabled from namespace legacy']],
    );
  });
});

describe('UPDATE: what meshward injected never changes, and ephemeral containers go through the gate', () => {
  const gate = createGateHandler({ config, cluster: new StaticClusterState([strictNs()]) });
  const update = (mutate: (p: Spec) => void, subResource?: string): Promise<{ allowed: boolean; message?: string }> => {
    const old = injectedPod() as Spec;
    const next = clone(old);
    mutate(next);
    return gate(
      request(next as KubeObject, { operation: 'UPDATE', oldObject: old as KubeObject, ...(subResource ? { subResource } : {}) }),
    );
  };

  const refused: Array<[string, (p: Spec) => void, string, string?]> = [
    [
      "swapping meshward-proxy's image (with the annotation)",
      (p) => (
        (p.spec.initContainers[1].image = 'registry.internal/envoy:v1.36.2-fips'),
        (p.metadata.annotations['meshward.io/proxy-image'] = 'registry.internal/envoy:v1.36.2-fips')
      ),
      '[MW-SIDECAR-005] spec.initContainers[1]: ',
    ],
    [
      "swapping meshward-init's image",
      (p) => (p.spec.initContainers[0].image = 'ghcr.io/meshward/meshward-init:0.0.9'),
      '[MW-SIDECAR-005] spec.initContainers[0]: ',
    ],
    [
      'rewriting the status annotation',
      (p) => (p.metadata.annotations['meshward.io/status'] = '{}'),
      '[MW-SIDECAR-005] metadata.annotations["meshward.io/status"]: was changed',
    ],
    [
      'adding an injection annotation after the fact',
      (p) => (p.metadata.annotations['meshward.io/exclude-outbound-ports'] = '5432'),
      '[MW-SIDECAR-005] metadata.annotations["meshward.io/exclude-outbound-ports"]: was added',
    ],
    [
      'removing the injected label',
      (p) => delete p.metadata.labels['meshward.io/injected'],
      '[MW-SIDECAR-005] metadata.labels["meshward.io/injected"]: was removed',
    ],
    [
      'kubectl debug --profile=netadmin (ephemeralcontainers subresource)',
      (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }]),
      '[MW-CAPS-001] spec.ephemeralContainers[0].securityContext.capabilities.add: ',
      'ephemeralcontainers',
    ],
    [
      'kubectl debug --target=meshward-proxy (ephemeralcontainers subresource)',
      (p) => (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', targetContainerName: 'meshward-proxy' }]),
      '[MW-EPHEMERAL-001] spec.ephemeralContainers[0].targetContainerName: ',
      'ephemeralcontainers',
    ],
  ];
  for (const [what, mutate, message, subResource] of refused) {
    it(`refuses ${what}`, async () => {
      const decision = await update(mutate, subResource);
      assert.equal(decision.allowed, false);
      assert.ok(decision.message!.includes(message), decision.message);
    });
  }

  it('admits a plain kubectl debug container, an app image change and label edits', async () => {
    assert.equal(
      (
        await update(
          (p) =>
            (p.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } }]),
          'ephemeralcontainers',
        )
      ).allowed,
      true,
    );
    assert.equal(
      (await update((p) => ((p.spec.containers[0].image = 'ghcr.io/acme/web:1.5.0'), (p.metadata.labels.tier = 'gold')))).allowed,
      true,
    );
  });
});
