import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { INIT_COMMAND } from '../../webhook/capture/settings.js';
import { MESHWARD_ENTRYPOINT, MESHWARD_NODE_FLAGS } from '../../scripts/meshward-process.js';

// There is no container engine here, so the Dockerfile is checked against what the tests run
// (images.test.ts checks the images scripts/images builds from the same rootfs scripts).
const root = repoRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

function stage(name: string): string[] {
  const lines = dockerfile.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^FROM .* AS ${name}$`).test(l));
  assert.ok(start >= 0, `stage ${name} exists`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end < 0 ? undefined : end).filter((l) => l && !l.startsWith('#'));
}

describe('Dockerfile', () => {
  it('runs the meshward image on Node 24 LTS, non-root, with the entrypoint the e2e tests run', () => {
    const meshward = stage('meshward');
    assert.equal(meshward[0], 'FROM scratch AS meshward');
    assert.match(readFileSync(join(root, 'scripts/fetch-node.sh'), 'utf8'), /version="\$\{1:-24\.\d+\.\d+\}"/, 'Node 24 by default');
    assert.ok(meshward.includes('USER 65532:65532'));
    const entry = meshward.find((l) => l.startsWith('ENTRYPOINT'))!;
    assert.deepEqual(JSON.parse(entry.slice('ENTRYPOINT'.length)), ['/nodejs/bin/node', ...MESHWARD_NODE_FLAGS, MESHWARD_ENTRYPOINT]);
    assert.ok(
      stage('rootfs-meshward').some((l) => l === 'COPY templates ./templates'),
      'the injection templates ship with the image',
    );
  });

  it('keeps only production dependencies in the runtime image', () => {
    const build = stage('build');
    assert.ok(build.some((l) => /npm prune --omit=dev/.test(l)));
  });

  it('bundles the client-node code meshward uses into dist, so production dependencies need no @kubernetes/client-node', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.equal(pkg.dependencies['@kubernetes/client-node'], undefined, 'a devDependency: dist/webhook/kube/client.js inlines it');
    assert.ok(pkg.devDependencies['@kubernetes/client-node']);
    const build = stage('build');
    assert.ok(build.includes('COPY scripts/bundle-kube-client.mjs ./scripts/bundle-kube-client.mjs'));
    const run = build.find((l) => l.includes('npm prune'))!;
    const steps = ['npx tsc -p tsconfig.json', 'node scripts/bundle-kube-client.mjs', 'npm prune --omit=dev'].map((step) =>
      run.indexOf(step),
    );
    assert.ok(
      steps.every((at, i) => at >= 0 && (i === 0 || at > steps[i - 1]!)),
      `compile, bundle, then prune: ${run}`,
    );
    // Every npm script that writes dist bundles right after compiling, or its dist would import the package.
    for (const [name, command] of Object.entries(pkg.scripts)) {
      if (/tsc -p tsconfig\.json(?! --noEmit)/.test(command))
        assert.match(command, /tsc -p tsconfig\.json && node scripts\/bundle-kube-client\.mjs/, name);
    }
  });

  it('installs meshward-init where the injected init container runs it', () => {
    assert.ok(stage('rootfs-meshward-init').includes('COPY webhook/capture/meshward-init.sh ./webhook/capture/meshward-init.sh'));
    const script = readFileSync(join(root, 'scripts/images/rootfs-meshward-init.sh'), 'utf8');
    assert.ok(script.includes(`cp "$init" "$out${INIT_COMMAND[0]}"`), 'rootfs-meshward-init.sh installs it at INIT_COMMAND');
    const init = stage('meshward-init');
    assert.deepEqual(JSON.parse(init.find((l) => l.startsWith('ENTRYPOINT'))!.slice('ENTRYPOINT'.length)), [...INIT_COMMAND]);
    const template = parseYaml(readFileSync(join(root, 'templates/meshward-init.yaml'), 'utf8'));
    assert.deepEqual(template.command, [...INIT_COMMAND]);
  });

  it('copies only paths that exist in the repository', () => {
    for (const line of dockerfile.split('\n').filter((l) => /^COPY (?!--from)/.test(l))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) assert.ok(existsSync(join(root, source)), `${line}: ${source} missing`);
    }
  });
});
