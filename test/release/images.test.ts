// The meshward and meshward-init archives agree with the Dockerfile: the files they ship, their
// runtime config (checked against what the tests and the injector run, not against the parser),
// that the Dockerfile's final stages copy the rootfs the same scripts make, and that a rebuild
// without the cache gives the same digests. The first build takes about a minute (cached after).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../scripts/control-plane/ensure-binaries.js';
import { buildInitImage, buildMeshwardImage, ensureImages, STAGES, type LocalImages } from '../../scripts/images/build-images.js';
import { DEFAULT_PATH_ENV, dockerfileStage } from '../../scripts/images/dockerfile.js';
import { MESHWARD_ENTRYPOINT, MESHWARD_NODE_FLAGS } from '../../scripts/meshward-process.js';
import { INIT_COMMAND } from '../../webhook/capture/settings.js';
import { layerFile, layerFiles, openOciArchive, type OciImage } from './support/oci.js';

const root = repoRoot();
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

describe('container images (scripts/images): archives and Dockerfile agree', function () {
  this.timeout(60_000);
  let images: LocalImages;
  let meshward: OciImage;
  let init: OciImage;
  let meshwardFiles: Set<string>;
  let initFiles: Set<string>;

  before(async function () {
    this.timeout(900_000);
    assert.ok(
      existsSync(join(root, 'dist/webhook/cli/main.js')),
      'dist is built (npx tsc -p tsconfig.json && node scripts/bundle-kube-client.mjs)',
    );
    images = await ensureImages();
    [meshward, init] = await Promise.all([openOciArchive(images.meshward.path), openOciArchive(images.init.path)]);
    [meshwardFiles, initFiles] = await Promise.all([layerFiles(meshward), layerFiles(init)]);
  });
  after(() => [meshward, init].forEach((image) => image?.remove()));

  it('meshward ships Node at /nodejs/bin/node, its libraries, dist, templates and nonroot, and nothing to run a shell with', async () => {
    for (const path of [
      'nodejs/bin/node',
      'lib64/ld-linux-x86-64.so.2',
      'lib/x86_64-linux-gnu/libc.so.6',
      'etc/passwd',
      'etc/group',
      'tmp',
    ]) {
      assert.ok(meshwardFiles.has(path), path);
    }
    assert.ok(
      [...meshwardFiles].some((f) => /^usr\/lib\/x86_64-linux-gnu\/libstdc\+\+\.so\.6/.test(f)),
      'libstdc++',
    );
    assert.ok(meshwardFiles.has('lib/x86_64-linux-gnu/libgcc_s.so.1'), 'libgcc_s');
    assert.ok(meshwardFiles.has('app/package.json') && meshwardFiles.has(`app/${MESHWARD_ENTRYPOINT}`), 'the app');
    for (const t of ['envoy-bootstrap.yaml', 'hold-application.yaml', 'meshward-init.yaml', 'meshward-proxy.yaml'])
      assert.ok(meshwardFiles.has(`app/templates/${t}`), t);
    for (const absent of ['bin/sh', 'bin', 'usr/bin', 'nodejs/bin/npm', 'app/node_modules/npm'])
      assert.ok(!meshwardFiles.has(absent), `no ${absent}`);
    assert.match(await layerFile(meshward, 'etc/passwd'), /^nonroot:x:65532:65532:/m);
    assert.match(await layerFile(meshward, 'etc/group'), /^nonroot:x:65532:$/m);
  });

  it('meshward has exactly the production dependencies of package-lock.json: pino yes; typescript, mocha, client-node no', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean }>;
    };
    // Optional packages may be skipped for this platform; every other one is decided by its dev flag.
    const modules = Object.entries(lock.packages).filter(([path, entry]) => path.startsWith('node_modules/') && !entry.optional);
    assert.ok(modules.length > 50);
    for (const [path, entry] of modules) {
      assert.equal(
        meshwardFiles.has(`app/${path}/package.json`) || meshwardFiles.has(`app/${path}`),
        !entry.dev,
        `${path} (dev: ${entry.dev === true})`,
      );
    }
    for (const dev of ['typescript', 'mocha', '@kubernetes/client-node', 'tsx', 'esbuild'])
      assert.ok(!meshwardFiles.has(`app/node_modules/${dev}`), dev);
    assert.ok(meshwardFiles.has('app/node_modules/pino/package.json'));
  });

  it("meshward runs as the Dockerfile says and the e2e tests run it: UID 65532, node's flags and entrypoint, serve, /app", () => {
    assert.deepEqual(meshward.config.config, {
      User: '65532:65532',
      Env: [DEFAULT_PATH_ENV, 'NODE_ENV=production'],
      Entrypoint: ['/nodejs/bin/node', ...MESHWARD_NODE_FLAGS, MESHWARD_ENTRYPOINT],
      Cmd: ['serve'],
      WorkingDir: '/app',
    });
    assert.equal(meshward.config.architecture, 'amd64');
    assert.equal(meshward.index.manifests[0]!.annotations!['io.containerd.image.name'], 'meshward.local/meshward:dev');
  });

  it('meshward-init ships busybox, iptables (nft and legacy), their libraries and modules, and meshward-init as the injector runs it', async () => {
    const script = readFileSync(join(root, 'webhook/capture/meshward-init.sh'), 'utf8');
    assert.ok(initFiles.has(INIT_COMMAND[0]!.slice(1)), INIT_COMMAND[0]);
    for (const path of [
      'bin/busybox',
      'bin/sh',
      'usr/sbin/xtables-nft-multi',
      'usr/sbin/xtables-legacy-multi',
      'usr/lib/x86_64-linux-gnu/xtables/libxt_REDIRECT.so',
    ]) {
      assert.ok(initFiles.has(path), path);
    }
    for (const tool of ['iptables', 'ip6tables']) {
      for (const suffix of ['', '-restore', '-save', '-nft-restore', '-nft-save', '-legacy-restore', '-legacy-save'])
        assert.ok(initFiles.has(`usr/sbin/${tool}${suffix}`), `${tool}${suffix}`);
    }
    for (const lib of ['libxtables.so.12', 'libnftnl.so.11', 'libmnl.so.0'])
      assert.ok(initFiles.has(`usr/lib/x86_64-linux-gnu/${lib}`), lib);
    assert.ok(!initFiles.has('bin/wget') && !initFiles.has('nodejs'), 'no wget, no Node');
    assert.equal(await layerFile(init, INIT_COMMAND[0]!.slice(1)), script, 'webhook/capture/meshward-init.sh, unchanged');
    assert.deepEqual(init.config.config, {
      User: '0',
      Env: [DEFAULT_PATH_ENV, 'XTABLES_LOCKFILE=/dev/shm/xtables.lock'],
      Entrypoint: [...INIT_COMMAND],
    });
    assert.equal(init.index.manifests[0]!.annotations!['io.containerd.image.name'], 'meshward.local/meshward-init:dev');
  });

  it("the Dockerfile's final stages are FROM scratch copies of the rootfs the same scripts make", () => {
    for (const { stage, script } of Object.values(STAGES)) {
      const final = dockerfileStage(dockerfile, stage);
      assert.equal(final.from, 'scratch', stage);
      const copies = final.instructions.filter((i) => i.startsWith('COPY') || i.startsWith('RUN') || i.startsWith('ADD'));
      assert.deepEqual(copies, [`COPY --from=rootfs-${stage} /rootfs/ /`], `${stage} adds nothing but the rootfs`);
      const rootfs = dockerfileStage(dockerfile, `rootfs-${stage}`);
      assert.deepEqual(
        rootfs.instructions.filter((i) => i.startsWith('RUN')),
        [`RUN sh scripts/images/${script} /rootfs`],
      );
      assert.ok(
        rootfs.instructions.includes(`COPY scripts/images/rootfs-lib.sh scripts/images/${script} ./scripts/images/`),
        `${stage} copies its scripts`,
      );
    }
  });

  it('is reproducible: building again without the cache gives the same digests', async function () {
    this.timeout(600_000);
    const tmp = mkdtempSync(join(tmpdir(), 'meshward-images-again-'));
    try {
      const again = await Promise.all([
        buildMeshwardImage({ out: join(tmp, 'meshward.tar') }),
        buildInitImage({ out: join(tmp, 'init.tar') }),
      ]);
      assert.deepEqual(
        again.map((i) => [i.digest, i.configDigest, i.sizeBytes]),
        [images.meshward, images.init].map((i) => [i.digest, i.configDigest, i.sizeBytes]),
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
