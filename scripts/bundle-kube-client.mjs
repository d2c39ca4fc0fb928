// Replaces tsc's dist/webhook/kube/client.js with a tree-shaken esbuild bundle of
// webhook/kube/client.ts. Run after `tsc -p tsconfig.json`, with plain node: the Dockerfile's
// build stage runs it, and it has no tsx there.
//
// Why: importing @kubernetes/client-node loads all of its generated APIs and models (~850 ESM
// modules, ~46 MB of RSS in meshward); the bundle holds only what client.ts re-exports and what
// that reaches. Plain .mjs rather than .ts, so it needs no compile step of its own.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'webhook/kube/client.ts');
const outfile = join(root, 'dist/webhook/kube/client.js');

// The bundle replaces tsc's output; without it there is no dist to put it in (and a stale bundle
// next to a missing build would hide the mistake).
if (!existsSync(outfile)) {
  console.error(`[meshward] ${relative(root, outfile)} is missing: run \`tsc -p tsconfig.json\` first`);
  process.exit(1);
}

// client-node's CommonJS dependencies (ws, node-fetch, form-data, ...) call require(); an ESM
// bundle has no `require`, so the banner makes one. Named so that no minified name can clash.
const banner =
  "import { createRequire as __meshwardCreateRequire } from 'node:module';\n" + 'const require = __meshwardCreateRequire(import.meta.url);';

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  // Classes and functions keep their names: logs, errors and stack traces show them, and
  // test/kube/client-bundle.test.ts compares them with the package's.
  keepNames: true,
  // With the sources in it, so `node --enable-source-maps` traces read even where the runtime
  // image has no node_modules/@kubernetes/client-node.
  sourcemap: true,
  banner: { js: banner },
  // node-fetch's URL code (tr46, whatwg-url) requires the built-in punycode, which Node 21+ warns
  // about on every start when the caller is outside node_modules, as this bundle is: the userland
  // package (the same code) is bundled instead.
  alias: { punycode: 'punycode/' },
  allowOverwrite: true,
  metafile: true,
  logLevel: 'warning',
});

// Modules that kept any code after tree shaking (metafile.inputs also lists the dropped ones).
const kept = Object.values(result.metafile.outputs)
  .flatMap((o) => Object.values(o.inputs))
  .filter((i) => i.bytesInOutput > 0).length;
const kb = Math.round(statSync(outfile).size / 1024);
console.error(`[meshward] bundled ${relative(root, entry)} -> ${relative(root, outfile)} (${kept} modules, ${kb} KB)`);
