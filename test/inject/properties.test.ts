import assert from 'node:assert/strict';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import type { V1Pod } from '@kubernetes/client-node';
import { injectPod, type InjectionContext } from '../../webhook/inject/inject-pod.js';
import { injectionConfigHash } from '../../webhook/config/hash.js';
import { decideInjection } from '../../webhook/inject/decide.js';
import { config, templates } from './inject-fixtures.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const port = fc.integer({ min: 1, max: 14999 });
const probe = fc.oneof(
  fc.constant(undefined),
  port.map((p) => ({ httpGet: { path: '/h', port: p } })),
  port.map((p) => ({ tcpSocket: { port: p } })),
  port.map((p) => ({ grpc: { port: p } })),
  fc.constant({ exec: { command: ['true'] } }),
);
const container = fc.record({
  name,
  image: fc.constant('app:1'),
  ports: fc.array(
    port.map((containerPort) => ({ containerPort })),
    { maxLength: 3 },
  ),
  readinessProbe: probe,
  livenessProbe: probe,
});
const pod = fc
  .record({
    containers: fc.uniqueArray(container, { minLength: 1, maxLength: 4, selector: (c) => c.name }),
    initContainers: fc.option(
      fc.uniqueArray(
        container.map(({ readinessProbe: _r, livenessProbe: _l, ...c }) => ({ ...c, name: `init-${c.name}` })),
        { maxLength: 2, selector: (c) => c.name },
      ),
      { nil: undefined },
    ),
    volumes: fc.option(
      fc.uniqueArray(
        name.map((n) => ({ name: `v-${n}`, emptyDir: {} })),
        { maxLength: 3, selector: (v) => v.name },
      ),
      { nil: undefined },
    ),
    labels: fc.option(fc.dictionary(name, name, { maxKeys: 3 }), { nil: undefined }),
    native: fc.constantFrom('true', 'false', undefined),
    defaultContainer: fc.option(name, { nil: undefined }),
    emptyAnnotations: fc.boolean(),
    generateName: fc.boolean(),
  })
  .map(({ containers, initContainers, volumes, labels, native, defaultContainer, emptyAnnotations, generateName }): V1Pod => {
    const strip = (o: object): V1Pod => JSON.parse(JSON.stringify(o));
    const annotations = {
      ...(native ? { 'meshward.io/native-sidecar': native } : {}),
      ...(defaultContainer ? { 'kubectl.kubernetes.io/default-container': defaultContainer } : {}),
    };
    return strip({
      metadata: {
        ...(generateName ? { generateName: 'p-' } : { name: 'p' }),
        namespace: 'shop',
        labels,
        annotations: Object.keys(annotations).length > 0 || emptyAnnotations ? annotations : undefined,
      },
      spec: { containers, initContainers, volumes },
    });
  });

function contextFor(_p: V1Pod, withConfig = config, trustRootFingerprint?: string): InjectionContext {
  return { config: withConfig, templates, configHash: injectionConfigHash(withConfig), trustRootFingerprint };
}

/** The pod in `namespace`, run as `serviceAccount`, labelled app=web or not. */
function placedPod(shape: V1Pod, namespace: string, serviceAccount: string | undefined, selected: boolean): V1Pod {
  const p = structuredClone(shape);
  p.metadata = { ...p.metadata, namespace, ...(selected ? { labels: { ...p.metadata?.labels, app: 'web' } } : {}) };
  if (serviceAccount !== undefined) p.spec = { ...p.spec!, serviceAccountName: serviceAccount };
  return p;
}

function inject(p: V1Pod): V1Pod {
  const result = injectPod(p, contextFor(p));
  assert.ok(result.ok, JSON.stringify(result));
  return fastJsonPatch.applyPatch(structuredClone(p), result.patch as fastJsonPatch.Operation[], true, false).newDocument;
}

describe('injector properties (fast-check, random pod shapes)', () => {
  it('adds exactly one proxy and one init container, meshward-init first in native mode, names unique', () => {
    fc.assert(
      fc.property(pod, (p) => {
        const out = inject(p);
        const inits = (out.spec!.initContainers ?? []).map((c) => c.name);
        const all = [...inits, ...out.spec!.containers.map((c) => c.name)];
        assert.equal(all.filter((n) => n === 'meshward-proxy').length, 1);
        assert.equal(all.filter((n) => n === 'meshward-init').length, 1);
        assert.equal(new Set(all).size, all.length);
        const volumes = (out.spec!.volumes ?? []).map((v) => v.name);
        assert.equal(new Set(volumes).size, volumes.length);
        if (p.metadata?.annotations?.['meshward.io/native-sidecar'] !== 'false') {
          assert.deepEqual(inits.slice(0, 2), ['meshward-init', 'meshward-proxy']);
        }
        // The user's containers are all still there, in order.
        assert.deepEqual(
          out.spec!.containers.map((c) => c.name).filter((n) => n !== 'meshward-proxy'),
          p.spec!.containers.map((c) => c.name),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('rewrites every non-exec probe to the status port and leaves the rest of each container alone', () => {
    fc.assert(
      fc.property(pod, (p) => {
        const out = inject(p);
        out
          .spec!.containers.filter((c) => c.name !== 'meshward-proxy')
          .forEach((c) => {
            for (const key of ['readinessProbe', 'livenessProbe'] as const) {
              const probe = c[key];
              if (probe && !probe.exec) assert.equal(probe.httpGet?.port, 15020);
            }
            const original = p.spec!.containers.find((o) => o.name === c.name)!;
            assert.deepEqual(c.ports ?? [], original.ports ?? []);
          });
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent: an injected pod is never injected again', () => {
    fc.assert(
      fc.property(pod, (p) => {
        const out = inject(p);
        const decision = decideInjection(out, 'shop', { metadata: { labels: { 'meshward.io/inject': 'enabled' } } }, config.mesh.namespace);
        assert.deepEqual(decision, { inject: false, reason: 'already-injected' });
      }),
      { numRuns: 200 },
    );
  });

  it('shares renders safely: after other pods, a pod gets the patch a cold cache would give', () => {
    // Renders are cached per config object (inject/render-cache.ts): a structured clone starts
    // cold. Between pods of one run everything a render depends on varies: the pod's shape (its
    // probes, so the routes the status annotation records), the trust root, the namespace, the
    // ServiceAccount and the labels. The same shapes recur within a run, so a key missing one of
    // these would be hit by a pod it does not fit.
    const placement = fc.record({
      shape: fc.nat(),
      trustRoot: fc.constantFrom(undefined, 'sha256:aa', 'sha256:bb'),
      namespace: fc.constantFrom('shop', 'payments'),
      serviceAccount: fc.constantFrom(undefined, 'default', 'api'),
      labelled: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(pod, { minLength: 1, maxLength: 2 }),
        fc.array(placement, { minLength: 2, maxLength: 8 }),
        (shapes, placements) => {
          for (const { shape, trustRoot, namespace, serviceAccount, labelled } of placements) {
            const p = placedPod(shapes[shape % shapes.length]!, namespace, serviceAccount, labelled);
            const cold = structuredClone(config);
            assert.deepEqual(injectPod(p, contextFor(p, config, trustRoot)), injectPod(p, contextFor(p, cold, trustRoot)));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('is deterministic: the same pod gives the same patch', () => {
    fc.assert(
      fc.property(pod, (p) => {
        assert.deepEqual(injectPod(p, contextFor(p)), injectPod(structuredClone(p), contextFor(p)));
      }),
      { numRuns: 100 },
    );
  });
});
