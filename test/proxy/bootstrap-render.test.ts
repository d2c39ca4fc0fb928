// Determinism, hashing, input checks and the template mechanics.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bootstrapHash, BootstrapInputError, canonicalJson, renderBootstrap, renderSdsSecrets } from '../../webhook/proxy/index.js';
import { fillTemplate } from '../../webhook/template/fill-template.js';
import { makeInput, type J } from './bootstrap-fixtures.js';

const TEMPLATE = new URL('../../templates/envoy-bootstrap.yaml', import.meta.url);

describe('proxy bootstrap: rendering', () => {
  it('is deterministic: same input, same bytes and hash', () => {
    const a = JSON.stringify(renderBootstrap(makeInput()));
    const b = JSON.stringify(renderBootstrap(makeInput()));
    assert.equal(a, b);
    assert.equal(bootstrapHash(JSON.parse(a)), bootstrapHash(JSON.parse(b)));
    assert.equal(JSON.stringify(renderSdsSecrets(makeInput())), JSON.stringify(renderSdsSecrets(makeInput())));
  });

  it('does not depend on the order ports and probes are listed in', () => {
    const input = makeInput({
      ports: [
        { port: 9090, mode: 'PERMISSIVE' },
        { port: 8080, mode: 'STRICT' },
      ],
      probes: [
        { path: '/app-health/b/readyz', kind: 'tcp', port: 9090 },
        { path: '/app-health/a/readyz', kind: 'http', port: 8080 },
      ],
    });
    const reversed = { ...input, ports: [...input.ports].reverse(), probes: [...input.probes].reverse() };
    assert.equal(JSON.stringify(renderBootstrap(input)), JSON.stringify(renderBootstrap(reversed)));
  });

  it('bootstrapHash is sha256 hex over canonical JSON: key order does not matter, content does', () => {
    const b = renderBootstrap(makeInput());
    const h = bootstrapHash(b);
    assert.match(h, /^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(b).reverse());
    assert.equal(bootstrapHash(reordered), h);
    assert.notEqual(bootstrapHash(renderBootstrap(makeInput({ workloadMode: 'PERMISSIVE' }))), h);
    assert.equal(canonicalJson({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
  });

  it('renders fast enough for the admission path', () => {
    const input = makeInput({ ports: Array.from({ length: 20 }, (_, i) => ({ port: 8000 + i, mode: 'PERMISSIVE' as const })) });
    renderBootstrap(input);
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) bootstrapHash(renderBootstrap(input));
    const perRenderMs = Number(process.hrtime.bigint() - started) / 1e6 / 200;
    assert.ok(perRenderMs < 5, `${perRenderMs.toFixed(2)} ms per render+hash`);
  });

  it('dedupes a port declared twice with the same mode', () => {
    const b = renderBootstrap(
      makeInput({
        ports: [
          { port: 8080, mode: 'STRICT' },
          { port: 8080, mode: 'STRICT' },
        ],
      }),
    ) as J;
    assert.equal((b.static_resources.clusters as J[]).filter((c) => c.name === 'inbound|8080').length, 1);
  });

  it('rejects bad input, naming every problem at once', () => {
    const bad = makeInput({
      namespace: 'Bad_NS',
      ports: [
        { port: 70000, mode: 'STRICT' },
        { port: 15020, mode: 'STRICT' },
        { port: 8080, mode: 'STRICT' },
        { port: 8080, mode: 'DISABLE' },
      ],
      probes: [
        { path: 'no-slash', kind: 'http', port: 8080 },
        { path: '/dup', kind: 'tcp', port: 8080 },
        { path: '/dup', kind: 'tcp', port: 0 },
        { path: '/h', kind: 'http', port: 8080, headers: [{ name: 'bad header', value: 'x' }], timeoutSeconds: 0 },
      ],
      credentialsDir: 'relative/dir',
      credentialFiles: { certChain: '../escape.crt', privateKey: 'tls.key', trustBundle: '/abs.crt' },
    });
    assert.throws(
      () => renderBootstrap(bad),
      (err: unknown) => {
        assert.ok(err instanceof BootstrapInputError);
        const text = err.problems.join('\n');
        for (const expected of [
          'namespace',
          '70000',
          '15020 is reserved',
          '8080 has two modes',
          'no-slash',
          'used by two probes',
          'port 0',
          'bad header',
          'timeoutSeconds',
          'credentialsDir',
          'certChain',
          'trustBundle',
        ]) {
          assert.ok(text.includes(expected), `missing problem mentioning ${expected}:\n${text}`);
        }
        return true;
      },
    );
  });
});

describe('proxy bootstrap: template', () => {
  it('the default template is templates/envoy-bootstrap.yaml and can be replaced', () => {
    const text = readFileSync(TEMPLATE, 'utf8');
    assert.deepEqual(renderBootstrap(makeInput(), { templateText: text }), renderBootstrap(makeInput()));
    const custom = renderBootstrap(makeInput(), { templateText: 'node: { id: "{{ node.id }}" }\nlisteners: ["{{ clusters }}"]\n' }) as J;
    assert.equal(custom.node.id, 'sidecar~shop~web-7d9f-abcde');
    assert.ok(custom.listeners.length > 3, 'a list placeholder as a list item is spliced');
  });

  it('fills whole values, splices lists, interpolates strings, and never re-reads values as template', () => {
    const ctx = { a: { b: 7 }, list: [1, 2], s: '{{ a.b }}', obj: { k: 'v: [x' } };
    assert.deepEqual(fillTemplate({ n: '{{ a.b }}', l: [0, '{{ list }}', 3], i: 'x-{{ a.b }}', s: '{{ s }}', o: '{{ obj }}' }, ctx), {
      n: 7,
      l: [0, 1, 2, 3],
      i: 'x-7',
      s: '{{ a.b }}',
      o: { k: 'v: [x' },
    });
  });

  it('an unknown placeholder fails loudly', () => {
    assert.throws(
      () => renderBootstrap(makeInput(), { templateText: 'node: { id: "{{ node.idd }}" }' }),
      /no value for \{\{ node\.idd \}\}/,
    );
  });
});
