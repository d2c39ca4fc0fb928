import fc from 'fast-check';
import { POD_ANNOTATIONS } from '../../webhook/config/names.js';
import { PLAIN_NS, review, SHOP_NS, STRICT_NS, typicalPod } from './real-server.js';

// fast-check arbitraries for malformed and odd admission requests: raw bodies, broken envelopes,
// and well-formed envelopes around objects of every odd shape.

export interface FuzzRequest {
  readonly path: '/mutate' | '/validate';
  readonly body: Buffer;
  readonly contentType: string | undefined;
  /** The request uid when the envelope keeps it intact (the answer must echo it). */
  readonly uid?: string;
}

const path = fc.constantFrom<FuzzRequest['path']>('/mutate', '/validate');
const namespace = fc.constantFrom(STRICT_NS, SHOP_NS, PLAIN_NS, 'no-such-namespace', '', 'kube-system', 'meshward-system');

export const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u200b',
    '𝕞𝕖𝕤𝕙𝕨𝕒𝕣𝕕',
    '../../etc/passwd',
    '$(id)',
    '%00',
    '\n\r\t',
    'true',
    'null',
    '-1',
    '0',
    '65536',
    '1e309',
    'NaN',
  ),
  fc.integer({ min: 1000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Values for meshward's annotations: every invalid form we could think of, some valid ones, and non-strings. */
const annotationValue = fc.oneof(
  { arbitrary: oddString, weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '-1',
      '0',
      '65536',
      '99999999',
      '80,',
      ',80',
      '80-',
      '80-70',
      'a,b',
      '1-99999',
      '80, 443',
      ' 80',
      '*',
      '80,,443',
      '8080',
      '15001',
      '15006,15020',
      '10.0.0.0/33',
      '300.1.1.1/8',
      '::/129',
      'fe80::/10x',
      '10.0.0.0',
      '0.0.0.0/0,',
      '10.0.0.0/8,::1/128',
      '*/*',
      '1.2.3.4/-1',
      '-100m',
      '1.5.5',
      '100Mi ',
      'lots',
      '1e9',
      '100Ki',
      '0.0001m',
      '10Gi',
      '1',
      '250m',
      'UPPER/case:tag',
      'image@sha256:xyz',
      'a b',
      'envoy:latest',
      'registry.example.com:5000/envoy:v1',
      'verbose',
      'TRACE',
      'debug',
      'warning',
      'yes',
      'TRUE',
      'True',
      'on',
      'maybe',
      'false ',
      'disabled',
      'enabled',
      'false',
      'true',
      '{"version":1}',
      '{',
      'null',
      '[]',
    ),
    weight: 3,
  },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);

const annotationKey = fc.oneof(
  fc.constantFrom(
    ...POD_ANNOTATIONS.map((a) => `meshward.io/${a}`),
    'meshward.io/status',
    'kubernetes.io/config.mirror',
    'meshward.io/unknown',
    'kubectl.kubernetes.io/default-container',
  ),
  fc.string({ maxLength: 20 }),
);

const annotations = fc.oneof(
  { arbitrary: fc.dictionary(annotationKey, annotationValue, { maxKeys: 6 }), weight: 4 },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);

const labels = fc.oneof(
  {
    arbitrary: fc.dictionary(
      fc.oneof(fc.constantFrom('meshward.io/inject', 'meshward.io/injected', 'app', 'meshward.io/mtls'), fc.string({ maxLength: 12 })),
      fc.oneof(fc.constantFrom('true', 'false', 'enabled', 'STRICT', 'web', ''), oddString, fc.anything({ maxDepth: 1 })),
      { maxKeys: 4 },
    ),
    weight: 4,
  },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);

const port = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }),
  fc.constantFrom(15001, 15006, 15020, 15021, 15090, 8080),
  oddString,
  fc.anything({ maxDepth: 1 }),
);

const probe = fc.oneof(
  fc.record(
    {
      httpGet: fc.record(
        {
          path: oddString,
          port,
          scheme: fc.constantFrom('HTTP', 'HTTPS', 'FTP', 7),
          host: oddString,
          httpHeaders: fc.anything({ maxDepth: 2 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({ tcpSocket: fc.record({ port, host: oddString }, { requiredKeys: [] }) }),
  fc.record({ grpc: fc.record({ port, service: fc.oneof(oddString, fc.anything({ maxDepth: 1 })) }, { requiredKeys: [] }) }),
  fc.record({ exec: fc.anything({ maxDepth: 2 }), periodSeconds: fc.anything({ maxDepth: 0 }) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 2 }),
);

const securityContext = fc.oneof(
  fc.record(
    {
      runAsUser: fc.oneof(fc.constantFrom(0, 1337), fc.integer(), fc.anything({ maxDepth: 0 })),
      runAsGroup: fc.oneof(fc.constantFrom(1337), fc.integer()),
      privileged: fc.anything({ maxDepth: 0 }),
      capabilities: fc.oneof(
        fc.record({
          add: fc.array(fc.oneof(fc.constantFrom('NET_ADMIN', 'NET_RAW', 'ALL', 'SYS_ADMIN', 'net_admin', 'CAP_NET_ADMIN'), oddString), {
            maxLength: 3,
          }),
        }),
        fc.anything({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 2 }),
);

const container = fc.oneof(
  {
    arbitrary: fc.record(
      {
        name: fc.oneof(fc.constantFrom('web', 'meshward-proxy', 'meshward-init', 'istio-proxy'), oddString, fc.anything({ maxDepth: 0 })),
        image: fc.oneof(fc.constantFrom('web:1', 'docker.io/envoyproxy/envoy:v1.36.2'), oddString),
        ports: fc.oneof(
          fc.array(
            fc.record(
              { containerPort: port, name: oddString, protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'tcp', 42) },
              { requiredKeys: [] },
            ),
            { maxLength: 4 },
          ),
          fc.anything({ maxDepth: 2 }),
        ),
        readinessProbe: probe,
        livenessProbe: probe,
        startupProbe: probe,
        securityContext,
        restartPolicy: fc.constantFrom('Always', 'Never', 42, null),
        env: fc.anything({ maxDepth: 2 }),
      },
      { requiredKeys: [] },
    ),
    weight: 5,
  },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);

const podSpec = fc.oneof(
  {
    arbitrary: fc.record(
      {
        containers: fc.oneof(
          { arbitrary: fc.array(container, { maxLength: 4 }), weight: 5 },
          { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
        ),
        initContainers: fc.oneof(fc.array(container, { maxLength: 3 }), fc.anything({ maxDepth: 2 })),
        hostNetwork: fc.oneof(fc.boolean(), fc.anything({ maxDepth: 0 })),
        hostPID: fc.boolean(),
        volumes: fc.anything({ maxDepth: 3 }),
        serviceAccountName: oddString,
        securityContext,
      },
      { requiredKeys: [] },
    ),
    weight: 5,
  },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);

const metadata = (ns: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      arbitrary: fc.record(
        { name: oddString, generateName: oddString, namespace: ns, labels, annotations, ownerReferences: fc.anything({ maxDepth: 2 }) },
        { requiredKeys: [] },
      ),
      weight: 6,
    },
    { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
  );

const pod = (ns: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(
    {
      apiVersion: fc.constantFrom('v1', 'apps/v1', 42),
      kind: fc.constantFrom('Pod', 'Deployment', 'Nope'),
      metadata: metadata(ns),
      spec: podSpec,
    },
    { requiredKeys: [] },
  );

const policySpec = fc.oneof(
  fc.record(
    {
      selector: fc.oneof(
        fc.record({
          matchLabels: fc.oneof(
            fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
            fc.anything({ maxDepth: 1 }),
          ),
        }),
        fc.anything({ maxDepth: 2 }),
      ),
      mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET', 'strict', '', 42, null),
      portLevelMtls: fc.oneof(
        fc.dictionary(
          fc.oneof(fc.integer({ min: -1, max: 70_000 }).map(String), oddString),
          fc.oneof(fc.record({ mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET', 'x') }), fc.anything({ maxDepth: 1 })),
          { maxKeys: 3 },
        ),
        fc.anything({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 2 }),
);

interface Kinded {
  readonly kind: { group: string; version: string; kind: string };
  readonly object: unknown;
}

/** An object for a request.kind that meshward handles (or nearly): Pods, workloads, policies, namespaces. */
const kindedObject = (ns: fc.Arbitrary<string>): fc.Arbitrary<Kinded> =>
  fc.oneof(
    { arbitrary: pod(ns).map((p) => ({ kind: { group: '', version: 'v1', kind: 'Pod' }, object: p })), weight: 6 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'), metadata(ns), pod(ns))
        .map(([kind, meta, p]) => ({
          kind: { group: 'apps', version: 'v1', kind },
          object: { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: {}, template: { metadata: p.metadata, spec: p.spec } } },
        })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(metadata(ns), pod(ns)).map(([meta, p]) => ({
        kind: { group: 'batch', version: 'v1', kind: 'CronJob' },
        object: {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: meta,
          spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: p.metadata, spec: p.spec } } } },
        },
      })),
      weight: 1,
    },
    {
      arbitrary: fc.tuple(metadata(ns), policySpec).map(([meta, spec]) => ({
        kind: { group: 'meshward.io', version: 'v1alpha1', kind: 'MeshTLSPolicy' },
        object: { apiVersion: 'meshward.io/v1alpha1', kind: 'MeshTLSPolicy', metadata: meta, spec },
      })),
      weight: 2,
    },
    {
      arbitrary: metadata(ns).map((meta) => ({
        kind: { group: '', version: 'v1', kind: 'Namespace' },
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: meta },
      })),
      weight: 1,
    },
    {
      arbitrary: fc
        .anything({ maxDepth: 3 })
        .map((object) => ({ kind: { group: 'odd.example.com', version: 'v9', kind: 'Thing' }, object })),
      weight: 1,
    },
  );

let counter = 0;
const nextUid = (): string => `fuzz-${++counter}`;

/** Well-formed envelopes around odd objects (the handlers' input space). */
export const objectRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    path,
    ns: namespace,
    kinded: kindedObject(namespace),
    operation: fc.constantFrom('CREATE', 'CREATE', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
    oldObject: fc.oneof(fc.constant(undefined), fc.constant(null), pod(namespace)),
    subResource: fc.constantFrom(undefined, undefined, undefined, 'status', 'ephemeralcontainers', 'binding'),
    dryRun: fc.constantFrom(undefined, true, false),
  })
  .map(({ path: p, ns, kinded, operation, oldObject, subResource, dryRun }) => {
    const uid = nextUid();
    const r = review(uid, kinded.object, ns, { kind: kinded.kind, operation, oldObject, subResource, dryRun });
    return { path: p, body: Buffer.from(JSON.stringify(r)), contentType: 'application/json', uid };
  });

const ENVELOPE_PATHS: readonly string[][] = [
  ['apiVersion'],
  ['kind'],
  ['request'],
  ['request', 'uid'],
  ['request', 'kind'],
  ['request', 'kind', 'kind'],
  ['request', 'kind', 'version'],
  ['request', 'kind', 'group'],
  ['request', 'resource'],
  ['request', 'operation'],
  ['request', 'namespace'],
  ['request', 'object'],
  ['request', 'oldObject'],
  ['request', 'userInfo'],
  ['request', 'dryRun'],
  ['request', 'subResource'],
  ['request', 'name'],
  ['request', 'object', 'metadata'],
  ['request', 'object', 'spec'],
  ['request', 'object', 'spec', 'containers'],
  ['request', 'object', 'metadata', 'annotations'],
  ['request', 'object', 'metadata', 'labels'],
];

const wrongValue = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  fc.constantFrom(
    null,
    '',
    0,
    -1,
    [],
    {},
    true,
    'admission.k8s.io/v1beta1',
    'AdmissionReviewList',
    'CREATE',
    'create',
    'PATCH',
    'Pod',
    { kind: 'Pod' },
    ['CREATE'],
  ),
);

function setAt(root: Record<string, any>, keys: readonly string[], value: unknown, remove: boolean): boolean {
  let cur: any = root;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur?.[k] !== 'object' || cur[k] === null) return false;
    cur = cur[k];
  }
  const last = keys[keys.length - 1]!;
  if (remove) delete cur[last];
  else cur[last] = value;
  return true;
}

/** A valid review with 1–4 envelope fields removed or given wrong types. */
export const envelopeRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    path,
    ns: fc.constantFrom(STRICT_NS, SHOP_NS),
    mutations: fc.array(fc.record({ at: fc.constantFrom(...ENVELOPE_PATHS), remove: fc.boolean(), value: wrongValue }), {
      minLength: 1,
      maxLength: 4,
    }),
  })
  .map(({ path: p, ns, mutations }) => {
    const uid = nextUid();
    const r = review(uid, typicalPod(ns), ns) as Record<string, any>;
    let uidIntact = true;
    for (const m of mutations) {
      // A fresh copy: constants are shared instances, and one placed inside another would loop.
      const applied = setAt(r, m.at, structuredClone(m.value), m.remove);
      if (applied && m.at[0] === 'request' && (m.at.length === 1 || m.at[1] === 'uid')) uidIntact = false;
    }
    return { path: p, body: Buffer.from(JSON.stringify(r) ?? 'null'), contentType: 'application/json', ...(uidIntact ? { uid } : {}) };
  });

const contentType = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'text/plain',
  undefined,
  'application/json-patch+json',
  'multipart/form-data; boundary=x',
  '',
);

function deepText(depth: number, open: '[' | '{"a":', closed: boolean): string {
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + '1' + (closed ? close.repeat(depth) : '');
}

/** Bodies that are not a usable review at all: text, bytes, other JSON, truncation, nesting, size. */
export const rawRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  path,
  contentType,
  body: fc.oneof(
    { arbitrary: oddString.map((s) => Buffer.from(s)), weight: 3 },
    { arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v))), weight: 2 },
    {
      arbitrary: fc.tuple(namespace, fc.nat()).map(([ns, at]) => {
        const text = JSON.stringify(review(nextUid(), typicalPod(ns), ns));
        return Buffer.from(text.slice(0, at % text.length));
      }),
      weight: 2,
    },
    {
      arbitrary: fc
        .record({
          depth: fc.integer({ min: 1, max: 100_000 }),
          open: fc.constantFrom<'[' | '{"a":'>('[', '{"a":'),
          closed: fc.boolean(),
          where: fc.constantFrom('top', 'object', 'spec', 'annotation', 'containers'),
        })
        .map(({ depth, open, closed, where }) => {
          const deep = deepText(depth, open, closed);
          if (where === 'top') return Buffer.from(deep);
          const pod = typicalPod(STRICT_NS) as Record<string, any>;
          if (where === 'spec') pod.spec.securityContext = '__DEEP__';
          if (where === 'annotation') pod.metadata.annotations = { 'meshward.io/exclude-inbound-ports': '__DEEP__' };
          if (where === 'containers') pod.spec.containers[0].env = '__DEEP__';
          const text = JSON.stringify(review(nextUid(), where === 'object' ? '__DEEP__' : pod, STRICT_NS));
          return Buffer.from(text.replace('"__DEEP__"', deep));
        }),
      weight: 1,
    },
    {
      arbitrary: fc
        .record({ kib: fc.integer({ min: 64, max: 4 * 1024 + 200 }), shape: fc.constantFrom('annotation', 'env', 'labels', 'containers') })
        .map(({ kib, shape }) => {
          const pod = typicalPod(SHOP_NS) as Record<string, any>;
          const n = Math.floor((kib * 1024) / 64);
          if (shape === 'annotation')
            pod.metadata.annotations = { 'meshward.io/exclude-outbound-cidrs': '10.0.0.0/8,'.repeat(Math.floor((kib * 1024) / 11)) };
          if (shape === 'env')
            pod.spec.containers[0].env = Array.from({ length: n }, (_, i) => ({ name: `VAR_${i}`, value: 'v'.repeat(40) }));
          if (shape === 'labels')
            pod.metadata.labels = Object.fromEntries(Array.from({ length: n }, (_, i) => [`label-${i}`, 'x'.repeat(40)]));
          if (shape === 'containers')
            pod.spec.containers = Array.from({ length: Math.floor(n / 4) }, (_, i) => ({
              name: `c${i}`,
              image: 'c:1',
              ports: [{ containerPort: 1000 + (i % 60_000) }],
            }));
          return Buffer.from(JSON.stringify(review(nextUid(), pod, SHOP_NS)));
        }),
      weight: 1,
    },
  ),
});
