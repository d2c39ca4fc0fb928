import assert from 'node:assert/strict';
import type { KubeObject } from '../../webhook/admission/types.js';
import { parseInjectValue } from '../../webhook/inject/decide.js';
import { podFindings } from '../../webhook/gate/pod-rules.js';
import { podViewOf } from '../../webhook/gate/pod-template.js';
import { config, cronJob, deployment, injectedPod, meshwardInit, meshwardProxy, PROXY_IMAGE } from './fixtures.js';

// The pod rules on pods and on workload templates, one row per way around STRICT that a pod could try.
// Each row asserts the exact set of [rule, field] pairs: the bypass is caught and nothing else is.

type Spec = Record<string, any>;
type Row = [name: string, build: () => KubeObject, expected: Array<[string, string]>];

function pod(mutate: (p: Spec) => void): () => KubeObject {
  return () => {
    const p = injectedPod() as Spec;
    mutate(p);
    return p;
  };
}

function findingPairs(object: KubeObject, requireInjected = object.kind === 'Pod'): Array<[string, string]> {
  const view = podViewOf(object);
  assert.ok(view, 'a pod view');
  return podFindings(view, config, { requireInjected })
    .map((f): [string, string] => [f.rule, f.field])
    .sort();
}

const optOutSpellings = ['false', 'False', 'FALSE', ' false '];
// Read as the injector reads them: anything but true/false is not recognised, and refused.
const unrecognised = [
  '',
  'nope',
  'maybe',
  'ture',
  '2',
  'no',
  'NO',
  'n',
  '0',
  'off',
  'Off',
  'disabled',
  'Disabled',
  'disable',
  'enabled',
  'yes',
  '1',
];

const rows: Row[] = [
  // MW-INJECT-001: opt-out, label and annotation, odd spellings.
  ...optOutSpellings.map((v): Row => [
    `label meshward.io/inject=${JSON.stringify(v)}`,
    pod((p) => (p.metadata.labels['meshward.io/inject'] = v)),
    [['MW-INJECT-001', 'metadata.labels["meshward.io/inject"]']],
  ]),
  ...optOutSpellings.map((v): Row => [
    `annotation meshward.io/inject=${JSON.stringify(v)}`,
    pod((p) => (p.metadata.annotations['meshward.io/inject'] = v)),
    [['MW-INJECT-001', 'metadata.annotations["meshward.io/inject"]']],
  ]),
  ...unrecognised.map((v): Row => [
    `unrecognised inject value ${JSON.stringify(v)}`,
    pod((p) => (p.metadata.labels['meshward.io/inject'] = v)),
    [['MW-INJECT-001', 'metadata.labels["meshward.io/inject"]']],
  ]),
  [
    'YAML boolean false (offline manifests)',
    pod((p) => (p.metadata.annotations['meshward.io/inject'] = false)),
    [['MW-INJECT-001', 'metadata.annotations["meshward.io/inject"]']],
  ],
  [
    'label "true" does not hide annotation "false"',
    pod((p) => ((p.metadata.labels['meshward.io/inject'] = 'true'), (p.metadata.annotations['meshward.io/inject'] = 'false'))),
    [['MW-INJECT-001', 'metadata.annotations["meshward.io/inject"]']],
  ],
  // MW-HOSTNET-001: host network.
  ['hostNetwork: true', pod((p) => (p.spec.hostNetwork = true)), [['MW-HOSTNET-001', 'spec.hostNetwork']]],
  ['hostNetwork: "true" (string, offline)', pod((p) => (p.spec.hostNetwork = 'true')), [['MW-HOSTNET-001', 'spec.hostNetwork']]],
  // MW-CAPTURE-001: inbound capture exclusions.
  [
    'exclude-inbound-ports: "8080"',
    pod((p) => (p.metadata.annotations['meshward.io/exclude-inbound-ports'] = '8080')),
    [['MW-CAPTURE-001', 'metadata.annotations["meshward.io/exclude-inbound-ports"]']],
  ],
  [
    'exclude-inbound-ports: "*"',
    pod((p) => (p.metadata.annotations['meshward.io/exclude-inbound-ports'] = '*')),
    [['MW-CAPTURE-001', 'metadata.annotations["meshward.io/exclude-inbound-ports"]']],
  ],
  // MW-UID-001, MW-GID-001/002: the proxy's UID/GID.
  [
    'runAsUser 1337 at pod level, inherited by the app',
    pod((p) => ((p.spec.securityContext.runAsUser = 1337), delete p.spec.containers[0].securityContext.runAsUser)),
    [['MW-UID-001', 'spec.securityContext.runAsUser']],
  ],
  [
    'runAsUser 1337 on the app container',
    pod((p) => (p.spec.containers[0].securityContext.runAsUser = 1337)),
    [['MW-UID-001', 'spec.containers[0].securityContext.runAsUser']],
  ],
  [
    'runAsUser "1337" as a string (offline)',
    pod((p) => (p.spec.containers[0].securityContext.runAsUser = '1337')),
    [['MW-UID-001', 'spec.containers[0].securityContext.runAsUser']],
  ],
  [
    'runAsGroup 1337 at pod level, inherited',
    pod((p) => ((p.spec.securityContext.runAsGroup = 1337), delete p.spec.containers[0].securityContext.runAsGroup)),
    [['MW-GID-001', 'spec.securityContext.runAsGroup']],
  ],
  [
    'runAsGroup 1337 on the app container (IST0144 misses it)',
    pod((p) => (p.spec.containers[0].securityContext.runAsGroup = 1337)),
    [['MW-GID-001', 'spec.containers[0].securityContext.runAsGroup']],
  ],
  [
    'app init container running as 1337',
    pod((p) => p.spec.initContainers.push({ name: 'migrate', image: 'ghcr.io/acme/migrate:1', securityContext: { runAsUser: 1337 } })),
    [['MW-UID-001', 'spec.initContainers[2].securityContext.runAsUser']],
  ],
  [
    'ephemeral debug container running as 1337',
    pod((p) => (p.spec.ephemeralContainers = [{ name: 'debugger', image: 'busybox', securityContext: { runAsUser: 1337 } }])),
    [['MW-UID-001', 'spec.ephemeralContainers[0].securityContext.runAsUser']],
  ],
  [
    'ephemeral container inherits pod runAsGroup 1337',
    pod(
      (p) => (
        (p.spec.securityContext.runAsGroup = 1337),
        (p.spec.containers[0].securityContext.runAsGroup = 10001),
        (p.spec.ephemeralContainers = [{ name: 'debugger', image: 'busybox' }])
      ),
    ),
    [['MW-GID-001', 'spec.securityContext.runAsGroup']],
  ],
  // MW-CAPS-001, MW-PRIV-001: capabilities and privilege.
  [
    'NET_ADMIN in an app container',
    pod((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['NET_ADMIN'] })),
    [['MW-CAPS-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  [
    'NET_RAW in an app container',
    pod((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['NET_RAW'] })),
    [['MW-CAPS-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  [
    'ALL in an app container',
    pod((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['ALL'] })),
    [['MW-CAPS-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  [
    'lower-case net_admin',
    pod((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['net_admin'] })),
    [['MW-CAPS-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  [
    'CAP_NET_ADMIN with the prefix',
    pod((p) => (p.spec.containers[0].securityContext.capabilities = { add: ['CAP_NET_ADMIN'] })),
    [['MW-CAPS-001', 'spec.containers[0].securityContext.capabilities.add']],
  ],
  [
    'NET_ADMIN in an ephemeral container',
    pod(
      (p) =>
        (p.spec.ephemeralContainers = [
          { name: 'debugger', image: 'nicolaka/netshoot', securityContext: { capabilities: { add: ['NET_ADMIN'] } } },
        ]),
    ),
    [['MW-CAPS-001', 'spec.ephemeralContainers[0].securityContext.capabilities.add']],
  ],
  [
    'privileged app init container',
    pod((p) => p.spec.initContainers.push({ name: 'setup', image: 'busybox', securityContext: { privileged: true } })),
    [['MW-PRIV-001', 'spec.initContainers[2].securityContext.privileged']],
  ],
  [
    'privileged app container ("true" string)',
    pod((p) => (p.spec.containers[0].securityContext.privileged = 'true')),
    [['MW-PRIV-001', 'spec.containers[0].securityContext.privileged']],
  ],
  // meshward's exemptions are narrow.
  [
    'meshward-init adding ALL',
    pod((p) => (p.spec.initContainers[0].securityContext.capabilities.add = ['NET_ADMIN', 'NET_RAW', 'ALL'])),
    [['MW-CAPS-001', 'spec.initContainers[0].securityContext.capabilities.add']],
  ],
  [
    'privileged meshward-init',
    pod((p) => (p.spec.initContainers[0].securityContext.privileged = true)),
    [['MW-PRIV-001', 'spec.initContainers[0].securityContext.privileged']],
  ],
  [
    'meshward-proxy adding NET_ADMIN',
    pod((p) => (p.spec.initContainers[1].securityContext.capabilities = { add: ['NET_ADMIN'] })),
    [['MW-CAPS-001', 'spec.initContainers[1].securityContext.capabilities.add']],
  ],
  // Spoofed meshward containers: the name alone earns nothing.
  [
    'fake meshward-proxy (other image) running as 1337',
    pod((p) => (p.spec.initContainers[1].image = 'ghcr.io/evil/forwarder:1')),
    [
      ['MW-GID-001', 'spec.initContainers[1].securityContext.runAsGroup'],
      ['MW-IMAGE-001', 'spec.initContainers[1].image'],
      ['MW-PORT-002', 'spec.initContainers[1].ports[0].containerPort'],
      ['MW-PROBE-001', 'spec.initContainers[1].startupProbe.httpGet.port'],
      ['MW-UID-001', 'spec.initContainers[1].securityContext.runAsUser'],
      ['MW-VOLUME-001', 'spec.initContainers[1].volumeMounts[0].name'],
    ],
  ],
  [
    'fake meshward-init (other image) with NET_ADMIN',
    pod((p) => (p.spec.initContainers[0].image = 'ghcr.io/evil/init:1')),
    [
      ['MW-CAPS-001', 'spec.initContainers[0].securityContext.capabilities.add'],
      ['MW-SIDECAR-002', 'spec.initContainers[0].image'],
    ],
  ],
  [
    'real init image as a long-running app container with NET_ADMIN',
    pod((p) => ((p.spec.initContainers = [meshwardProxy()]), p.spec.containers.push(meshwardInit()))),
    [
      ['MW-CAPS-001', 'spec.containers[1].securityContext.capabilities.add'],
      ['MW-SIDECAR-002', 'spec.containers[1]'],
    ],
  ],
  [
    'ephemeral container named meshward-proxy with the proxy image, as 1337',
    pod(
      (p) => (
        p.spec.initContainers.pop(),
        (p.spec.ephemeralContainers = [{ name: 'meshward-proxy', image: PROXY_IMAGE, securityContext: { runAsUser: 1337 } }])
      ),
    ),
    [
      ['MW-SIDECAR-001', 'spec.containers'],
      ['MW-UID-001', 'spec.ephemeralContainers[0].securityContext.runAsUser'],
    ],
  ],
  // MW-SIDECAR-001..003: arrived injected.
  [
    'proxy only in initContainers without restartPolicy: Always (not a sidecar, so not exempt either)',
    pod((p) => delete p.spec.initContainers[1].restartPolicy),
    [
      ['MW-GID-001', 'spec.initContainers[1].securityContext.runAsGroup'],
      ['MW-PORT-002', 'spec.initContainers[1].ports[0].containerPort'],
      ['MW-PROBE-001', 'spec.initContainers[1].startupProbe.httpGet.port'],
      ['MW-SIDECAR-001', 'spec.initContainers[1].restartPolicy'],
      ['MW-UID-001', 'spec.initContainers[1].securityContext.runAsUser'],
      ['MW-VOLUME-001', 'spec.initContainers[1].volumeMounts[0].name'],
    ],
  ],
  ['proxy missing', pod((p) => p.spec.initContainers.pop()), [['MW-SIDECAR-001', 'spec.containers']]],
  ['meshward-init missing', pod((p) => p.spec.initContainers.shift()), [['MW-SIDECAR-002', 'spec.initContainers']]],
  ['meshward-credentials volume missing', pod((p) => (p.spec.volumes = [])), [['MW-SIDECAR-003', 'spec.volumes']]],
  [
    'not injected at all',
    pod((p) => ((p.spec.initContainers = []), (p.spec.volumes = []))),
    [
      ['MW-SIDECAR-001', 'spec.containers'],
      ['MW-SIDECAR-002', 'spec.initContainers'],
      ['MW-SIDECAR-003', 'spec.volumes'],
    ],
  ],
  [
    'several bypasses at once are all reported',
    pod(
      (p) => (
        (p.spec.hostNetwork = true),
        (p.metadata.labels['meshward.io/inject'] = 'false'),
        (p.spec.containers[0].securityContext.runAsUser = 1337)
      ),
    ),
    [
      ['MW-HOSTNET-001', 'spec.hostNetwork'],
      ['MW-INJECT-001', 'metadata.labels["meshward.io/inject"]'],
      ['MW-UID-001', 'spec.containers[0].securityContext.runAsUser'],
    ],
  ],
];

describe('gate pod rules: every bypass is refused', () => {
  for (const [name, build, expected] of rows) {
    it(name, () => assert.deepEqual(findingPairs(build()), [...expected].sort()));
  }
});

describe('gate template rules: workloads, without MW-SIDECAR-001..003', () => {
  const templateRows: Array<[string, () => KubeObject, Array<[string, string]>]> = [
    [
      'Deployment with hostNetwork',
      () => deployment('web', { ...appTemplateWith({ hostNetwork: true }) }),
      [['MW-HOSTNET-001', 'spec.template.spec.hostNetwork']],
    ],
    [
      'Deployment opting out by template label',
      () => deployment('web', { metadata: { labels: { app: 'web', 'meshward.io/inject': 'false' } }, spec: appTemplateWith({}).spec }),
      [['MW-INJECT-001', 'spec.template.metadata.labels["meshward.io/inject"]']],
    ],
    [
      'CronJob whose pods run as 1337',
      () => cronJob('nightly', appTemplateWith({ securityContext: { runAsUser: 1337 } }, {})),
      [['MW-UID-001', 'spec.jobTemplate.spec.template.spec.securityContext.runAsUser']],
    ],
    [
      'Deployment with exclude-inbound-ports',
      () =>
        deployment('web', { metadata: { annotations: { 'meshward.io/exclude-inbound-ports': '9090' } }, spec: appTemplateWith({}).spec }),
      [['MW-CAPTURE-001', 'spec.template.metadata.annotations["meshward.io/exclude-inbound-ports"]']],
    ],
    ['an uninjected Deployment template is fine (templates are not injected)', () => deployment(), []],
  ];
  for (const [name, build, expected] of templateRows) {
    it(name, () => assert.deepEqual(findingPairs(build(), false), [...expected].sort()));
  }
});

function appTemplateWith(spec: Spec, containerSecurity: Spec = { runAsUser: 10001 }): { metadata: Spec; spec: Spec } {
  return {
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:1', securityContext: containerSecurity }], ...spec },
  };
}

describe('parseInjectValue: the one reading of meshward.io/inject (injector, gate, check)', () => {
  const cases: Array<[unknown, boolean | undefined]> = [
    ['true', true],
    ['TRUE', true],
    [' True ', true],
    ['false', false],
    ['False', false],
    ['enabled', undefined],
    ['1', undefined],
    ['yes', undefined],
    ['off', undefined],
    ['', undefined],
    [true, undefined],
    [false, undefined],
    [null, undefined],
    [{}, undefined],
  ];
  for (const [value, expected] of cases)
    it(`${JSON.stringify(value)} → ${expected}`, () => assert.equal(parseInjectValue(value), expected));
});
