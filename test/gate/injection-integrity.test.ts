import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import fastJsonPatch from 'fast-json-patch';
import { createGateHandler } from '../../webhook/gate/gate-handler.js';
import { createInjectHandler } from '../../webhook/inject/handler.js';
import { injectObject } from '../../webhook/inject/inject-objects.js';
import { loadTemplates } from '../../webhook/inject/templates.js';
import { StaticClusterState } from '../../webhook/kube/static-state.js';
import { config, request, strictNs } from './fixtures.js';

// MW-SIDECAR-004: in a STRICT namespace, a Pod that arrives "already injected" must carry what
// meshward's injector renders for it. Each tampered pod below keeps meshward's container names and
// images (so MW-SIDECAR-001/002 pass) but would let plaintext in or run another proxy config.

type Spec = Record<string, any>;
const templates = loadTemplates();

function appPod(metadata: Spec = { name: 'web-1', namespace: 'shop' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { labels: { app: 'web' }, ...metadata },
    spec: {
      serviceAccountName: 'web',
      containers: [
        {
          name: 'web',
          image: 'ghcr.io/acme/web:1',
          ports: [{ containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      ],
    },
  };
}

/** The pod as meshward's injector makes it. */
async function injected(pod: KubeObject): Promise<Spec> {
  const out = await injectObject(pod, { config, templates, configHash: injectionConfigHash(config) });
  assert.ok(out.injected, 'reason' in out ? out.reason : '');
  return structuredClone(out.object) as Spec;
}

const gate = createGateHandler({
  config,
  cluster: new StaticClusterState([strictNs()]),
  injection: { templates, configHash: injectionConfigHash(config) },
});
const env = (pod: Spec, name: string): Spec => pod.spec.initContainers[0].env.find((e: Spec) => e.name === name);

async function findings(pod: Spec): Promise<Array<[string, string]>> {
  const decision = await gate(request(pod as KubeObject));
  if (decision.allowed) return [];
  return [...decision.message!.matchAll(/\[(MW-[A-Z]+-\d+)\] (\S+):/g)].map((m) => [m[1]!, m[2]!]);
}

describe('gate: MW-SIDECAR-004, an injected pod must carry what the injector renders', () => {
  it("admits the injector's own output, also when the API server names a generateName pod afterwards", async () => {
    assert.deepEqual(await findings(await injected(appPod())), []);
    const classic = await injected(
      appPod({
        name: 'web-2',
        namespace: 'shop',
        annotations: { 'meshward.io/native-sidecar': 'false', 'meshward.io/hold-application': 'true' },
      }),
    );
    assert.ok(
      classic.spec.containers.find((c: Spec) => c.name === 'meshward-proxy').lifecycle,
      'classic mode holds the app with a postStart hook',
    );
    assert.deepEqual(await findings(classic), []);
    const generated = await injected(appPod({ generateName: 'web-7d9f-', namespace: 'shop' }));
    generated.metadata.name = 'web-7d9f-x2k4q';
    assert.deepEqual(await findings(generated), []);
  });

  const tampered: Array<[string, (pod: Spec) => Promise<void> | void, Array<[string, string]>]> = [
    [
      'capture rules without the inbound redirect',
      (p) => void (env(p, 'MESHWARD_IPTABLES').value = env(p, 'MESHWARD_IPTABLES').value.replace(/-A PREROUTING .*\n/, '')),
      [['MW-SIDECAR-004', 'spec.initContainers[0].env']],
    ],
    [
      'per-family rules in place of the one rule set, the IPv6 ones without the inbound redirect',
      (p) => {
        const rules = env(p, 'MESHWARD_IPTABLES').value as string;
        const v6 = rules
          .replaceAll('127.0.0.6/32', '::6/128')
          .replaceAll('127.0.0.1/32', '::1/128')
          .replace(/-A PREROUTING .*\n/, '');
        p.spec.initContainers[0].env = [
          { name: 'MESHWARD_IPTABLES_V4', value: rules },
          { name: 'MESHWARD_IPTABLES_V6', value: v6 },
        ];
      },
      [['MW-SIDECAR-004', 'spec.initContainers[0].env']],
    ],
    [
      "a proxy that names another pod to the xDS server (its configuration, that pod's probe routes)",
      (p) => void (p.spec.initContainers[1].args[p.spec.initContainers[1].args.indexOf('--service-node') + 1] = 'sidecar~shop~api-0'),
      [['MW-SIDECAR-004', 'spec.initContainers[1].args']],
    ],
    [
      'the proxy told its pod name by a literal, not the downward API',
      (p) => void (p.spec.initContainers[1].env.find((e: Spec) => e.name === 'POD_NAME').value = 'api-0'),
      [['MW-SIDECAR-004', 'spec.initContainers[1].env']],
    ],
    [
      'proxy args that add --config-yaml',
      (p) => void p.spec.initContainers[1].args.push('--config-yaml', '{"static_resources":{}}'),
      [['MW-SIDECAR-004', 'spec.initContainers[1].args']],
    ],
    [
      'a postStart hook on the proxy',
      (p) =>
        void (p.spec.initContainers[1].lifecycle = {
          postStart: { exec: { command: ['/bin/sh', '-c', 'curl -X POST localhost:15000/drain_listeners'] } },
        }),
      [['MW-SIDECAR-004', 'spec.initContainers[1].lifecycle']],
    ],
    [
      'a proxy command of its own',
      (p) => void (p.spec.initContainers[1].command = ['/bin/sh', '-c', 'exec envoy -c /tmp/mine.yaml']),
      [['MW-SIDECAR-004', 'spec.initContainers[1].command']],
    ],
    [
      'the proxy reads its config from a ConfigMap',
      (p) => {
        p.spec.volumes.push({ name: 'mine', configMap: { name: 'plaintext-envoy' } });
        p.spec.initContainers[1].volumeMounts.find((m: Spec) => m.mountPath === '/etc/meshward/proxy').name = 'mine';
      },
      [['MW-SIDECAR-004', 'spec.initContainers[1].volumeMounts']],
    ],
    [
      'meshward-config names a ConfigMap of its own, not the bootstrap meshward publishes',
      (p) => void (p.spec.volumes.find((v: Spec) => v.name === 'meshward-config').configMap.name = 'plaintext-envoy'),
      [['MW-SIDECAR-004', 'spec.volumes[1]']],
    ],
    [
      'meshward-config an emptyDir an earlier init container could fill',
      (p) =>
        void (
          (p.spec.volumes.find((v: Spec) => v.name === 'meshward-config').configMap = undefined),
          (p.spec.volumes.find((v: Spec) => v.name === 'meshward-config').emptyDir = {})
        ),
      [['MW-SIDECAR-004', 'spec.volumes[1]']],
    ],
    [
      'a probe route the proxy cannot render, recorded with the probe rewritten to match',
      (p) => {
        const status = JSON.parse(p.metadata.annotations['meshward.io/status']);
        status.probes[0].port = 70000;
        p.metadata.annotations['meshward.io/status'] = JSON.stringify(status);
      },
      [['MW-SIDECAR-004', 'metadata.annotations["meshward.io/status"]']],
    ],
    [
      'a probe route added to the status annotation only',
      (p) => {
        const status = JSON.parse(p.metadata.annotations['meshward.io/status']);
        status.probes.push({ path: '/app-health/web/livez', kind: 'http', port: 8080, scheme: 'HTTP', originalPath: '/' });
        p.metadata.annotations['meshward.io/status'] = JSON.stringify(status);
      },
      [['MW-SIDECAR-004', 'metadata.annotations["meshward.io/status"]']],
    ],
    [
      'a probe route aimed at the admin port recorded beside a rewritten probe',
      (p) => {
        const status = JSON.parse(p.metadata.annotations['meshward.io/status']);
        status.probes[0].port = 15000;
        p.metadata.annotations['meshward.io/status'] = JSON.stringify(status);
      },
      [['MW-PROBE-001', 'spec.containers[0].readinessProbe.httpGet.port']],
    ],
    [
      'envFrom on meshward-init (PATH from a volume an earlier init container wrote)',
      (p) => void (p.spec.initContainers[0].envFrom = [{ configMapRef: { name: 'path-override' } }]),
      [['MW-SIDECAR-004', 'spec.initContainers[0].envFrom']],
    ],
    [
      'a proxy running as root',
      (p) => void (p.spec.initContainers[1].securityContext.runAsUser = 0),
      [['MW-SIDECAR-004', 'spec.initContainers[1].securityContext']],
    ],
    [
      "meshward-init's capabilities widened",
      (p) => void p.spec.initContainers[0].securityContext.capabilities.add.push('SYS_ADMIN'),
      [['MW-SIDECAR-004', 'spec.initContainers[0].securityContext']],
    ],
    [
      'the proxy without its startup probe (the app would start before it is ready)',
      (p) => void delete p.spec.initContainers[1].startupProbe,
      [['MW-SIDECAR-004', 'spec.initContainers[1].startupProbe']],
    ],
    [
      'a proxy memory limit changed',
      (p) => void (p.spec.initContainers[1].resources.limits.memory = '8Mi'),
      [['MW-SIDECAR-004', 'spec.initContainers[1].resources']],
    ],
    [
      'an extra proxy port',
      (p) => void p.spec.initContainers[1].ports.push({ containerPort: 15000 }),
      [['MW-SIDECAR-004', 'spec.initContainers[1].ports']],
    ],
    [
      'meshward-init moved behind an app init container',
      (p) => void p.spec.initContainers.splice(1, 0, { name: 'first', image: 'ghcr.io/acme/first:1' }),
      [['MW-SIDECAR-004', 'spec.initContainers']],
    ],
    [
      'the credentials volume reads another ServiceAccount',
      (p) =>
        void (p.spec.volumes.find((v: Spec) => v.name === 'meshward-credentials').projected = {
          sources: [{ secret: { name: 'meshward-identity-admin' } }],
        }),
      [['MW-SIDECAR-004', 'spec.volumes[0]']],
    ],
    [
      'the injected label removed',
      (p) => void delete p.metadata.labels['meshward.io/injected'],
      [['MW-SIDECAR-004', 'metadata.labels["meshward.io/injected"]']],
    ],
    [
      'an outbound exclusion annotated after injection',
      (p) => void (p.metadata.annotations['meshward.io/exclude-outbound-ports'] = '5432'),
      [['MW-SIDECAR-004', 'spec.initContainers[0].env']],
    ],
    [
      "a status annotation that is not meshward's JSON",
      (p) => void (p.metadata.annotations['meshward.io/status'] = 'injected'),
      [['MW-SIDECAR-004', 'metadata.annotations["meshward.io/status"]']],
    ],
    [
      'probes that cannot be rendered',
      (p) => void (p.metadata.annotations['meshward.io/status'] = JSON.stringify({ probes: [{ path: 42 }] })),
      [['MW-SIDECAR-004', 'metadata.annotations["meshward.io/status"]']],
    ],
  ];

  for (const [what, tamper, expected] of tampered) {
    it(`refuses ${what}`, async () => {
      const pod = await injected(appPod());
      await tamper(pod);
      assert.deepEqual(await findings(pod), expected);
    });
  }

  it('admits what other admission plugins do to an injected pod: API defaults, LimitRanger, AlwaysPullImages, a rotated trust root', async () => {
    const pod = await injected(appPod());
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers])
      Object.assign(c, { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always' });
    const proxy = pod.spec.initContainers[1];
    proxy.resources.limits.cpu = '2';
    proxy.resources.requests.cpu = '0.1';
    Object.assign(proxy.startupProbe, { successThreshold: 1 });
    for (const p of proxy.ports) p.protocol = 'TCP';
    for (const e of proxy.env) if (e.valueFrom) e.valueFrom.fieldRef.apiVersion = 'v1';
    pod.spec.volumes.find((v: Spec) => v.name === 'meshward-credentials').projected.defaultMode = 0o444;
    const status = JSON.parse(pod.metadata.annotations['meshward.io/status']);
    pod.metadata.annotations['meshward.io/status'] = JSON.stringify({ ...status, trustRoot: 'sha256:rotated' });
    assert.deepEqual(await findings(pod), []);
  });

  it('admits a pod another webhook added a probed container to, after reinvocation re-rendered its routes', async () => {
    const pod = await injected(appPod({ name: 'web-3', namespace: 'shop' }));
    pod.spec.initContainers.push({
      name: 'sidecar',
      image: 'side:1',
      restartPolicy: 'Always',
      startupProbe: { tcpSocket: { port: 7070 } },
    });
    pod.spec.containers.unshift({ name: 'late', image: 'late:1', livenessProbe: { httpGet: { path: '/ok', port: 8081 } } });
    const inject = createInjectHandler({
      config,
      templates,
      configHash: injectionConfigHash(config),
      cluster: new StaticClusterState([strictNs()]),
    });
    const reinvoked = await inject({ ...request(pod as KubeObject), operation: 'CREATE' });
    assert.equal(reinvoked.reason, 'reinvoked-probes');
    const after = fastJsonPatch.applyPatch(pod, reinvoked.patch as fastJsonPatch.Operation[], true, false).newDocument;
    assert.deepEqual(
      JSON.parse(after.metadata.annotations['meshward.io/status']).probes.map((p: Spec) => p.path),
      ['/app-health/late/livez', '/app-health/web/readyz', '/app-health/sidecar/startupz'],
    );
    assert.deepEqual(await findings(after), []);
  });

  it('names the rule, the field and the fix in the denial', async () => {
    const pod = await injected(appPod());
    pod.spec.initContainers[1].args.push('--config-yaml', '{}');
    const decision = await gate(request(pod as KubeObject));
    assert.equal(decision.allowed, false);
    assert.equal(decision.reason, 'MW-SIDECAR-004');
    assert.match(decision.message!, /spec\.initContainers\[1\]\.args: is not what meshward's injector renders for this pod/);
    assert.match(decision.message!, /let the injector inject the pod/);
  });
});
