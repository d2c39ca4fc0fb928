import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as source from '../../webhook/kube/client.js';
import { kubeApi } from '../../webhook/kube/client-api.js';
import { localKubeConfig } from '../helpers/local-kubeconfig.js';
import { MUTATING_WEBHOOK_CONFIGURATIONS, NAMESPACES, SECRETS } from '../../webhook/kube/resources.js';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';

// Unit tests run webhook/kube/client.ts against the package itself; meshward runs the esbuild
// bundle the build puts in its place. These tests check the bundle is that module, only smaller.
const root = repoRoot();
const bundle = join(root, 'dist/webhook/kube/client.js');
const PACKAGE = '@kubernetes/client-node';

type Namespace = Record<string, unknown>;

function importBundle(): Promise<Namespace> {
  return import(pathToFileURL(bundle).href) as Promise<Namespace>;
}

/** RSS in MB of a fresh `node --expose-gc` that imported `spec` (nothing when empty), after forced GCs. */
function rssAfterImport(spec: string): number {
  const script = `
    const spec = process.argv[1];
    if (spec) await import(spec);
    for (let i = 0; i < 4; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    process.stdout.write(String(process.memoryUsage().rss / 1048576));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script, spec], { cwd: root, encoding: 'utf8' });
  return Number(out);
}

/** Median of three fresh processes: one process can land on a GC or page-in outlier. */
function medianRss(spec: string): number {
  const runs = [rssAfterImport(spec), rssAfterImport(spec), rssAfterImport(spec)].sort((a, b) => a - b);
  return runs[1]!;
}

/** Every webhook/ source file, to check where the package's values come from. */
function webhookSources(dir: string = join(root, 'webhook')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return webhookSources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('kube client bundle (dist/webhook/kube/client.js)', function () {
  this.timeout(60_000);

  it('is built: an esbuild bundle with its source map, importing no @kubernetes/client-node', () => {
    assert.ok(existsSync(bundle), `${bundle} is missing: build first (npm run build; npm test does it)`);
    const text = readFileSync(bundle, 'utf8');
    assert.match(text, /^import \{ createRequire as __meshwardCreateRequire \} from 'node:module';/, "the bundle, not tsc's re-export");
    assert.doesNotMatch(text, /from ?["']@kubernetes\/client-node/, 'the package is inlined, not imported');
    assert.match(text, /\/\/# sourceMappingURL=client\.js\.map\s*$/);
    assert.ok(existsSync(`${bundle}.map`));
  });

  it('exports exactly the names of webhook/kube/client.ts, as the same kinds of values as the package', async () => {
    const built = await importBundle();
    const pkg = (await import(PACKAGE)) as Namespace;
    assert.deepEqual(Object.keys(built).sort(), Object.keys(source).sort());
    for (const name of Object.keys(source)) {
      assert.equal(typeof built[name], typeof pkg[name], name);
      if (typeof pkg[name] === 'function')
        assert.equal((built[name] as { name: string }).name, (pkg[name] as { name: string }).name, `${name} keeps its name`);
      else assert.deepEqual(built[name], pkg[name], name);
    }
  });

  it('is where every value import of @kubernetes/client-node in webhook/ goes (type imports are erased)', () => {
    const valueImport = /^(?:import|export)\s+(?!type\b)[^;]*from\s+'@kubernetes\/client-node'|\bimport\(\s*'@kubernetes\/client-node'/m;
    const offenders = webhookSources()
      .filter((file) => !file.endsWith(join('webhook', 'kube', 'client.ts')))
      .filter((file) => valueImport.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    assert.deepEqual(offenders, [], 'import values from webhook/kube/client.js instead');
  });

  it("carries meshward's KubeApi: lists, reads a 404 as absent and sends a JSON patch against an API server", async () => {
    const k = (await importBundle()) as unknown as typeof source;
    const seen: string[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${req.headers.authorization ?? ''}`);
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/api/v1/namespaces/d/secrets/')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }));
      } else if (req.method === 'PATCH') {
        req.resume().on('end', () => res.end(JSON.stringify({ metadata: { name: 'w' }, webhooks: [] })));
      } else {
        res.end(
          JSON.stringify({
            kind: 'NamespaceList',
            apiVersion: 'v1',
            metadata: { resourceVersion: '7' },
            items: [{ metadata: { name: 'a' } }],
          }),
        );
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const kc = localKubeConfig(new k.KubeConfig(), `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const api = kubeApi(kc);
      assert.deepEqual(await api.list(NAMESPACES), { items: [{ metadata: { name: 'a' } }], resourceVersion: '7' });
      assert.equal(await api.get(SECRETS, 'd', 's'), undefined);
      await api.patch(MUTATING_WEBHOOK_CONFIGURATIONS, undefined, 'w', [{ op: 'replace', path: '/x', value: 1 }]);
      assert.ok(
        seen.some((s) =>
          s.startsWith('PATCH /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/w application/json-patch+json Bearer t'),
        ),
        seen.join('\n'),
      );
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('loads without a warning on this Node (meshward logs JSON on stdout; nothing else belongs on stderr)', () => {
    // Node 21+ warns once per process about the built-in punycode when code outside node_modules
    // (the bundle) requires it; the bundle carries the userland package instead.
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundle).href)})`], {
      cwd: root,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '', `on Node ${process.version}`);
  });

  it('costs at least 20 MB less RSS to import than @kubernetes/client-node', () => {
    const baseline = medianRss('');
    const bundled = medianRss(pathToFileURL(bundle).href);
    const full = medianRss(PACKAGE);
    const mb = (x: number): string => `${x.toFixed(1)} MB`;
    console.log(
      `      RSS after import: nothing ${mb(baseline)}, bundle ${mb(bundled)}, ${PACKAGE} ${mb(full)} (saves ${mb(full - bundled)})`,
    );
    assert.ok(full - bundled >= 20, `bundle ${mb(bundled)} vs package ${mb(full)}`);
  });
});
