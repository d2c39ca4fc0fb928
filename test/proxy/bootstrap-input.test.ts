// The per-pod input the xDS server renders from (checked and ordered once), and the template
// mechanics of the static bootstrap.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BootstrapInputError, normalizeInput, probeInputProblems, renderStaticBootstrap } from '../../webhook/proxy/index.js';
import { fillTemplate } from '../../webhook/template/fill-template.js';
import { config, makeInput, podResources, type J } from './bootstrap-fixtures.js';

const TEMPLATE = new URL('../../templates/envoy-bootstrap.yaml', import.meta.url);

describe('proxy input', () => {
  it('renders a pod the same whatever order its ports and probes are listed in', () => {
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
    assert.equal(JSON.stringify(podResources(input)), JSON.stringify(podResources(reversed)));
  });

  it('dedupes a port declared twice with the same mode', () => {
    const n = normalizeInput(
      makeInput({
        ports: [
          { port: 8080, mode: 'STRICT' },
          { port: 8080, mode: 'STRICT' },
        ],
      }),
    );
    assert.deepEqual(n.ports, [{ port: 8080, mode: 'STRICT' }]);
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
    const expected = [
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
    ];
    assert.throws(
      () => normalizeInput(bad),
      (err: unknown) => {
        assert.ok(err instanceof BootstrapInputError);
        const text = err.problems.join('\n');
        for (const e of expected) assert.ok(text.includes(e), `missing problem mentioning ${e}:\n${text}`);
        return true;
      },
    );
    // The probes alone, as the injector checks them at admission.
    const probeProblems = probeInputProblems(bad.probes).join('\n');
    for (const e of ['no-slash', 'used by two probes', 'port 0', 'bad header', 'timeoutSeconds']) assert.ok(probeProblems.includes(e), e);
    assert.deepEqual(probeInputProblems(makeInput().probes), []);
  });
});

describe('static bootstrap: template', () => {
  it('the default template is templates/envoy-bootstrap.yaml and can be replaced', () => {
    const text = readFileSync(TEMPLATE, 'utf8');
    assert.deepEqual(renderStaticBootstrap(config, { templateText: text }), renderStaticBootstrap(config));
    const [custom] = renderStaticBootstrap(config, { templateText: 'admin: { port: "{{ ports.admin }}" }\nsni: "x-{{ xds.host }}"\n' });
    assert.deepEqual(custom!.document as J, { admin: { port: 15000 }, sni: 'x-meshward.meshward-system.svc' });
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
      () => renderStaticBootstrap(config, { templateText: 'node: { id: "{{ node.id }}" }' }),
      /no value for \{\{ node\.id \}\}/,
    );
  });
});
